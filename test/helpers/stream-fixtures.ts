// Flags, segments, changes and a fake connection for the streaming tests (server/src/stream, test/e2e).
import type { Flag, Segment } from '@flagstaff/core';
import { flagOff, inSegment, rule, segment, snapshotOf } from '@flagstaff/core/testing';
import type { EnvChange } from '../../server/src/store/changes.js';
import type { SseOutput } from '../../server/src/stream/subscriber.js';
import { eventsOf, parseSse, type SseBlock } from './sse.js';

/**
 * The streaming tests' flag: off (core's `flagOff`), so a test that turns it on says so. The tests under
 * server/src/stream/ still call it by this name; new tests use '@flagstaff/core/testing' directly.
 */
export const flag = flagOff;

/** A flag, off, whose one rule (`in-segment`) matches members of `segments`. */
export function flagUsing(key: string, segments: string[], overrides: Partial<Flag> = {}): Flag {
  return flagOff(key, { rules: [rule('in-segment', [inSegment(...segments)])], ...overrides });
}

export { segment, snapshotOf };

export function flagChange(env: string, version: number, value: Flag | null, key = value?.key ?? ''): EnvChange {
  return { env, version, kind: 'flag', key, value };
}

export function segmentChange(env: string, version: number, value: Segment | null, key = value?.key ?? ''): EnvChange {
  return { env, version, kind: 'segment', key, value };
}

/** Records what the hub writes; `stall()` makes it report a full buffer, as a client that stopped reading. */
export class FakeOutput implements SseOutput {
  readonly chunks: Buffer[] = [];
  writableLength = 0;
  ended = false;
  destroyed = false;

  write(chunk: Buffer): boolean {
    this.chunks.push(chunk);
    return true;
  }

  end(chunk?: Buffer): void {
    if (chunk) this.chunks.push(chunk);
    this.ended = true;
  }

  destroy(): void {
    this.destroyed = true;
  }

  stall(bytes: number): void {
    this.writableLength = bytes;
  }

  blocks(): SseBlock[] {
    return parseSse(Buffer.concat(this.chunks).toString()).blocks;
  }

  events() {
    return eventsOf(this.blocks());
  }

  /** Forgets what was written so far. */
  clear(): void {
    this.chunks.length = 0;
  }
}
