// ReachBook (reach.ts): the deadline, the percentiles, the bound on reports held, and the metrics.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeOutput } from '../../../test/helpers/stream-fixtures.js';
import { ReachBook } from './reach.js';
import { Subscriber } from './subscriber.js';

afterEach(() => vi.useRealTimers());

const streams = (n: number, keyId = 'key-1') =>
  Array.from(
    { length: n },
    (_, i) =>
      new Subscriber(new FakeOutput(), 'prod', 'server', keyId, 1e6, { instance: `i-${i}`, sdk: 'node/0.1.0', address: `10.0.0.${i}` }),
  );

describe('ReachBook', () => {
  it('marks a change missed when its deadline passes short of every stream, and counts it once', () => {
    vi.useFakeTimers();
    const book = new ReachBook({ deadlineMs: 1000 });
    book.sent('prod', 7, streams(2));
    book.ack('prod', 'key-1', 'i-0', 7);
    vi.advanceTimersByTime(999);
    expect(book.report('prod', 7)).toMatchObject({ missedDeadline: false, applied: 1 });
    vi.advanceTimersByTime(1);
    expect(book.report('prod', 7)).toMatchObject({ missedDeadline: true, complete: false, pending: [{ instance: 'i-1' }] });
    expect(book.metricsText()).toContain('flagstaff_change_reach_missed_total{env="prod"} 1');
    // A late acknowledgement still completes the report; it stays marked as having missed.
    book.ack('prod', 'key-1', 'i-1', 7);
    expect(book.report('prod', 7)).toMatchObject({ missedDeadline: true, complete: true, timeToMs: { p100: 1000 } });
    expect(book.metricsText()).toContain('flagstaff_change_reach_seconds_bucket{env="prod",le="1"} 1');
  });

  it('gives the time by which 50 %, 99 % and 100 % had applied, dated back by the SDK’s batching delay', () => {
    let now = 10_000;
    const book = new ReachBook({ now: () => now });
    book.sent('prod', 3, streams(4));
    for (const [i, at] of [40, 80, 120, 300].entries()) {
      now = 10_000 + at + 50;
      book.ack('prod', 'key-1', `i-${i}`, 3, 50);
    }
    expect(book.report('prod', 3)?.timeToMs).toEqual({ p50: 80, p99: 300, p100: 300 });
  });

  it('holds only the last reports of each environment', () => {
    const book = new ReachBook({ perEnv: 2 });
    for (const version of [1, 2, 3]) book.sent('prod', version, []);
    expect(book.report('prod', 1)).toBeNull();
    expect(book.report('prod', 3)).toMatchObject({ connected: 0, complete: true, timeToMs: { p100: 0 } });
  });
});
