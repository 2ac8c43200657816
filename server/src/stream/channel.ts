// One environment's stream: the current server-view state, the replay log, and the connections to feed.
// Each change is framed once per audience and the same Buffer goes to every subscriber of that audience.
import type { Flag, Segment, Snapshot, StreamEvent } from '@flagstaff/core';
import { ChangeLog } from './change-log.js';
import { ClientView, type Audience } from './client-view.js';
import type { EnvChange } from './feed.js';
import { changeFrame, eventText, heartbeatFrame } from './frames.js';
import type { StreamMetrics } from './metrics.js';
import type { Subscriber } from './subscriber.js';

export interface ChannelOptions {
  logCapacity: number;
  checksum: (snapshot: Snapshot) => string;
  metrics: StreamMetrics;
}

type PerAudience<T> = Record<Audience, T>;

const serverEvent = (change: EnvChange): StreamEvent => {
  const { version, kind, key, value } = change;
  if (value === null) return { type: 'delete', data: { version, kind, key } };
  return kind === 'flag'
    ? { type: 'patch', data: { version, kind, key, value: value as Flag } }
    : { type: 'patch', data: { version, kind, key, value: value as Segment } };
};

export class EnvChannel {
  readonly subscribers: PerAudience<Set<Subscriber>> = { server: new Set(), client: new Set() };
  #version = 0;
  /**
   * The version of the last change client keys could see. Every client connection holds exactly the client
   * view at this version, so puts, heartbeats and resume decisions for clients all use it.
   */
  #clientVersion = 0;
  #flags = new Map<string, Flag>();
  #segments = new Map<string, Segment>();
  #clientView = new ClientView([]);
  readonly #log: ChangeLog;
  /** Frames and views of the current version, built on first use and dropped on the next change. */
  #cache: { snapshot?: Snapshot; put: Partial<PerAudience<Buffer>>; heartbeat: Partial<PerAudience<Buffer>> } = {
    put: {},
    heartbeat: {},
  };

  constructor(
    readonly env: string,
    snapshot: Snapshot,
    private readonly options: ChannelOptions,
  ) {
    this.#log = new ChangeLog(options.logCapacity);
    this.#adopt(snapshot);
  }

  get version(): number {
    return this.#version;
  }

  get connections(): number {
    return this.subscribers.server.size + this.subscribers.client.size;
  }

  /** Applies the change that follows the current version (the hub orders changes) and fans it out. */
  apply(change: EnvChange): void {
    if (change.version !== this.#version + 1) {
      throw new RangeError(`${this.env}: change ${change.version} does not follow version ${this.#version}`);
    }
    const previous = change.kind === 'flag' ? this.#flags.get(change.key) : undefined;
    const items: Map<string, Flag | Segment> = change.kind === 'flag' ? this.#flags : this.#segments;
    if (change.value === null) items.delete(change.key);
    else items.set(change.key, change.value);
    this.#version = change.version;

    const clientEvents = this.#clientView.eventsFor(change, previous, this.#segments);
    const server = changeFrame([serverEvent(change)], change.version);
    const client = clientEvents.length > 0 ? changeFrame(clientEvents, change.version) : null;
    if (client !== null) this.#clientVersion = change.version;
    this.#log.push({ version: change.version, server, client });
    this.#cache = { put: {}, heartbeat: {} };

    const started = performance.now();
    this.broadcast('server', server);
    if (client !== null) this.broadcast('client', client);
    // Writes that go through a ServerResponse (socket-output.ts falls back to it) reach their socket on the
    // next tick: measure past them.
    process.nextTick(() => this.options.metrics.fannedOut(this.env, (performance.now() - started) / 1000));
  }

  /** Replaces the whole state (a resync after a gap) and sends every connection a `put` of it. */
  reset(snapshot: Snapshot): void {
    this.#adopt(snapshot);
    this.broadcast('server', this.putFrame('server'));
    this.broadcast('client', this.putFrame('client'));
  }

  /** The full server-view snapshot at the current version. Shared: callers must not modify it. */
  snapshot(): Snapshot {
    this.#cache.snapshot ??= {
      version: this.#version,
      flags: Object.fromEntries(this.#flags),
      segments: Object.fromEntries(this.#segments),
    };
    return this.#cache.snapshot;
  }

  putFrame(audience: Audience): Buffer {
    const cached = this.#cache.put[audience];
    if (cached !== undefined) return cached;
    const view = this.#view(audience);
    const frame = Buffer.from(eventText({ type: 'put', data: view }, view.version));
    this.#cache.put[audience] = frame;
    return frame;
  }

  heartbeatFrame(audience: Audience): Buffer {
    const cached = this.#cache.heartbeat[audience];
    if (cached !== undefined) return cached;
    const view = this.#view(audience);
    const frame = heartbeatFrame(view.version, this.options.checksum(view));
    this.#cache.heartbeat[audience] = frame;
    return frame;
  }

  /**
   * What a connection resuming after `lastEventId` must receive to be current: nothing, the missed changes
   * in order, or (when they are no longer all held, or the id is not one we know) a `put`.
   */
  catchUp(audience: Audience, lastEventId: number | null): Buffer[] {
    if (lastEventId === null) return [this.putFrame(audience)];
    // A client's id names the client view at that version, which stays the same until the next change
    // visible to clients: from #clientVersion up to the current version there is nothing to send.
    if (audience === 'client' && lastEventId >= this.#clientVersion && lastEventId <= this.#version) return [];
    const missed = this.#log.since(lastEventId, this.#version);
    if (missed === null) return [this.putFrame(audience)];
    const frames: Buffer[] = [];
    for (const entry of missed) {
      const frame = entry[audience];
      if (frame !== null) frames.push(frame);
    }
    return frames;
  }

  /** Writes a frame to every subscriber of an audience, dropping the ones too far behind. */
  broadcast(audience: Audience, frame: Buffer, isEvent = true): void {
    const subscribers = this.subscribers[audience];
    let sent = 0;
    for (const subscriber of subscribers) {
      if (subscriber.send(frame)) {
        sent++;
      } else {
        subscribers.delete(subscriber);
        this.options.metrics.dropped(this.env);
      }
    }
    if (isEvent) this.options.metrics.sent(this.env, sent);
  }

  #view(audience: Audience): Snapshot {
    if (audience === 'server') return this.snapshot();
    return this.#clientView.snapshot(this.#clientVersion, this.#flags, this.#segments);
  }

  #adopt(snapshot: Snapshot): void {
    this.#version = snapshot.version;
    this.#clientVersion = snapshot.version;
    this.#flags = new Map(Object.entries(snapshot.flags));
    this.#segments = new Map(Object.entries(snapshot.segments));
    this.#clientView = new ClientView(this.#flags.values());
    this.#log.clear();
    this.#cache = { put: {}, heartbeat: {} };
  }
}
