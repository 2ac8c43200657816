// A change as client (browser) keys see it: what they may see is snapshot-views.ts's clientView; this
// turns one change into the events that keep a client's copy of that view current, without rescanning
// the environment for every change.
import { segmentsNamedBy, type Flag, type Segment, type StreamEvent } from '@flagstaff/core';
import { changeEvent, type EnvChange } from '../store/changes.js';
import { clientSees as visible } from '../snapshot-views.js';

/** Where the segments of the state after a change are looked up (a Map will do). */
export interface SegmentLookup {
  get(key: string): Segment | undefined;
}

/**
 * Tracks which segments the client audience needs (a count of client-side flags naming each), so that a
 * change can be turned into client events without rescanning the environment.
 */
export class ClientView {
  readonly #refs = new Map<string, number>();

  constructor(flags: Iterable<Flag>) {
    for (const flag of flags) if (visible(flag)) for (const key of segmentsNamedBy(flag)) this.#retain(key);
  }

  needs(segmentKey: string): boolean {
    return this.#refs.has(segmentKey);
  }

  /**
   * The client events for `change`, which has just been applied to the server view (`segments` is the
   * state after it; `previous` is the changed flag as it was). Updates the tracked needs. Segments the
   * client newly needs come first, so a flag never arrives naming a segment the client lacks; segments no
   * longer needed are deleted after the flag that released them.
   */
  eventsFor(change: EnvChange, previous: Flag | undefined, segments: SegmentLookup): StreamEvent[] {
    const { version, kind, key } = change;
    if (kind === 'segment') return this.needs(key) ? [changeEvent(change)] : [];
    const before = visible(previous) ? previous : undefined;
    const after = visible(change.value as Flag | null) ? (change.value as Flag) : undefined;
    if (before === undefined && after === undefined) return [];

    const gained: string[] = [];
    const lost: string[] = [];
    if (after !== undefined) for (const k of segmentsNamedBy(after)) if (this.#retain(k)) gained.push(k);
    if (before !== undefined) for (const k of segmentsNamedBy(before)) if (this.#release(k)) lost.push(k);

    const events: StreamEvent[] = [];
    for (const k of gained) {
      const value = segments.get(k);
      if (value !== undefined) events.push({ type: 'patch', data: { version, kind: 'segment', key: k, value } });
    }
    events.push(
      after !== undefined
        ? { type: 'patch', data: { version, kind: 'flag', key, value: after } }
        : { type: 'delete', data: { version, kind: 'flag', key } },
    );
    for (const k of lost) events.push({ type: 'delete', data: { version, kind: 'segment', key: k } });
    return events;
  }

  /** Counts one more reference; true when the segment was not needed before. */
  #retain(key: string): boolean {
    const count = this.#refs.get(key) ?? 0;
    this.#refs.set(key, count + 1);
    return count === 0;
  }

  /** Counts one reference less; true when nothing needs the segment any more. */
  #release(key: string): boolean {
    const count = (this.#refs.get(key) ?? 1) - 1;
    if (count <= 0) this.#refs.delete(key);
    else this.#refs.set(key, count);
    return count <= 0;
  }
}
