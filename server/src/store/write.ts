// Every change goes through `Writer.write`: one SQLite transaction holding the change and its audit
// entries; environment versions bumped inside it; and only after COMMIT, the in-memory snapshots move
// forward and each EnvChange is published. A write that throws rolls back and publishes nothing.
import { eq, sql } from 'drizzle-orm';
import type { Flag, Segment } from '@flagstaff/core';
import { ApiError } from '../errors.js';
import type { Logger } from '../log.js';
import type { EnvChange, LocalChangeFeed } from '../stream/feed.js';
import type { Db } from './db.js';
import type { Actor, WriteMeta } from './resources.js';
import { auditLog, environments } from './schema.js';
import type { Snapshots } from './snapshots.js';

export interface AuditInput {
  action: string;
  env?: string;
  resource: { kind: string; key: string };
  before?: unknown;
  after?: unknown;
  /** Overrides the write's reason for this entry (an alert's resolution: why the flag was kept). */
  reason?: string;
}

/** What a committed write reports to observers (metrics). */
export interface Committed {
  actor: Actor;
  audits: AuditInput[];
  changes: EnvChange[];
}

export interface Tx {
  db: Db;
  /** The one timestamp of this write, in ms. */
  now: number;
  meta: WriteMeta;
  audit(entry: AuditInput): void;
  /** Records that `key` changed in `env` (null: it left the snapshot); bumps and returns the env version. */
  change(env: { id: number; key: string }, kind: 'flag' | 'segment', key: string, value: Flag | Segment | null): number;
  /** Runs after COMMIT, before changes are published (e.g. installing a new environment's snapshot). */
  afterCommit(fn: () => void): void;
}

export class Writer {
  constructor(
    private readonly db: Db,
    private readonly snapshots: Snapshots,
    private readonly feed: LocalChangeFeed,
    private readonly log: Logger,
    private readonly clock: () => number,
    private readonly onCommit: (committed: Committed) => void = () => {},
  ) {}

  write<T>(meta: WriteMeta, fn: (tx: Tx) => T): T {
    const audits: AuditInput[] = [];
    const changes: EnvChange[] = [];
    const after: Array<() => void> = [];
    const now = this.clock();
    // BEGIN IMMEDIATE: the write lock is taken before anything is read. With SQLite's default (deferred),
    // two processes sharing the file (scale-out.md) both read version N, and the second's upgrade to a
    // writer fails at once with SQLITE_BUSY (a 500), instead of waiting its turn and finding N stale (409).
    const result = this.db.transaction((db) =>
      fn({
        db,
        now,
        meta,
        audit: (entry) => {
          audits.push(entry);
          db.insert(auditLog)
            .values({
              at: now,
              actorKind: meta.actor.kind,
              actorId: meta.actor.id,
              actorName: meta.actor.name,
              action: entry.action,
              env: entry.env ?? null,
              resourceKind: entry.resource.kind,
              resourceKey: entry.resource.key,
              reason: entry.reason ?? meta.reason ?? null,
              before: entry.before ?? null,
              after: entry.after ?? null,
            })
            .run();
        },
        change: (env, kind, key, value) => {
          const row = db
            .update(environments)
            .set({ version: sql`${environments.version} + 1` })
            .where(eq(environments.id, env.id))
            .returning({ version: environments.version })
            .get();
          if (!row) throw new Error(`environment ${env.key} vanished inside a transaction`);
          changes.push({ env: env.key, version: row.version, kind, key, value });
          return row.version;
        },
        afterCommit: (fn) => after.push(fn),
      }),
      { behavior: 'immediate' },
    );
    for (const fn of after) fn();
    for (const change of changes) this.snapshots.apply(change);
    for (const change of changes) {
      // The change is committed whatever a listener does; a throwing listener must not turn it into a 500.
      try {
        this.feed.publish(change);
      } catch (error) {
        this.log.error('change listener failed', { env: change.env, kind: change.kind, key: change.key, error });
      }
    }
    this.onCommit({ actor: meta.actor, audits, changes });
    return result;
  }
}

/** The `If-Match` check: a stale version is a 409 that names the version to re-read. */
export function checkVersion(current: number, ifMatch: number | undefined, what: string): void {
  if (ifMatch !== undefined && ifMatch !== current) {
    throw new ApiError('version_conflict', `${what} is at version ${current}, not ${ifMatch}: it changed since it was read; read it again`, {
      currentVersion: current,
    });
  }
}
