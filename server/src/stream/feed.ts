// The seam between the store and streaming: the store announces each committed change here,
// after its transaction commits, and the hub (and the Redis publisher) fan it out.
import type { Flag, Segment, Snapshot } from '@flagstaff/core';

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
