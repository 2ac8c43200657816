// The one snapshot-apply routine (STYLE.md, habit 3): an environment's state, prepared for evaluation,
// and how `put`, `patch` and `delete` events move it forward. States are immutable: applying an event
// returns a new state that shares every prepared flag the event did not touch, so a reader holding the
// old state keeps a consistent view, and "which flags changed" is an identity comparison.
import { isFlag, isSegment, isSnapshot } from './guard.js';
import type { Flag, Segment, Snapshot } from './model.js';
import { prepareFlag, prepareSegment, type PreparedFlag, type PreparedSegment } from './prepare.js';
import type { DeleteEvent, PatchEvent, StreamEvent } from './protocol.js';

export interface PreparedSnapshot {
  /** The environment version this state reflects (the last applied event's id). */
  readonly version: number;
  /** The snapshot as received, kept current with every applied patch and delete. */
  readonly raw: Snapshot;
  readonly flags: ReadonlyMap<string, PreparedFlag>;
  readonly segments: ReadonlyMap<string, PreparedSegment>;
}

const EMPTY: PreparedSnapshot = {
  version: 0,
  raw: { version: 0, flags: {}, segments: {} },
  flags: new Map(),
  segments: new Map(),
};

/**
 * Prepares `snapshot`, reusing what `previous` already prepared for items whose version is unchanged
 * (a version names one content: the server bumps it on every change).
 */
function prepare(snapshot: Snapshot, previous: PreparedSnapshot | null): PreparedSnapshot {
  if (!isSnapshot(snapshot)) throw new TypeError('not a flag snapshot (validateSnapshot tells what is wrong)');
  const segments = new Map<string, PreparedSegment>();
  for (const key of Object.keys(snapshot.segments)) {
    const segment = snapshot.segments[key]!;
    const held = previous?.segments.get(key);
    segments.set(key, held !== undefined && held.raw.version === segment.version ? held : prepareSegment(segment));
  }
  const flags = new Map<string, PreparedFlag>();
  for (const key of Object.keys(snapshot.flags)) {
    const flag = snapshot.flags[key]!;
    const held = previous?.flags.get(key);
    const reusable =
      held !== undefined &&
      held.raw.version === flag.version &&
      held.segmentKeys.every((k) => segments.get(k) === previous!.segments.get(k));
    flags.set(key, reusable ? held : prepareFlag(flag, segments));
  }
  return { version: snapshot.version, raw: snapshot, flags, segments };
}

/** Prepares a snapshot for evaluation; throws a TypeError when it is not snapshot-shaped (see isSnapshot). */
export function prepareSnapshot(snapshot: Snapshot): PreparedSnapshot {
  return prepare(snapshot, null);
}

/** A copy of `record` with `key` set to `value`, or removed when `value` is undefined. */
function withEntry<T>(record: Record<string, T>, key: string, value: T | undefined): Record<string, T> {
  // Spread and computed keys define own properties, so a key such as "__proto__" stays plain data.
  const copy = { ...record, [key]: value as T };
  if (value === undefined) delete copy[key];
  return copy;
}

/** Sets (or, with `value` undefined, deletes) one flag or segment, unless the event is stale. */
function applyItem(
  state: PreparedSnapshot | null,
  version: number,
  kind: 'flag' | 'segment',
  key: string,
  value: Flag | Segment | undefined,
): PreparedSnapshot {
  if (state !== null) {
    const held = (kind === 'flag' ? state.flags : state.segments).get(key);
    if (version <= state.version || (value && held && value.version <= held.raw.version)) return state;
  }
  const base = state ?? EMPTY;
  const flags = new Map(base.flags);
  const segments = new Map(base.segments);
  const raw = { ...base.raw, version };
  if (kind === 'flag') {
    if (value) flags.set(key, prepareFlag(value as Flag, segments));
    else flags.delete(key);
    raw.flags = withEntry(raw.flags, key, value as Flag | undefined);
  } else {
    if (value) segments.set(key, prepareSegment(value as Segment));
    else segments.delete(key);
    raw.segments = withEntry(raw.segments, key, value as Segment | undefined);
    // Flags hold their segments directly (no lookup per evaluation), so the flags naming this one are
    // prepared again; every other flag is shared with the previous state.
    for (const [flagKey, flag] of base.flags) {
      if (flag.segmentKeys.includes(key)) flags.set(flagKey, prepareFlag(flag.raw, segments));
    }
  }
  return { version, raw, flags, segments };
}

function applyPatch(state: PreparedSnapshot | null, patch: PatchEvent): PreparedSnapshot {
  const { version, kind, key, value } = patch ?? {};
  const shaped = kind === 'flag' ? isFlag(value) : kind === 'segment' && isSegment(value);
  if (!shaped || typeof version !== 'number' || value.key !== key) throw new TypeError('malformed patch event');
  return applyItem(state, version, kind, key, value);
}

function applyDelete(state: PreparedSnapshot | null, event: DeleteEvent): PreparedSnapshot {
  const { version, kind, key } = event ?? {};
  if (typeof version !== 'number' || typeof key !== 'string' || (kind !== 'flag' && kind !== 'segment')) {
    throw new TypeError('malformed delete event');
  }
  return applyItem(state, version, kind, key, undefined);
}

/**
 * Applies a stream event by version. Returns the new state (re-preparing only the changed flag or
 * segment and the flags naming a changed segment), or the SAME state object when the event is stale:
 * a put older than the held version, a patch or delete whose version is not newer than the held one,
 * a patch whose item version is not newer than the held item's.
 *
 * Before any put (`state` null), patches and deletes apply to an empty snapshot; readiness is the
 * caller's to track. A malformed event (wrong shape for its type) throws a TypeError and changes nothing.
 */
export function applyEvent(state: PreparedSnapshot | null, event: StreamEvent): PreparedSnapshot {
  switch (event.type) {
    case 'put':
      if (state !== null && typeof event.data?.version === 'number' && event.data.version < state.version) {
        return state;
      }
      return prepare(event.data, state);
    case 'patch':
      return applyPatch(state, event.data);
    case 'delete':
      return applyDelete(state, event.data);
    default:
      throw new TypeError(`unknown stream event type ${JSON.stringify((event as { type: unknown }).type)}`);
  }
}

/** The flag keys whose evaluation may differ between two states, sorted: for SDK `change` events. */
export function changedFlagKeys(before: PreparedSnapshot | null, after: PreparedSnapshot): string[] {
  const changed: string[] = [];
  for (const [key, flag] of after.flags) if (before?.flags.get(key) !== flag) changed.push(key);
  if (before !== null) for (const key of before.flags.keys()) if (!after.flags.has(key)) changed.push(key);
  return changed.sort();
}
