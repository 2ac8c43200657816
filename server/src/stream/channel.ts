// One environment's stream: the current server-view state, the replay log, and the connections to feed.
// Each change is framed once per audience and the same Buffer goes to every subscriber of that audience.
// The state is a Snapshot moved forward by the store's applyChange (store/changes.ts), the same step that
// moves the store's own snapshots: one way for a change to become the next state, wherever it is held.
import type { Flag, Snapshot } from '@flagstaff/core';
import { applyChange, changeEvent, type EnvChange } from '../store/changes.js';
import { clientView, type Audience } from '../snapshot-views.js';
import { ChangeLog } from './change-log.js';
import { ClientView } from './client-view.js';
import { changeFrame, eventText, heartbeatFrame } from './frames.js';
import type { StreamMetrics } from './metrics.js';
import type { ReachBook } from './reach.js';
import type { Subscriber } from './subscriber.js';

export interface ChannelOptions {
  logCapacity: number;
  checksum: (snapshot: Snapshot) => string;
  metrics: StreamMetrics;
  /** Told which streams each change goes to, for its propagation report. */
  reach?: ReachBook;
}

type PerAudience<T> = Record<Audience, T>;

/** An own property only: `constructor` is a valid key, and Object.prototype has one too. */
const own = <T>(items: Record<string, T>, key: string): T | undefined => (Object.hasOwn(items, key) ? items[key] : undefined);

export class EnvChannel {
  readonly subscribers: PerAudience<Set<Subscriber>> = { server: new Set(), client: new Set() };
  /** The server view at the current version. Replaced, never modified: handed-out snapshots stay as they were. */
  #state: Snapshot = { version: 0, flags: {}, segments: {} };
  /**
   * The version of the last change client keys could see. Every client connection holds exactly the client
   * view at this version, so puts, heartbeats and resume decisions for clients all use it.
   */
  #clientVersion = 0;
  #clientView = new ClientView([]);
  readonly #log: ChangeLog;
  /** Frames of the current version, built on first use and dropped on the next change. */
  #cache: { put: Partial<PerAudience<Buffer>>; heartbeat: Partial<PerAudience<Buffer>> } = {
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
    return this.#state.version;
  }

  get connections(): number {
    return this.subscribers.server.size + this.subscribers.client.size;
  }

  /** Applies the change that follows the current version (the hub orders changes) and fans it out. */
  apply(change: EnvChange): void {
    if (change.version !== this.#state.version + 1) {
      throw new RangeError(`${this.env}: change ${change.version} does not follow version ${this.#state.version}`);
    }
    const previous: Flag | undefined = change.kind === 'flag' ? own(this.#state.flags, change.key) : undefined;
    this.#state = applyChange(this.#state, change);

    const { segments } = this.#state;
    const clientEvents = this.#clientView.eventsFor(change, previous, { get: (key) => own(segments, key) });
    const server = changeFrame([changeEvent(change)], change.version);
    const client = clientEvents.length > 0 ? changeFrame(clientEvents, change.version) : null;
    if (client !== null) this.#clientVersion = change.version;
    this.#log.push({ version: change.version, server, client });
    this.#cache = { put: {}, heartbeat: {} };

    const started = performance.now();
    this.broadcast('server', server);
    if (client !== null) this.broadcast('client', client);
    // After the writes, so that the report costs the fan-out nothing (no ack can be read before this returns);
    // streams dropped meanwhile were not sent it. Client streams only when the change touched what they see.
    this.options.reach?.sent(this.env, change.version, this.#recipients(client !== null));
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
    return this.#state;
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
    if (audience === 'client' && lastEventId >= this.#clientVersion && lastEventId <= this.#state.version) return [];
    const missed = this.#log.since(lastEventId, this.#state.version);
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

  *#recipients(clients: boolean): Generator<Subscriber> {
    yield* this.subscribers.server;
    if (clients) yield* this.subscribers.client;
  }

  #view(audience: Audience): Snapshot {
    if (audience === 'server') return this.#state;
    // Nothing clients see changed since #clientVersion: the view is the same, under the id they know.
    const view = clientView(this.#state);
    return view.version === this.#clientVersion ? view : { ...view, version: this.#clientVersion };
  }

  #adopt(snapshot: Snapshot): void {
    this.#state = snapshot;
    this.#clientVersion = snapshot.version;
    this.#clientView = new ClientView(Object.values(snapshot.flags));
    this.#log.clear();
    this.#cache = { put: {}, heartbeat: {} };
  }
}
