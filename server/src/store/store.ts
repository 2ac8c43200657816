// The store: one SQLite file, its in-memory snapshots, and one object per resource. Everything that
// touches SQL lives under store/; routes call these methods and never see a query.
import type { Logger } from '../log.js';
import type { LocalChangeFeed } from '../stream/feed.js';
import { AlertEventStore } from './alert-events.js';
import { AuditStore } from './audit.js';
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
import { UsageStore } from './usage.js';
import { Writer, type Committed } from './write.js';

export interface StoreOptions {
  dbPath: string;
  feed: LocalChangeFeed;
  log: Logger;
  clock?: () => number;
  /** Told about every committed write (metrics). */
  onCommit?: (committed: Committed) => void;
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
  /** The current snapshot of every environment: the SnapshotSource of SDK routes and streaming. */
  readonly snapshots = new Snapshots();
  readonly #database: OpenedDatabase;
  #open = true;

  private constructor(options: StoreOptions) {
    const clock = options.clock ?? Date.now;
    this.#database = openDatabase(options.dbPath);
    const { db } = this.#database;
    const writer = new Writer(db, this.snapshots, options.feed, options.log, clock, options.onCommit);
    this.environments = new EnvironmentStore(db, writer, this.snapshots);
    this.flags = new FlagStore(db, writer);
    this.flagStates = new FlagStateStore(db, writer);
    this.segments = new SegmentStore(db, writer);
    this.keys = new KeyStore(db, writer, clock);
    this.audit = new AuditStore(db);
    this.usage = new UsageStore(db, clock);
    this.hooks = new HookStore(db, writer, clock);
    this.killRules = new KillRuleStore(db, writer);
    this.alertEvents = new AlertEventStore(db, writer);
    this.rolloutPlans = new RolloutPlanStore(db, writer);
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
    const row = findEnv(this.#database.db, env);
    const snapshot = row === undefined ? undefined : loadSnapshots(this.#database.db, row.id).get(env);
    if (snapshot === undefined) return null;
    this.snapshots.install(env, snapshot);
    return snapshot;
  }

  /** Open, and every committed migration applied: what /readyz reports. */
  ready(): boolean {
    return this.#open && migrationsApplied(this.#database.sqlite);
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#database.sqlite.close();
  }
}
