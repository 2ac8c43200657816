import { describe, expect, it } from 'vitest';
import { flag } from '../../../test/helpers/stream-fixtures.js';
import { eventsOf, parseSse } from '../../../test/helpers/sse.js';
import { changeFrame, eventText, heartbeatFrame, jitteredRetry, retryFrame } from './frames.js';

describe('SSE frames', () => {
  it('writes an event with its type, id and one-line JSON data', () => {
    const value = flag('f', { variations: ['line1\nline2', 'b'], kind: 'string' });
    const text = eventText({ type: 'patch', data: { version: 3, kind: 'flag', key: 'f', value } }, 3);
    expect(text.startsWith('event: patch\nid: 3\ndata: {')).toBe(true);
    expect(text.endsWith('}\n\n')).toBe(true);
    expect(text.split('\n')).toHaveLength(5);
    expect(eventsOf(parseSse(text).blocks)).toEqual([{ type: 'patch', id: '3', data: { version: 3, kind: 'flag', key: 'f', value } }]);
  });

  it('puts the id only on the last event of a change', () => {
    const frame = changeFrame(
      [
        { type: 'delete', data: { version: 5, kind: 'flag', key: 'a' } },
        { type: 'delete', data: { version: 5, kind: 'segment', key: 'b' } },
      ],
      5,
    );
    expect(parseSse(frame.toString()).blocks.map((b) => b.id)).toEqual([undefined, '5']);
  });

  it('writes heartbeats as comments and retry hints without data', () => {
    expect(heartbeatFrame(12, 'abcdef0123456789').toString()).toBe(': hb 12 abcdef0123456789\n\n');
    const [retry] = parseSse(retryFrame(2500.4).toString()).blocks;
    expect(retry).toEqual({ retry: 2500, comments: [] });
  });

  it('jitters the retry hint over ±50% of the base', () => {
    expect(jitteredRetry(3000, () => 0)).toBe(1500);
    expect(jitteredRetry(3000, () => 0.999)).toBe(4497);
    const spread = new Set(Array.from({ length: 50 }, () => jitteredRetry(3000)));
    expect(spread.size).toBeGreaterThan(10);
  });
});
