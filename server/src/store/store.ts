// The store: one SQLite file, its in-memory snapshots, and one object per resource. Everything that
// touches SQL lives under store/; routes call these methods and never see a query. Other instances may
// share the file: `watchCommits` follows their commits (commit-watcher.ts, catch-up.ts) and notices the
// file itself going away (database-file.ts).
import type { Logger } from '../log.js';
import type { LocalChangeFeed } from './changes.js';
import { AlertEventStore } from './alert-events.js';
import { AuditStore } from './audit.js';
import { catchUp, type CaughtUp } from './catch-up.js';
import { SqliteCommitWatcher, type CommitWatcher } from './commit-watcher.js';
import { DatabaseFile } from './database-file.js';
import { migrationsApplied, openDatabase, type OpenedDatabase } from './db.js';
import type { Snapshot } from '@flagstaff/core';
import { EnvironmentStore, findEnv } from './environments.js';
import { FlagStateStore } from './flag-states.js';
import { FlagStore } from './flags.js';
import { HookStore } from './hooks.js';
import { KeyStore } from './keys.js';
import { KillRuleStore } from './kill-rules.js';
import type { Actor } from './resources.js';
import { SegmentStore } from './segments.js';
import { RolloutPlanStore } from './rollout-plans.js';
import { loadSnapshots } from './snapshot-load.js';
import { Snapshots } from './snapshots.js';
import { NotificationStore } from './notifications.js';
import { UsageStore } from './usage.js';
import { Writer, type AuditListener, type Committed } from './write.js';

export interface StoreOptions {
  dbPath: string;
  feed: LocalChangeFeed;
  log: Logger;
  clock?: () => number;
  /** Told about every committed write (metrics). */
  onCommit?: (committed: Committed) => void;
}

export interface CommitWatchOptions {
  /** How often the file is looked at (FLAGSTAFF_DB_POLL_MS). */
  intervalMs: number;
  /** What another instance's commits changed, once the store has taken it in. */
  caughtUp: (caughtUp: CaughtUp) => void;
}

/** The actor of what the server does by itself. */
export const SYSTEM_ACTOR: Actor = { kind: 'system', id: 'system', name: 'flagstaff-server' };

export class Store {
  readonly environments: EnvironmentStore;
  readonly flags: FlagStore;
  readonly flagStates: FlagStateStore;
  readonly segments: SegmentStore;
  readonly keys: KeyStore;
  readonly audit: AuditStore;
  readonly usage: UsageStore;
  readonly hooks: HookStore;
  readonly killRules: KillRuleStore;
  readonly alertEvents: AlertEventStore;
  readonly rolloutPlans: RolloutPlanStore;
  readonly notifications: NotificationStore;
  /** The current snapshot of every environment: the SnapshotSource of SDK routes and streaming. */
  readonly snapshots = new Snapshots();
  readonly #database: OpenedDatabase;
  readonly #file: DatabaseFile;
  readonly #log: Logger;
  readonly #writer: Writer;
  #watcher: CommitWatcher | undefined;
  #open = true;

  private constructor(options: StoreOptions) {
    const clock = options.clock ?? Date.now;
    this.#log = options.log;
    this.#database = openDatabase(options.dbPath);
    this.#file = new DatabaseFile(options.dbPath);
    const { db } = this.#database;
    const writer = new Writer(db, this.snapshots, options.feed, options.log, clock, {
      onCommit: options.onCommit,
      file: this.#file,
      reload: (env) => this.reloadSnapshot(env),
    });
    this.environments = new EnvironmentStore(db, writer, this.snapshots);
    this.flags = new FlagStore(db, writer);
    this.flagStates = new FlagStateStore(db, writer);
    this.segments = new SegmentStore(db, writer);
    this.keys = new KeyStore(db, writer, clock);
    this.audit = new AuditStore(db);
    this.usage = new UsageStore(db, clock, this.#file);
    this.hooks = new HookStore(db, writer, clock);
    this.killRules = new KillRuleStore(db, writer);
    this.alertEvents = new AlertEventStore(db, writer);
    this.rolloutPlans = new RolloutPlanStore(db, writer);
    this.notifications = new NotificationStore(db, writer, clock);
    this.#writer = writer;
  }

  /** Sets who is told about each audit entry inside its transaction (the notification outbox, notify/outbox.ts). */
  onAudit(listener: AuditListener | undefined): void {
    this.#writer.onAudit(listener);
  }

  /** Opens (creating and migrating if needed) the database, seeds a new one, and loads every snapshot. */
  static open(options: StoreOptions): Store {
    const store = new Store(options);
    store.environments.seedDefaults({ actor: SYSTEM_ACTOR });
    for (const [env, snapshot] of loadSnapshots(store.#database.db)) store.snapshots.install(env, snapshot);
    return store;
  }

  /**
   * Re-reads one environment from the database and installs it as the current snapshot: another
   * instance sharing the file committed to it (stream/redis-primary.ts). Null if it does not exist.
   */
  reloadSnapshot(env: string): Snapshot | null {
    // A lost file still reads through the open handle, but what it holds is no longer the truth: keep
    // serving what is held rather than anything read from it.
    if (this.#file.lost !== null) return this.snapshots.snapshot(env);
    const row = findEnv(this.#database.db, env);
    const snapshot = row === undefined ? undefined : loadSnapshots(this.#database.db, row.id).get(env);
    if (snapshot === undefined) return null;
    this.snapshots.install(env, snapshot);
    return snapshot;
  }

  /**
   * Reads what other instances committed to the file (every key, every environment that moved) and takes
   * it in; the commit watcher calls this, and so may anyone who knows the file changed.
   */
  catchUp(): CaughtUp {
    // What a lost file holds is no longer the truth (see reloadSnapshot).
    if (this.#file.lost !== null) return { environments: [], keys: [] };
    return catchUp(this.#database.db, this.snapshots, this.keys);
  }

  /** Starts following other instances' commits and the file's identity; stopped by `close`. */
  watchCommits({ intervalMs, caughtUp }: CommitWatchOptions): void {
    if (this.#watcher !== undefined || !this.#open) return;
    const watcher = (this.#watcher = new SqliteCommitWatcher(this.#database.sqlite, this.#file, intervalMs));
    watcher.start({
      committed: () => {
        try {
          caughtUp(this.catchUp());
        } catch (error) {
          // SQLITE_BUSY past the timeout, say: the next commit, or the next tick that sees one, tries again.
          this.#log.warn('could not read what other instances committed; will retry', { error: String(error) });
        }
      },
      lostChanged: (reason) => {
        if (reason !== null) {
          this.#log.error(`${reason}: refusing writes, serving the last state; restore the file or restart`, { db: this.#file.path });
        } else {
          this.#log.info('the database file is back where it was opened: accepting writes again', { db: this.#file.path });
          caughtUp(this.catchUp());
        }
      },
    });
  }

  /** Null when open, migrated and still on the file it opened: otherwise why not (what /readyz reports). */
  problem(): string | null {
    if (!this.#open) return 'the store is closed';
    if (this.#file.lost !== null) return `${this.#file.lost}: writes are refused`;
    if (!migrationsApplied(this.#database.sqlite)) return 'the store is not migrated';
    return null;
  }

  /** Open, and every committed migration applied, on the file it opened. */
  ready(): boolean {
    return this.problem() === null;
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#watcher?.stop();
    this.#database.sqlite.close();
  }
}
