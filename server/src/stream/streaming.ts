// Streaming on an instance with the database: the hub fed by the store, the stream route, and — when
// REDIS_URL is set — the Redis fan-out. start.ts builds one of these and mounts `route`. What other
// instances sharing the database committed reaches the hub through `caughtUp` (store/catch-up.ts), with
// Redis or without it.
import type { Hono } from 'hono';
import type { Auth } from '../auth.js';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { sdkStreamRoute, type StreamKeyLookup } from './sdk-stream.js';
import type { CaughtUp, Store } from '../store/index.js';
import { Admission } from './admission.js';
import type { ChangeFeed, EnvChange } from '../store/changes.js';
import { StreamHub } from './hub.js';
import type { ReachBook } from './reach.js';
import { processMemoryText } from './metrics.js';
import { PrimaryFanout, type PrimaryStore } from './redis-primary.js';
import type { MirroredKey } from './redis-log.js';

export interface StreamingDeps {
  config: Config;
  store: Store;
  feed: ChangeFeed;
  auth: Auth;
  log: Logger;
}

export interface Streaming {
  hub: StreamHub;
  fanout: PrimaryFanout | null;
  /** Mounted at /sdk/v1/stream. */
  // biome-ignore lint/suspicious/noExplicitAny: as StreamingRoutes#route (http/context.ts)
  route: Hono<any>;
  /** Null when ready; otherwise why not (for /readyz). */
  unready(): string | null;
  /** Propagation reports of this instance's streams. */
  reach: ReachBook;
  /** Prometheus lines for /metrics. */
  metricsText(): string;
  /** Tells streaming that SDK keys were created or revoked here (from the store's commit hook). */
  keysChanged(keyIds: readonly string[]): void;
  /** Tells streaming what other instances committed, as the store read it back (its commit watcher). */
  caughtUp(caughtUp: CaughtUp): void;
  /** Ends every stream (spread over the shutdown window), then leaves Redis. */
  shutdown(): Promise<void>;
}

/** The store as the Redis fan-out sees it; `caughtUp` takes what a catch-up read. */
function primaryStore(store: Store, caughtUp: (caughtUp: CaughtUp) => void = () => {}): PrimaryStore {
  return {
    environments: () => store.snapshots.environments(),
    reload: (env) => store.reloadSnapshot(env),
    applyRemote: (change: EnvChange) => {
      const held = store.snapshots.snapshot(change.env);
      // The next version applies as it is; one already held was read from the database meanwhile (the
      // writer re-reads after a change that raced one of ours, the commit watcher catches up); anything
      // else is a gap that only the shared database can fill.
      if (held !== null && change.version === held.version + 1) store.snapshots.apply(change);
      else if (held === null || change.version > held.version) store.reloadSnapshot(change.env);
    },
    sdkKeys: () => {
      const keys = new Map<string, MirroredKey>();
      for (const k of store.keys.sdkKeysInDatabase()) {
        keys.set(k.hash, { keyId: k.id, env: k.env, audience: k.kind, revoked: k.revoked });
      }
      return keys;
    },
    keysChanged: () => caughtUp(store.catchUp()),
  };
}

export function createStreaming({ config, store, feed, auth, log }: StreamingDeps): Streaming {
  const hub = new StreamHub({
    source: store.snapshots,
    resync: (env) => store.reloadSnapshot(env),
    ...config.stream,
  });
  hub.follow(feed);
  const fanout = config.redisUrl
    ? new PrimaryFanout({ redisUrl: config.redisUrl, hub, feed, store: primaryStore(store, caughtUp), log })
    : null;
  fanout?.start();

  function caughtUp({ environments, keys }: CaughtUp): void {
    for (const moved of environments) {
      if ('change' in moved) hub.ingest(moved.change);
      else hub.adopt(moved.env, moved.snapshot);
    }
    // A change of ours that raced another instance's (write.ts re-read the environment) leaves the hub
    // holding ours until the other one comes: with no Redis to bring it, the store's state is adopted.
    for (const env of store.snapshots.environments()) {
      const held = hub.version(env);
      const snapshot = store.snapshots.snapshot(env);
      if (held !== null && snapshot !== null && held < snapshot.version) hub.adopt(env, snapshot);
    }
    // Keys: their creators mirrored them to Redis; here only the streams of revoked ones end.
    for (const key of keys) if (key.revokedAt !== null && key.kind !== 'admin') hub.disconnectKey(key.id);
  }

  const authenticate: StreamKeyLookup = (raw) => {
    const status = auth.sdkKeyStatus(raw);
    const mirrored = fanout?.directory.held(raw);
    if (status === 'revoked' || mirrored?.revoked) return 'revoked';
    if (status === 'valid') return auth.authenticateSdkKey(raw);
    // Another primary sharing the database may have created it after this one loaded its keys.
    return fanout ? fanout.directory.lookup(raw) : null;
  };
  const admission = new Admission(config.stream);

  return {
    hub,
    fanout,
    route: sdkStreamRoute({ hub, authenticate, admission }),
    reach: hub.reach,
    unready: () =>
      fanout && !fanout.ready ? 'Redis is unreachable: changes commit, and reach primaries sharing the file, but not relays' : null,
    metricsText: () => hub.metricsText() + processMemoryText(),
    keysChanged: (keyIds) => {
      const keys = primaryStore(store).sdkKeys();
      for (const [hash, key] of keys) {
        if (!keyIds.includes(key.keyId)) continue;
        fanout?.publishKey(hash, key);
        if (key.revoked) hub.disconnectKey(key.keyId);
      }
    },
    caughtUp,
    shutdown: async () => {
      await hub.shutdown(config.stream.shutdownWindowMs);
      await fanout?.stop();
    },
  };
}
