// One stream per browser for every tab of an application. Over HTTP/1.1 a browser allows about 6
// connections per origin across all its tabs, so a stream per tab starves the page's other requests once a
// few tabs are open. Here the tabs elect a leader with the Web Locks API — the browser releases the lock
// when its holder closes or crashes, and hands it to the next tab in line — and the leader runs the
// ordinary stream, passing everything it hears to the other tabs over a BroadcastChannel. Each follower
// applies it to its own FlagSync, through the client's own hooks, as if it had heard it from the server:
// 'change' and 'status' fire in every tab, and every tab keeps its cache.
// A separate entry (`@flagstaff/browser/tabs`), so that the main bundle stays within its size budget.
import type { FlagSync, SyncError } from '@flagstaff/core/sync';
import { startStream, type StreamHooks, type StreamSettings, type StreamStarter, type StreamSync } from './stream.js';

export type { StreamStarter } from './stream.js';

/**
 * Bump when a message changes. It is part of the lock's and the channel's names, so that each SDK version
 * elects its own leader (a tab never waits on a leader whose messages it cannot read), and of every message.
 */
const PROTOCOL = 1;

/** The follower's channel to the server, in its FlagSync: the leader's, as the leader reports it. */
const LEADER = 'leader';

type TabMessage =
  /** A tab joined, or lost track: the leader answers with its snapshot and its channel state. */
  | { kind: 'hello' }
  /** A stream event as the leader received it. */
  | { kind: 'event'; type: string; data: string }
  | { kind: 'heartbeat'; data: string }
  /** A snapshot the leader polled, or the one it holds (its answer to a hello). */
  | { kind: 'snapshot'; snapshot: unknown }
  /** Whether the leader has a working channel to the server; `at`: since when it has none. */
  | { kind: 'channel'; up: boolean; at: number }
  /** A failure the leader recorded without announcing it (its stream announces only the first in a row). */
  | { kind: 'fail'; error: SyncError }
  /** A failure the leader announced; `refused`: the server refused the key. */
  | { kind: 'error'; error: SyncError; refused: boolean };

const isText = (value: unknown): value is string => typeof value === 'string';
const isError = (value: unknown): boolean => isText((value as SyncError | null)?.code) && isText((value as SyncError).message);

/** What each kind must carry. Snapshots and event data are checked by FlagSync, like the server's. */
const SHAPES: { [K in TabMessage['kind']]: (message: Record<string, unknown>) => boolean } = {
  hello: () => true,
  event: ({ type, data }) => isText(type) && isText(data),
  heartbeat: ({ data }) => isText(data),
  snapshot: () => true,
  channel: ({ up, at }) => typeof up === 'boolean' && Number.isFinite(at),
  fail: ({ error }) => isError(error),
  error: ({ error, refused }) => isError(error) && typeof refused === 'boolean',
};

/** A message of this protocol version, well-formed; null for anything else. */
function readMessage(data: unknown): TabMessage | null {
  if (typeof data !== 'object' || data === null) return null;
  const message = data as Record<string, unknown>;
  const { v, kind } = message;
  if (v !== PROTOCOL || !isText(kind) || !Object.hasOwn(SHAPES, kind)) return null;
  return SHAPES[kind as TabMessage['kind']](message) ? (message as TabMessage) : null;
}

/**
 * The leader's FlagSync as its stream sees it: every input is applied, and passed on to the other tabs.
 * `working` collects the leader's channels that work, which its followers' staleness follows.
 */
function passingOn(sync: FlagSync, post: (message: TabMessage) => void, working: Set<string>): StreamSync {
  return {
    get resumeVersion() {
      return sync.resumeVersion;
    },
    receive(type, data) {
      post({ kind: 'event', type, data });
      return sync.receive(type, data);
    },
    put(snapshot) {
      post({ kind: 'snapshot', snapshot });
      return sync.put(snapshot);
    },
    heartbeat(data) {
      post({ kind: 'heartbeat', data });
      return sync.heartbeat(data);
    },
    channel(name, up, now) {
      if (up) working.add(name);
      else working.delete(name);
      sync.channel(name, up, now);
      post({ kind: 'channel', up: working.size > 0, at: now });
    },
    fail(error, now, refused) {
      post({ kind: 'fail', error });
      sync.fail(error, now, refused);
    },
  };
}

/**
 * Shares one stream between every tab of this browser that uses the same server and client key: pass it
 * as the client's `stream` option. Where the Web Locks API or BroadcastChannel is missing (older browsers,
 * pages not served over HTTPS or from localhost), each tab streams on its own, as without it.
 */
export function shareAcrossTabs(): StreamStarter {
  return (base, key, sync, settings, hooks) =>
    globalThis.navigator?.locks === undefined || typeof BroadcastChannel === 'undefined'
      ? startStream(base, key, sync, settings, hooks)
      : startSharedStream(base, key, sync, settings, hooks);
}

function startSharedStream(base: string, key: string, sync: FlagSync, settings: StreamSettings, hooks: StreamHooks): () => void {
  const { locks } = navigator;
  // What the stream carries depends on the server and the key only, never on a tab's context.
  const name = `flagstaff-tabs:${PROTOCOL}:${base}:${key}`;
  const channel = new BroadcastChannel(name);
  /** The leader's channels to the server that work. */
  const working = new Set<string>();
  /** The lock request this tab waits on; null while it leads, or after it left. */
  let queued: AbortController | null = null;
  /** Stops the stream and releases the lock; null unless this tab leads. */
  let resign: (() => void) | null = null;
  /** A follower's watchdog: silence from the leader for the heartbeat timeout. */
  let silence: ReturnType<typeof setTimeout> | undefined;

  const post = (message: TabMessage) => {
    try {
      channel.postMessage({ v: PROTOCOL, ...message });
    } catch {
      // The channel is closed (the client was: nobody needs the message), or the value cannot be cloned.
    }
  };

  const channelState = (): TabMessage => ({ kind: 'channel', up: working.size > 0, at: sync.status().staleSince?.getTime() ?? Date.now() });

  /**
   * A leader passes on at least the server's heartbeats (every 15 s), so silence for the heartbeat timeout
   * means it is suspended without a `freeze` event (Firefox, Safari) or gone: the flags held go stale, and
   * the follower asks again, until a leader answers.
   */
  function watch(): void {
    clearTimeout(silence);
    silence = setTimeout(() => {
      sync.channel(LEADER, false, Date.now());
      hooks.changed();
      post({ kind: 'hello' });
      watch();
    }, settings.heartbeatTimeoutMs);
  }

  /** Queues for the lock, and meanwhile follows whoever holds it; asks the leader for its state at once. */
  function join(): void {
    watch();
    const request = (queued = new AbortController());
    locks
      .request(name, { signal: request.signal }, () => {
        // Granted as this tab was leaving: returning at once lets the next tab in line have it.
        if (queued !== request) return;
        return new Promise<void>(lead);
      })
      // Aborted by leave(), or refused (an opaque origin, e.g. a sandboxed frame): then this tab streams on
      // its own, without the lock, as where the API is missing.
      .catch(() => queued === request && lead(() => {}));
    post({ kind: 'hello' });
  }

  /** This tab holds the lock (until `release`): it connects, resuming from the version it holds. */
  function lead(release: () => void): void {
    queued = null;
    clearTimeout(silence);
    sync.channel(LEADER, false, Date.now());
    hooks.changed();
    const stop = startStream(base, key, passingOn(sync, post, working), settings, {
      ...hooks,
      report(error, refused) {
        post({ kind: 'error', error, refused: refused === true });
        hooks.report(error, refused);
      },
    });
    resign = () => {
      stop();
      release();
    };
    // Until this stream opens nobody reaches the server: the followers are stale meanwhile, truthfully.
    post(channelState());
  }

  /** A tab joined or lost track: everything it needs to be current at once. */
  function answer(): void {
    if (sync.resumeVersion !== null) post({ kind: 'snapshot', snapshot: sync.state!.raw });
    post(channelState());
    const { state, lastError } = sync.status();
    if (state === 'failed' && lastError !== null) {
      const { at: _at, ...error } = lastError;
      post({ kind: 'error', error, refused: true });
    }
  }

  /** What the leader passes on, applied as if this tab had heard it from the server. */
  function follow(message: TabMessage): void {
    switch (message.kind) {
      case 'event':
        // A patch has no base before the leader's snapshot, which this tab asked for when it joined.
        if (message.type !== 'put' && sync.resumeVersion === null) return;
        if (!hooks.apply(() => sync.receive(message.type, message.data))) post({ kind: 'hello' });
        return;
      case 'heartbeat':
        if (sync.heartbeat(message.data) === 'resync') post({ kind: 'hello' });
        return;
      case 'snapshot':
        hooks.apply(() => sync.put(message.snapshot));
        return;
      case 'channel':
        sync.channel(LEADER, message.up, message.at);
        hooks.changed();
        return;
      case 'fail':
        sync.fail(message.error, Date.now());
        return;
      case 'error':
        hooks.report(message.error, message.refused);
    }
  }

  /** Gives up the lock, or the place in its queue. */
  function leave(): void {
    clearTimeout(silence);
    queued?.abort();
    queued = null;
    resign?.();
    resign = null;
  }

  // A frozen tab (a background tab the browser suspends, Page Lifecycle) runs no code: as the leader it would
  // deliver nothing to any tab, and a lock granted to it while frozen would do the same. So a tab about to
  // freeze steps out, its channels down, and comes back as a newcomer when it resumes.
  function freeze(): void {
    leave();
    const now = Date.now();
    for (const held of [...working, LEADER]) sync.channel(held, false, now);
    working.clear();
    hooks.changed();
  }

  channel.onmessage = ({ data }: MessageEvent) => {
    const message = readMessage(data);
    if (message === null) return;
    if (resign !== null) {
      if (message.kind === 'hello') answer();
    } else if (queued !== null) {
      // Another follower's hello says nothing of the leader.
      if (message.kind !== 'hello') watch();
      follow(message);
    }
    // Otherwise this tab left (it is frozen): it asks for the state again when it resumes.
  };
  // No document in a worker: nothing freezes it apart from its page.
  const page = globalThis.document;
  page?.addEventListener('freeze', freeze);
  page?.addEventListener('resume', join);
  join();

  return () => {
    page?.removeEventListener('freeze', freeze);
    page?.removeEventListener('resume', join);
    leave();
    channel.close();
  };
}
