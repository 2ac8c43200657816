// Starting and stopping a relay (`flagstaff-server --relay`): no database, the SDK endpoints served from
// Redis. Shutdown ends the streams spread over a short window, so their clients move elsewhere gradually.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { ConfigError, type Config } from '../config.js';
import { createLogger, type Logger } from '../log.js';
import { Admission } from './admission.js';
import { StreamHub } from './hub.js';
import { createRelayApp } from './relay-app.js';
import { Relay } from './redis-relay.js';

export interface RunningRelay {
  port: number;
  url: string;
  hub: StreamHub;
  shutdown(reason?: string): Promise<void>;
}

export async function startRelay(config: Config, options: { log?: Logger } = {}): Promise<RunningRelay> {
  if (!config.redisUrl) throw new ConfigError('a relay serves the state kept in Redis: set REDIS_URL');
  const log = options.log ?? createLogger(config.logLevel);
  // The relay's only state is the hub, which Relay fills from Redis; it has no other source of snapshots.
  let relay: Relay | undefined;
  const hub = new StreamHub({
    source: { snapshot: () => null },
    resync: (env) => relay!.loadSnapshot(env),
    ...config.stream,
  });
  relay = new Relay({ redisUrl: config.redisUrl, hub, log });
  relay.start();
  const app = createRelayApp({ hub, relay, admission: new Admission(config.stream) });

  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  }).catch(async (error) => {
    await relay!.stop();
    hub.stop();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host && config.host !== '0.0.0.0' && config.host !== '::' ? config.host : 'localhost'}:${port}`;
  log.announce('listening', { port, url, role: 'relay' });

  let stopping: Promise<void> | undefined;
  const shutdown = (reason = 'requested') =>
    (stopping ??= (async () => {
      log.announce('shutting down', { reason, role: 'relay' });
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await hub.shutdown(config.stream.shutdownWindowMs);
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
      await closed;
      clearTimeout(timer);
      await relay!.stop();
      log.announce('stopped', { reason, role: 'relay' });
    })());

  return { port, url, hub, shutdown };
}
