// The streaming hub: one channel per environment, fed by the local store and (with Redis) by the other
// instances. Changes may arrive twice or out of order when several feeds meet; the hub applies each version
// exactly once and in order, so a client only ever moves through states the environment really had.
import { snapshotChecksum, type Snapshot } from '@flagstaff/core';
import type { SdkStreamIdentity } from '@flagstaff/core/admin';
import { STREAM_DEFAULTS } from '../config.js';
import { EnvChannel, type ChannelOptions } from './channel.js';
import type { Audience } from '../snapshot-views.js';
import type { ChangeFeed, EnvChange, SnapshotSource } from '../store/changes.js';
import { jitteredRetry, retryFrame } from './frames.js';
import { StreamMetrics, type ConnectionCount } from './metrics.js';
import { ReachBook, type ReachOptions } from './reach.js';
import { Subscriber, type SseOutput } from './subscriber.js';

export interface HubOptions {
  /** Where a channel's first state comes from (the store on a primary). */
  source: SnapshotSource;
  /** Where a fresh state comes from after a gap that did not fill; defaults to `source`. */
  resync?: (env: string) => Promise<Snapshot | null> | Snapshot | null;
  /** Changes held per environment for resuming clients. */
  logCapacity?: number;
  heartbeatMs?: number;
  /** Reconnect delay hinted to clients (`retry:`), jittered ±50% per client. */
  retryMs?: number;
  /** Bytes a connection may have queued before it is dropped. */
  maxBufferedBytes?: number;
  /** How long a missing version may stay missing before the hub resyncs from a snapshot. */
  gapTimeoutMs?: number;
  checksum?: (snapshot: Snapshot) => string;
  /** Propagation reports: how many are held, and the deadline a change has to reach every stream. */
  reach?: ReachOptions;
}

export interface Connection {
  env: string;
  audience: Audience;
  keyId: string;
  lastEventId: number | null;
  /** What the SDK said it is and where it connects from (reach.ts reports it). */
  identity?: SdkStreamIdentity;
}

/** The documented defaults of the server's settings (config.ts), for a hub built without them. */
const { logCapacity, heartbeatMs, retryMs, maxBufferedBytes, gapTimeoutMs } = STREAM_DEFAULTS;
export const HUB_DEFAULTS = { logCapacity, heartbeatMs, retryMs, maxBufferedBytes, gapTimeoutMs };

export class StreamHub implements SnapshotSource {
  readonly metrics = new StreamMetrics();
  readonly reach: ReachBook;
  readonly #options: Required<Omit<HubOptions, 'resync' | 'reach'>> & Pick<HubOptions, 'resync'>;
  readonly #channels = new Map<string, EnvChannel>();
  /** Changes that arrived ahead of a missing version, per environment. */
  readonly #pending = new Map<string, Map<number, EnvChange>>();
  readonly #gapTimers = new Map<string, NodeJS.Timeout>();
  readonly #channelOptions: ChannelOptions;
  readonly #heartbeat: NodeJS.Timeout;
  #closing = false;

  constructor(options: HubOptions) {
    this.#options = { ...HUB_DEFAULTS, checksum: snapshotChecksum, ...options };
    this.reach = new ReachBook(options.reach);
    const { logCapacity, checksum } = this.#options;
    this.#channelOptions = { logCapacity, checksum, metrics: this.metrics, reach: this.reach };
    this.#heartbeat = setInterval(() => this.#beat(), this.#options.heartbeatMs);
    this.#heartbeat.unref();
  }

  /** True once shutdown has begun: new streams are refused so clients go elsewhere. */
  get closing(): boolean {
    return this.#closing;
  }

  get connectionCount(): number {
    let count = 0;
    for (const channel of this.#channels.values()) count += channel.connections;
    return count;
  }

  follow(feed: ChangeFeed): () => void {
    return feed.subscribe((change) => this.ingest(change));
  }

  /** Takes one committed change from any feed: applied in version order, once. */
  ingest(change: EnvChange): void {
    const channel = this.#channel(change.env);
    if (channel === null || change.version <= channel.version) return;
    if (change.version > channel.version + 1) {
      this.#hold(change);
      return;
    }
    channel.apply(change);
    this.#drain(channel);
  }

  /** Takes a whole state (a relay's snapshot from Redis, a resync): adopted when newer than what is held. */
  adopt(env: string, snapshot: Snapshot): boolean {
    const channel = this.#channels.get(env);
    if (channel === undefined) {
      this.#channels.set(env, new EnvChannel(env, snapshot, this.#channelOptions));
    } else if (snapshot.version > channel.version) {
      channel.reset(snapshot);
    } else {
      return false;
    }
    this.#drain(this.#channels.get(env)!);
    return true;
  }

  /** The current version held for `env`, or null when the hub holds nothing for it. */
  version(env: string): number | null {
    return this.#channels.get(env)?.version ?? null;
  }

  snapshot(env: string): Snapshot | null {
    return this.#channels.get(env)?.snapshot() ?? null;
  }

  /**
   * Registers a connection and writes what it needs first: a jittered `retry:`, then a `put` or the changes
   * it missed since `lastEventId` (a heartbeat when it missed nothing, so it can check its state at once).
   * Null when the environment does not exist.
   */
  connect(out: SseOutput, connection: Connection): Subscriber | null {
    const channel = this.#channel(connection.env);
    if (channel === null) return null;
    const { env, audience, keyId, lastEventId, identity } = connection;
    const retry = retryFrame(jitteredRetry(this.#options.retryMs));
    const frames = channel.catchUp(audience, lastEventId);
    if (frames.length === 0) frames.push(channel.heartbeatFrame(audience));
    // A put may alone exceed the limit (a large environment): a connection is behind only by what piles up
    // after its first frames, or every client on a slow link would be dropped on arrival, again and again.
    const arrival = frames.reduce((bytes, frame) => bytes + frame.length, retry.length);
    const subscriber = new Subscriber(out, env, audience, keyId, this.#options.maxBufferedBytes + arrival, identity);
    out.write(retry);
    for (const frame of frames) subscriber.send(frame);
    this.metrics.sent(env, frames.length);
    if (subscriber.open) channel.subscribers[audience].add(subscriber);
    return subscriber;
  }

  disconnect(subscriber: Subscriber): void {
    subscriber.closed();
    this.#channels.get(subscriber.env)?.subscribers[subscriber.audience].delete(subscriber);
  }

  /** Ends the streams of a revoked key; its clients get 204 when they try again. */
  disconnectKey(keyId: string): void {
    for (const subscriber of this.#subscribers()) {
      if (subscriber.keyId !== keyId) continue;
      subscriber.end();
      this.disconnect(subscriber);
    }
  }

  connections(): ConnectionCount[] {
    const counts: ConnectionCount[] = [];
    for (const [env, channel] of this.#channels) {
      for (const audience of ['server', 'client'] as const) {
        counts.push({ env, audience, count: channel.subscribers[audience].size });
      }
    }
    return counts;
  }

  metricsText(): string {
    return this.metrics.render(this.connections()) + this.reach.metricsText();
  }

  /**
   * Graceful shutdown: refuses new streams, then ends every open one with a jittered `retry:` at a random
   * moment within `windowMs`, so that clients come back (to another instance) spread out, not all at once.
   */
  shutdown(windowMs = 2000): Promise<void> {
    this.stop();
    this.#closing = true;
    const subscribers = [...this.#subscribers()];
    if (subscribers.length === 0) return Promise.resolve();
    let left = subscribers.length;
    return new Promise((resolve) => {
      for (const subscriber of subscribers) {
        setTimeout(() => {
          subscriber.end(retryFrame(jitteredRetry(this.#options.retryMs)));
          this.disconnect(subscriber);
          if (--left === 0) resolve();
        }, Math.random() * windowMs);
      }
    });
  }

  /** Stops the hub's timers (heartbeats, gap resyncs); open connections stay as they are. */
  stop(): void {
    clearInterval(this.#heartbeat);
    this.reach.stop();
    for (const timer of this.#gapTimers.values()) clearTimeout(timer);
    this.#gapTimers.clear();
  }

  #channel(env: string): EnvChannel | null {
    const held = this.#channels.get(env);
    if (held !== undefined) return held;
    const snapshot = this.#options.source.snapshot(env);
    if (snapshot === null) return null;
    const channel = new EnvChannel(env, snapshot, this.#channelOptions);
    this.#channels.set(env, channel);
    return channel;
  }

  *#subscribers(): Generator<Subscriber> {
    for (const channel of this.#channels.values()) {
      yield* channel.subscribers.server;
      yield* channel.subscribers.client;
    }
  }

  #hold(change: EnvChange): void {
    let pending = this.#pending.get(change.env);
    if (pending === undefined) this.#pending.set(change.env, (pending = new Map()));
    pending.set(change.version, change);
    // A long run of changes behind one missing version will not be replayable anyway: resync now.
    if (pending.size > this.#options.logCapacity) void this.#resync(change.env);
    else this.#armGapTimer(change.env);
  }

  /** Applies held changes that now follow on, and forgets the ones a reset made stale. */
  #drain(channel: EnvChannel): void {
    const pending = this.#pending.get(channel.env);
    if (pending === undefined) return;
    for (const version of pending.keys()) if (version <= channel.version) pending.delete(version);
    for (let next = pending.get(channel.version + 1); next !== undefined; next = pending.get(channel.version + 1)) {
      pending.delete(next.version);
      channel.apply(next);
    }
    if (pending.size === 0) {
      this.#pending.delete(channel.env);
      clearTimeout(this.#gapTimers.get(channel.env));
      this.#gapTimers.delete(channel.env);
    }
  }

  #armGapTimer(env: string): void {
    if (this.#gapTimers.has(env) || this.#closing) return;
    const timer = setTimeout(() => {
      this.#gapTimers.delete(env);
      void this.#resync(env);
    }, this.#options.gapTimeoutMs);
    timer.unref();
    this.#gapTimers.set(env, timer);
  }

  async #resync(env: string): Promise<void> {
    const load = this.#options.resync ?? ((e: string) => this.#options.source.snapshot(e));
    try {
      const snapshot = await load(env);
      if (snapshot !== null) this.adopt(env, snapshot);
    } catch {
      // The source is unreachable (Redis down): keep serving what we hold and try again on the next timer.
    }
    if (this.#pending.has(env)) this.#armGapTimer(env);
  }

  #beat(): void {
    for (const channel of this.#channels.values()) {
      for (const audience of ['server', 'client'] as const) {
        if (channel.subscribers[audience].size > 0) channel.broadcast(audience, channel.heartbeatFrame(audience), false);
      }
    }
  }
}
