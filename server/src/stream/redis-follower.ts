// Follows the Redis change stream on a connection of its own (XREAD BLOCK holds it), handing each entry on
// in order. Whenever the connection is (re)established it first asks its owner to resync, since anything
// may have happened meanwhile, Redis itself restarting empty included.
import type { Logger } from '../log.js';
import type { LogEntry, RedisLog } from './redis-log.js';

export interface FollowerHandlers {
  /** Brings the owner's state up to date; returns the stream id to read after. */
  resync(): Promise<string>;
  entry(entry: LogEntry): Promise<void> | void;
}

export class RedisFollower {
  #stopped = false;
  #loop: Promise<void> | null = null;

  constructor(
    private readonly log: RedisLog,
    private readonly handlers: FollowerHandlers,
    private readonly logger: Logger,
    private readonly blockMs = 5000,
  ) {}

  start(): void {
    this.#loop ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.log.redis.disconnect();
    await this.#loop;
  }

  async #run(): Promise<void> {
    let after: string | null = null;
    let failures = 0;
    while (!this.#stopped) {
      try {
        // Commands fail at once until the connection is ready (no offline queue, redis-log.ts): wait for
        // it rather than fail, which at every start would warn of an interruption that never happened.
        if (!(await this.#connected())) continue;
        after ??= await this.handlers.resync();
        const entries = await this.log.read(after, this.blockMs);
        failures = 0;
        for (const { id, entry } of entries) {
          after = id;
          if (entry === null) this.logger.warn('ignored a malformed entry on the Redis change stream', { id });
          else await this.handlers.entry(entry);
        }
      } catch (error) {
        if (this.#stopped) break;
        // Lost the connection (ioredis reconnects by itself) or Redis refused: resync once it answers again.
        after = null;
        if (failures++ === 0) this.logger.warn('Redis change stream interrupted; will resync', { error: String(error) });
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * failures)));
      }
    }
  }

  /** Resolves true once the connection is ready, false if it ended or the follower stopped first. */
  #connected(): Promise<boolean> {
    const { redis } = this.log;
    if (redis.status === 'ready') return Promise.resolve(true);
    if (redis.status === 'end') return new Promise((resolve) => setTimeout(() => resolve(false), 100));
    return new Promise((resolve) => {
      const done = (ready: boolean) => {
        redis.off('ready', onReady);
        redis.off('end', onEnd);
        resolve(ready);
      };
      const onReady = () => done(true);
      const onEnd = () => done(false);
      redis.once('ready', onReady);
      redis.once('end', onEnd);
    });
  }
}
