// Starting and stopping one server: open the store, make sure an admin can get in, listen, and on
// shutdown stop accepting, let in-flight requests finish, then close the database (lifecycle.ts).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { createApp } from './app.js';
import { Auth } from './auth.js';
import { bootstrapAdminToken, tokenBanner } from './bootstrap.js';
import { loadedFrom } from './loaded-from.js';
import type { Config } from './config.js';
import type { AppDeps, AppEnv } from './http/context.js';
import { Lifecycle } from './lifecycle.js';
import { createLogger, type Logger } from './log.js';
import { createServerMetrics } from './metrics.js';
import { outboxWriter } from './notify/outbox.js';
import { DeliveryWorker } from './notify/worker.js';
import { Rollouts } from './rollout/plans.js';
import { RolloutScheduler } from './rollout/scheduler.js';
import { Store } from './store/index.js';
import { LocalChangeFeed } from './store/changes.js';
import { createStreaming, type Streaming } from './stream/streaming.js';

export interface RunningServer {
  port: number;
  url: string;
  app: Hono<AppEnv>;
  deps: AppDeps;
  /** Idempotent: every call returns the same promise, resolved once the database is closed. */
  shutdown(reason?: string): Promise<void>;
}

export interface StartOptions {
  log?: Logger;
  /** Where the first-start token banner goes (stdout). */
  print?: (text: string) => void;
}

export async function start(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const started = performance.now();
  const log = options.log ?? createLogger(config.logLevel);
  const print = options.print ?? ((text: string) => void process.stdout.write(text));
  const lifecycle = new Lifecycle();
  const metrics = createServerMetrics();
  metrics.processStart.set({}, Math.floor(Date.now() / 1000));
  const feed = new LocalChangeFeed();
  // Created once the store is open; key changes committed before that (the first admin token) need no fan-out.
  let streaming: Streaming | undefined;

  const store = Store.open({
    dbPath: config.dbPath,
    feed,
    log,
    onCommit: ({ audits }) => {
      for (const audit of audits) metrics.changes.inc({ env: audit.env ?? '', action: audit.action });
      // Created and revoked SDK keys: mirrored to Redis for relays; a revoked key's streams end.
      const keyIds = audits.filter((a) => a.action === 'key.create' || a.action === 'key.revoke').map((a) => a.resource.key);
      if (keyIds.length > 0) streaming?.keysChanged(keyIds);
    },
  });
  lifecycle.onClose('store', () => store.close());
  // Notifications (docs/notifications.md): outbox rows written in each change's transaction, delivered by
  // the worker beside the write path; a commit that wrote some wakes it.
  const notifications = new DeliveryWorker({
    store,
    log,
    allowPrivate: config.notify.allowPrivate,
    publicUrl: config.notify.publicUrl,
    timeoutMs: config.notify.timeoutMs,
  });
  store.onAudit(outboxWriter(store, () => notifications.kick()));
  lifecycle.onShutdown('notification delivery', () => notifications.stop());

  const auth = new Auth(store.keys);
  const stream = (streaming = createStreaming({ config, store, feed, auth, log }));
  // Other instances sharing the file (docs/scale-out.md): their commits reach this one's streams and key
  // cache within a poll interval, with Redis or without it; and a file that goes away is noticed.
  store.watchCommits({ intervalMs: config.dbPollMs, caughtUp: (caughtUp) => stream.caughtUp(caughtUp) });
  metrics.registry.register({ name: 'flagstaff_stream', render: () => stream.metricsText().trimEnd() });
  lifecycle.onShutdown('streams', () => stream.shutdown());
  const deps: AppDeps = {
    config,
    store,
    snapshots: store.snapshots,
    feed,
    auth,
    metrics,
    log,
    lifecycle,
    streaming: stream,
    notifications,
  };
  const app = createApp(deps);
  // Started once listening: steps that fell due while the server was down are applied then (docs/rollouts.md).
  const rollouts = new RolloutScheduler({ plans: new Rollouts(store.rolloutPlans), feed, log });
  lifecycle.onShutdown('rollout scheduler', () => rollouts.stop());

  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }) as Server;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
  } catch (error) {
    store.close();
    throw listenError(error, config);
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host && config.host !== '0.0.0.0' && config.host !== '::' ? config.host : 'localhost'}:${port}`;
  rollouts.start();
  notifications.start();
  // Only once the port is ours: a token created before a failed listen (port taken) would be stored but
  // never shown, and the next start would find an admin token and print none. No request can reach the
  // admin API first: this runs (synchronously) before the event loop handles any connection.
  const firstToken = bootstrapAdminToken(store, config, log);
  if (firstToken !== undefined) print(tokenBanner(firstToken, url));
  log.announce('listening', {
    port,
    url,
    db: config.dbPath,
    environments: store.snapshots.environments().length,
    startupMs: Math.round(performance.now() - started),
    build: loadedFrom(),
  });

  let stopping: Promise<void> | undefined;
  const shutdown = (reason = 'requested') =>
    (stopping ??= (async () => {
      log.announce('shutting down', { reason });
      lifecycle.beginShutdown();
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      await lifecycle.runStopHooks(log);
      // Keep-alive connections go as soon as they are idle; busy ones finish their request first.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, config.shutdownTimeoutMs, 'timeout')));
      const outcome = await Promise.race([drained.then(() => 'drained' as const), graceOver]);
      clearInterval(sweep);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        log.warn('grace period over: closing the remaining connections', { graceMs: config.shutdownTimeoutMs });
        server.closeAllConnections();
        await drained;
      }
      await lifecycle.runCloseHooks(log);
      log.announce('stopped', { reason });
    })());

  return { port, url, app, deps, shutdown };
}

/** A taken port names the setting that picks another (the message keeps Node's code for scripts). */
function listenError(error: unknown, config: Config): unknown {
  if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') return error;
  const where = config.host ? `${config.host}:${config.port}` : `port ${config.port}`;
  const message = `listen EADDRINUSE: ${where} is already in use (another flagstaff-server?): stop that process or set FLAGSTAFF_PORT to a free port (0 picks one)`;
  return Object.assign(new Error(message, { cause: error }), { code: 'EADDRINUSE' });
}
