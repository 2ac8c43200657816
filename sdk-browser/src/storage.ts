// The last snapshot the server sent, kept in localStorage so that a returning visitor's first render
// already shows known values instead of defaults. It holds only what the client key received (client-side
// flags and the segments they name), which this browser has seen anyway.

/** Bump when the stored shape changes: entries written by another format are then never read. */
const PREFIX = 'flagstaff:v1:';

/** Where snapshots are kept; `localStorage` by default. */
export type SnapshotStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** localStorage, or null where it is missing or forbidden (reading the property itself throws then). */
export function defaultStore(): SnapshotStore | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/**
 * The cached snapshot for a client key, parsed but unchecked (FlagSync checks it): undefined when there is
 * none, null when the entry cannot be read (not JSON), which FlagSync refuses like any other bad shape.
 */
export function readSnapshot(store: SnapshotStore | null, clientKey: string): unknown {
  try {
    const text = store?.getItem(PREFIX + clientKey);
    return text ? JSON.parse(text) : undefined;
  } catch {
    return null;
  }
}

/** Stores a snapshot; a full or forbidden storage only costs the next visit its head start. */
export function writeSnapshot(store: SnapshotStore | null, clientKey: string, snapshot: unknown): void {
  try {
    if (snapshot === undefined) store?.removeItem(PREFIX + clientKey);
    else store?.setItem(PREFIX + clientKey, JSON.stringify(snapshot));
  } catch {
    // Quota exceeded or storage disabled: nothing to do.
  }
}
