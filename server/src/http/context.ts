// What every route can reach: the app's dependencies and the per-request variables. Only types, and none
// from stream/: streaming builds on http/ (its route and the relay's app), not the other way round.
import type { ChangeReach } from '@flagstaff/core/admin';
import type { Hono } from 'hono';
import type { Auth, AdminPrincipal, SdkPrincipal } from '../auth.js';
import type { Config } from '../config.js';
import type { Lifecycle } from '../lifecycle.js';
import type { Logger } from '../log.js';
import type { ServerMetrics } from '../metrics.js';
import type { Store } from '../store/index.js';
import type { ChangeFeed, SnapshotSource } from '../store/changes.js';

/** What the app needs of streaming (stream/streaming.ts builds the whole of it). */
export interface StreamingRoutes {
  /** Mounted at /sdk/v1/stream. */
  // biome-ignore lint/suspicious/noExplicitAny: a primary and a relay mount the same route under different Env types
  route: Hono<any>;
  /** Null when ready; otherwise why not (for /readyz). */
  unready(): string | null;
  /** Propagation reports of this instance's streams (stream/reach.ts); absent where none are kept. */
  reach?: ReachReports;
}

/** What the ack and change-report routes need of stream/reach.ts. */
export interface ReachReports {
  ack(env: string, keyId: string, instance: string, version: number, ageMs?: number): number;
  report(env: string, version: number): ChangeReach | null;
}

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
  streaming?: StreamingRoutes;
  /** Wakes the notification delivery worker (notify/worker.ts); absent where none runs. */
  notifications?: { kick(): void };
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
