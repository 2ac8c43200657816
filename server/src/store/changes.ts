// What the store announces after each commit, and the one way a change becomes a stream event and moves
// a snapshot forward. The store owns these types: streaming (the hub, the Redis publisher), the rollout
// scheduler and the HTTP layer import them from here, and the store imports none of them.
import type { Flag, Segment, Snapshot, StreamEvent } from '@flagstaff/core';

/** One committed change in one environment, in the full (server-key) view. */
export interface EnvChange {
  env: string;
  /** The environment version after this change: the SSE event id. */
  version: number;
  kind: 'flag' | 'segment';
  key: string;
  /** The new value as SDKs receive it; null when it left the environment's snapshot (archived, deleted). */
  value: Flag | Segment | null;
}

/** The `patch` or `delete` event of a change, in the full (server-key) view. */
export function changeEvent(change: EnvChange): StreamEvent {
  const { version, kind, key, value } = change;
  if (value === null) return { type: 'delete', data: { version, kind, key } };
  return kind === 'flag'
    ? { type: 'patch', data: { version, kind, key, value: value as Flag } }
    : { type: 'patch', data: { version, kind, key, value: value as Segment } };
}

/**
 * `snapshot` with the changed flag or segment replaced or removed, at the change's version: a new object,
 * so that a snapshot handed out earlier stays as it was. The caller applies changes in version order.
 */
export function applyChange(snapshot: Snapshot, change: EnvChange): Snapshot {
  const field = change.kind === 'flag' ? 'flags' : 'segments';
  const items: Record<string, unknown> = { ...snapshot[field] };
  if (change.value === null) delete items[change.key];
  else items[change.key] = change.value;
  return { ...snapshot, version: change.version, [field]: items };
}

export type ChangeListener = (change: EnvChange) => void;

/** Where committed changes come from: the local store, or Redis on a relay. */
export interface ChangeFeed {
  subscribe(listener: ChangeListener): () => void;
}

/** Where full environment state comes from, for `put` events and `GET /sdk/v1/flags`. */
export interface SnapshotSource {
  /** The full (server-key) snapshot of one environment, or null if the environment does not exist. */
  snapshot(env: string): Snapshot | null;
}

/** A minimal in-process feed: the store publishes into it, subscribers hear every change in order. */
export class LocalChangeFeed implements ChangeFeed {
  readonly #listeners = new Set<ChangeListener>();

  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(change: EnvChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}
