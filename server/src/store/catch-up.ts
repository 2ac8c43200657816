// What other instances sharing the database committed, read back from the database when the commit watcher
// says they committed something (commit-watcher.ts). The database is the only thing trusted: environment
// versions, snapshots and keys are read from it, and the in-memory state moves to match. An environment
// that moved by exactly one version gets back the one change that was made, so streams send it as the
// patch it was (and clients can still resume from their replay log); one that moved further gets its whole
// new state, sent as a `put`.
import type { Snapshot } from '@flagstaff/core';
import type { EnvChange } from './changes.js';
import type { Db } from './db.js';
import type { KeyRecord, KeyStore } from './keys.js';
import { environments } from './schema.js';
import { loadSnapshots } from './snapshot-load.js';
import type { Snapshots } from './snapshots.js';

export type EnvCaughtUp = { env: string; change: EnvChange } | { env: string; snapshot: Snapshot };

export interface CaughtUp {
  /** Environments whose state moved, in the store's snapshots already. */
  environments: EnvCaughtUp[];
  /** Keys created or revoked elsewhere, in the key store already. */
  keys: KeyRecord[];
}

/** The one change that turns `held` into `fresh`, when `fresh` is the next version and exactly one item differs. */
export function singleChange(env: string, held: Snapshot, fresh: Snapshot): EnvChange | null {
  if (fresh.version !== held.version + 1) return null;
  let found: EnvChange | null = null;
  for (const [kind, field] of [
    ['flag', 'flags'],
    ['segment', 'segments'],
  ] as const) {
    const before: Record<string, { version: number }> = held[field];
    const after: Record<string, { version: number }> = fresh[field];
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      // Every change of a flag or segment bumps its own version: an equal version is the same item.
      if (before[key] !== undefined && before[key].version === after[key]?.version) continue;
      if (found !== null) return null;
      found = { env, version: fresh.version, kind, key, value: (after[key] as EnvChange['value'] | undefined) ?? null };
    }
  }
  return found;
}

export function catchUp(db: Db, snapshots: Snapshots, keys: KeyStore): CaughtUp {
  const moved: EnvCaughtUp[] = [];
  const rows = db.select({ id: environments.id, key: environments.key, version: environments.version }).from(environments).all();
  for (const row of rows) {
    const held = snapshots.snapshot(row.key);
    if (held?.version === row.version) continue;
    const fresh = loadSnapshots(db, row.id).get(row.key);
    if (fresh === undefined) continue;
    const change = held === null ? null : singleChange(row.key, held, fresh);
    if (change !== null) {
      // Moves the evaluation-ready form forward too, as for our own commits.
      snapshots.apply(change);
      moved.push({ env: row.key, change });
    } else {
      snapshots.install(row.key, fresh);
      moved.push({ env: row.key, snapshot: fresh });
    }
  }
  return { environments: moved, keys: keys.refresh() };
}
