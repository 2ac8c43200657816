// A relay instance (`--relay`, FLAGSTAFF_ROLE=relay): no database, SDK endpoints only. Its whole state is
// the hub, loaded from the snapshots in Redis and moved forward by the change stream. On any gap (a version
// that skips, Redis restarted empty, its own restart) it reloads the snapshot and carries on from there.
import type { Logger } from '../log.js';
import type { StreamHub } from './hub.js';
import { KeyDirectory } from './key-directory.js';
import { RedisFollower } from './redis-follower.js';
import { connectRedis, RedisLog, type LogEntry } from './redis-log.js';

export interface RelayOptions {
  redisUrl: string;
  hub: StreamHub;
  log: Logger;
}

export class Relay {
  readonly directory: KeyDirectory;
  readonly #hub: StreamHub;
  readonly #commands: RedisLog;
  readonly #follower: RedisFollower;
  #loaded = false;

  constructor({ redisUrl, hub, log }: RelayOptions) {
    this.#hub = hub;
    this.#commands = new RedisLog(connectRedis(redisUrl, log, 'relay'));
    this.directory = new KeyDirectory(this.#commands);
    const reader = new RedisLog(connectRedis(redisUrl, log, 'relay-follower'));
    this.#follower = new RedisFollower(reader, { resync: () => this.#resync(reader), entry: (e) => this.#entry(e) }, log);
  }

  /** The snapshot source for the hub's gap recovery. */
  readonly loadSnapshot = (env: string) => this.#commands.readSnapshot(env);

  /** Has loaded state at least once; while Redis is away it keeps serving that state. */
  get ready(): boolean {
    return this.#loaded;
  }

  get connected(): boolean {
    return this.#commands.redis.status === 'ready';
  }

  start(): void {
    this.#follower.start();
  }

  async stop(): Promise<void> {
    await this.#follower.stop();
    this.#commands.redis.disconnect();
  }

  /**
   * After (re)connecting: reload keys and every environment's snapshot (adopted only when newer), then
   * read the whole retained stream; the hub drops what it already has and applies the rest in order.
   */
  async #resync(reader: RedisLog): Promise<string> {
    await this.directory.load(reader);
    for (const env of await reader.environments()) await this.#load(reader, env);
    this.#loaded = true;
    return '0-0';
  }

  async #load(reader: RedisLog, env: string): Promise<void> {
    const snapshot = await reader.readSnapshot(env);
    if (snapshot !== null) this.#hub.adopt(env, snapshot);
  }

  async #entry(entry: LogEntry): Promise<void> {
    if (entry.type === 'change') {
      // An environment we hold nothing for (created since we loaded): start from its snapshot.
      if (this.#hub.version(entry.change.env) === null) await this.#load(this.#commands, entry.change.env);
      this.#hub.ingest(entry.change);
    } else if (entry.type === 'snapshot') {
      if ((this.#hub.version(entry.env) ?? -1) < entry.version) await this.#load(this.#commands, entry.env);
    } else {
      this.directory.update(entry.hash, entry.key);
      if (entry.key.revoked) this.#hub.disconnectKey(entry.key.keyId);
    }
  }
}
