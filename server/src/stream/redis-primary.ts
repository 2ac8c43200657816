// Redis fan-out for an instance with the database (docs/scale-out.md). It publishes
// every change committed here, feeds every change committed elsewhere into its hub (and its store's
// snapshot), keeps the snapshot and SDK-key mirror in Redis current for relays, and re-seeds them whenever
// the connection comes back: SQLite stays the source of truth, so an outage loses nothing.
import { randomUUID } from 'node:crypto';
import type { Snapshot } from '@flagstaff/core';
import type { Logger } from '../log.js';
import type { ChangeFeed, EnvChange } from '../store/changes.js';
import type { StreamHub } from './hub.js';
import { KeyDirectory } from './key-directory.js';
import { RedisFollower } from './redis-follower.js';
import { connectRedis, RedisLog, type LogEntry, type MirroredKey } from './redis-log.js';

/** What the fan-out needs from the store. */
export interface PrimaryStore {
  environments(): string[];
  /** Re-reads one environment from the database and makes it the store's current snapshot. */
  reload(env: string): Snapshot | null;
  /** Moves the store's snapshot forward with a change another instance committed. */
  applyRemote(change: EnvChange): void;
  /** Every SDK key as the database holds it now, by hash. */
  sdkKeys(): Map<string, MirroredKey>;
  /** Another primary created or revoked a key: read the key table again now, not at the next poll. */
  keysChanged(): void;
}

export interface PrimaryFanoutOptions {
  redisUrl: string;
  hub: StreamHub;
  feed: ChangeFeed;
  store: PrimaryStore;
  log: Logger;
  /** At most one snapshot write per environment this often, so relays start from something recent. */
  snapshotIntervalMs?: number;
}

export class PrimaryFanout {
  /** Tells this instance's own entries apart on the shared stream. */
  readonly origin = randomUUID();
  readonly directory: KeyDirectory;
  readonly #options: PrimaryFanoutOptions;
  readonly #commands: RedisLog;
  readonly #follower: RedisFollower;
  readonly #snapshotTimers = new Map<string, NodeJS.Timeout>();
  /** Environments whose next snapshot must be announced: a change of theirs failed to publish. */
  readonly #unpublished = new Set<string>();
  #unsubscribe: (() => void) | null = null;

  constructor(options: PrimaryFanoutOptions) {
    this.#options = options;
    this.#commands = new RedisLog(connectRedis(options.redisUrl, options.log, 'publisher'));
    this.directory = new KeyDirectory(this.#commands);
    const reader = new RedisLog(connectRedis(options.redisUrl, options.log, 'follower'));
    this.#follower = new RedisFollower(reader, { resync: () => this.#resync(reader), entry: (e) => this.#entry(e) }, options.log);
    // Every (re)connection re-seeds Redis: it may have restarted empty, or missed our changes while away.
    this.#commands.redis.on('ready', () => void this.#reseed());
  }

  /** Redis reachable: what /readyz reports (writes commit anyway, but relays do not see them until it is back). */
  get ready(): boolean {
    return this.#commands.redis.status === 'ready';
  }

  start(): void {
    this.#unsubscribe ??= this.#options.feed.subscribe((change) => this.#publish(change));
    this.#follower.start();
  }

  async stop(): Promise<void> {
    this.#unsubscribe?.();
    for (const timer of this.#snapshotTimers.values()) clearTimeout(timer);
    this.#snapshotTimers.clear();
    await this.#follower.stop();
    this.#commands.redis.disconnect();
  }

  /** Mirrors a created or revoked SDK key for relays and the other primaries. */
  publishKey(hash: string, key: MirroredKey): void {
    this.#commands.publishKey(hash, key).catch((error: unknown) => {
      this.#options.log.warn('could not mirror an SDK key to Redis; it will be on reconnect', { keyId: key.keyId, error: String(error) });
    });
  }

  #publish(change: EnvChange): void {
    this.#commands.publishChange(change, this.origin).catch(() => this.#unpublished.add(change.env));
    this.#scheduleSnapshot(change.env);
  }

  #scheduleSnapshot(env: string): void {
    if (this.#snapshotTimers.has(env)) return;
    const timer = setTimeout(() => {
      this.#snapshotTimers.delete(env);
      void this.#writeSnapshot(env);
    }, this.#options.snapshotIntervalMs ?? 1000);
    timer.unref();
    this.#snapshotTimers.set(env, timer);
  }

  async #writeSnapshot(env: string): Promise<void> {
    const announce = this.#unpublished.delete(env);
    // A change that did not reach Redis is in no stream: relays learn of it only through an announced
    // snapshot, which must come from the database. Otherwise the hub's state is exact and cheaper.
    const snapshot = announce ? this.#options.store.reload(env) : this.#options.hub.snapshot(env);
    if (snapshot === null) return;
    try {
      await this.#commands.writeSnapshot(env, snapshot, announce);
    } catch {
      if (announce) this.#unpublished.add(env);
      this.#scheduleSnapshot(env);
    }
  }

  async #reseed(): Promise<void> {
    const { store, hub, log } = this.#options;
    try {
      for (const env of store.environments()) {
        const snapshot = store.reload(env);
        if (snapshot === null) continue;
        hub.adopt(env, snapshot);
        await this.#commands.writeSnapshot(env, snapshot, true);
        this.#unpublished.delete(env);
      }
      await this.#commands.mirrorKeys(store.sdkKeys());
    } catch (error) {
      log.warn('could not seed Redis; will retry on reconnect', { error: String(error) });
    }
  }

  /** After (re)connecting: catch up from the database, then follow the stream from its current end. */
  async #resync(reader: RedisLog): Promise<string> {
    const after = await reader.lastId();
    await this.directory.load(reader);
    const { store, hub } = this.#options;
    const envs = new Set([...store.environments(), ...(await reader.environments())]);
    for (const env of envs) {
      const snapshot = store.reload(env);
      if (snapshot !== null) hub.adopt(env, snapshot);
    }
    return after;
  }

  #entry(entry: LogEntry): void {
    const { store, hub } = this.#options;
    if (entry.type === 'change') {
      if (entry.origin === this.origin) return;
      store.applyRemote(entry.change);
      hub.ingest(entry.change);
    } else if (entry.type === 'snapshot') {
      if ((hub.version(entry.env) ?? -1) >= entry.version) return;
      const snapshot = store.reload(entry.env);
      if (snapshot !== null) hub.adopt(entry.env, snapshot);
    } else {
      this.directory.update(entry.hash, entry.key);
      store.keysChanged();
      if (entry.key.revoked) hub.disconnectKey(entry.key.keyId);
    }
  }
}
