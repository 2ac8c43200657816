// What every route can reach: the app's dependencies and the per-request variables.
import type { Auth, AdminPrincipal, SdkPrincipal } from '../auth.js';
import type { Config } from '../config.js';
import type { Lifecycle } from '../lifecycle.js';
import type { Logger } from '../log.js';
import type { ServerMetrics } from '../metrics.js';
import type { Store } from '../store/index.js';
import type { ChangeFeed, SnapshotSource } from '../store/changes.js';
import type { Streaming } from '../stream/streaming.js';

export interface AppDeps {
  config: Config;
  store: Store;
  /** Current snapshots (the store's on a normal instance). */
  snapshots: SnapshotSource;
  /** Committed changes, in order: what SSE fan-out subscribes to. */
  feed: ChangeFeed;
  auth: Auth;
  metrics: ServerMetrics;
  log: Logger;
  lifecycle: Lifecycle;
  /** SSE streaming (hub, route, Redis fan-out); absent in tests that build the app without it. */
  streaming?: Streaming;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    /** Set on /api/v1 by the admin auth middleware. */
    admin: AdminPrincipal;
    /** Set on SDK and OFREP routes by the SDK key middleware. */
    sdk: SdkPrincipal;
  };
}
