// Every change goes through `Writer.write`: one SQLite transaction holding the change and its audit
// entries; environment versions bumped inside it; and only after COMMIT, the in-memory snapshots move
// forward and each EnvChange is published. A write that throws rolls back and publishes nothing. A store
// whose file went away (database-file.ts) refuses every write before it starts.
import { eq, sql } from 'drizzle-orm';
import type { Flag, Segment } from '@flagstaff/core';
import { ApiError } from '../errors.js';
import type { Logger } from '../log.js';
import type { EnvChange, LocalChangeFeed } from './changes.js';
import type { DatabaseFile } from './database-file.js';
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

export interface WriterHooks {
  /** Told about every committed write (metrics, key fan-out). */
  onCommit?: (committed: Committed) => void;
  /** The file written to: no write starts while it is lost. */
  file?: DatabaseFile;
  /** Re-reads one environment's snapshot from the database (store.ts). */
  reload?: (env: string) => void;
}

/**
 * Told about every audit entry inside its transaction, after the entry's row is written: what it writes
 * commits or rolls back with the change (the notification outbox, notify/outbox.ts). A throw rolls it back.
 */
export type AuditListener = (tx: Tx, entry: AuditInput) => void;

export class Writer {
  constructor(
    private readonly db: Db,
    private readonly snapshots: Snapshots,
    private readonly feed: LocalChangeFeed,
    private readonly log: Logger,
    private readonly clock: () => number,
    private readonly hooks: WriterHooks = {},
  ) {}

  #auditListener: AuditListener | undefined;

  /** Sets the one listener told about audit entries inside their transaction. */
  onAudit(listener: AuditListener | undefined): void {
    this.#auditListener = listener;
  }

  /** Why writes are refused right now (the file went away), or null. */
  get lost(): string | null {
    return this.hooks.file?.lost ?? null;
  }

  write<T>(meta: WriteMeta, fn: (tx: Tx) => T): T {
    this.hooks.file?.assertWritable();
    const audits: AuditInput[] = [];
    const changes: EnvChange[] = [];
    const after: Array<() => void> = [];
    const now = this.clock();
    // BEGIN IMMEDIATE: the write lock is taken before anything is read. With SQLite's default (deferred),
    // two processes sharing the file (scale-out.md) both read version N, and the second's upgrade to a
    // writer fails at once with SQLITE_BUSY (a 500), instead of waiting its turn and finding N stale (409).
    const result = this.db.transaction(
      (db) => {
        const tx: Tx = {
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
            this.#auditListener?.(tx, entry);
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
        };
        return fn(tx);
      },
      { behavior: 'immediate' },
    );
    for (const fn of after) fn();
    const reread = new Set<string>();
    for (const change of changes) {
      const held = this.snapshots.snapshot(change.env);
      // Another instance sharing the file committed to this environment since we last read it: the held
      // snapshot lacks that change, so it is read again rather than moved forward (streaming catches its
      // clients up from it on the next commit-watcher tick, docs/scale-out.md).
      if (held !== null && held.version !== change.version - 1 && this.hooks.reload) reread.add(change.env);
      if (reread.has(change.env)) continue;
      this.snapshots.apply(change);
    }
    for (const env of reread) this.hooks.reload!(env);
    for (const change of changes) {
      // The change is committed whatever a listener does; a throwing listener must not turn it into a 500.
      try {
        this.feed.publish(change);
      } catch (error) {
        this.log.error('change listener failed', { env: change.env, kind: change.kind, key: change.key, error });
      }
    }
    this.hooks.onCommit?.({ actor: meta.actor, audits, changes });
    return result;
  }
}

/** The `If-Match` check: a stale version is a 409 that names the version to re-read. */
export function checkVersion(current: number, ifMatch: number | undefined, what: string): void {
  if (ifMatch !== undefined && ifMatch !== current) {
    throw new ApiError(
      'version_conflict',
      `${what} is at version ${current}, not ${ifMatch}: it changed since it was read; read it again`,
      {
        currentVersion: current,
      },
    );
  }
}
