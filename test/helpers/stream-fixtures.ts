// Flags, segments, changes and a fake connection for the streaming tests (server/src/stream, test/e2e).
import type { Flag, Segment, Snapshot } from '@flagstaff/core';
import type { EnvChange } from '../../server/src/store/changes.js';
import type { SseOutput } from '../../server/src/stream/subscriber.js';
import { eventsOf, parseSse, type SseBlock } from './sse.js';

export function flag(key: string, overrides: Partial<Flag> = {}): Flag {
  return {
    key,
    version: 1,
    kind: 'boolean',
    on: false,
    variations: [false, true],
    offVariation: 0,
    targets: [],
    rules: [],
    fallthrough: { variation: 1 },
    clientSide: false,
    ...overrides,
  };
}

/** A flag whose one rule matches members of `segments`. */
export function flagUsing(key: string, segments: string[], overrides: Partial<Flag> = {}): Flag {
  return flag(key, {
    rules: [{ id: 'in-segment', clauses: [{ attribute: '', op: 'segmentMatch', values: segments }], serve: { variation: 1 } }],
    ...overrides,
  });
}

export function segment(key: string, overrides: Partial<Segment> = {}): Segment {
  return { key, version: 1, included: [], excluded: [], rules: [], ...overrides };
}

export function snapshotOf(version: number, flags: Flag[], segments: Segment[] = []): Snapshot {
  return {
    version,
    flags: Object.fromEntries(flags.map((f) => [f.key, f])),
    segments: Object.fromEntries(segments.map((s) => [s.key, s])),
  };
}

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
