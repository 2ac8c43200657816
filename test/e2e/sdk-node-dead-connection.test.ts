// A connection that dies without a word — a NAT or proxy that forgets it, a cable pulled mid-route — never
// errors on the SDK's side: bytes just stop. Only the missing heartbeat tells. Here a proxy between the
// SDK and a real server goes silent (sockets open, nothing forwarded); the SDK must call the connection
// dead, serve its last flags as stale meanwhile, and pick up the change it missed once the path is back.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createClient, type FlagsClient } from '@flagstaff/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, until, type RunningServer } from '../helpers/server.js';

/** A TCP proxy that can go silent: while it is, every byte is dropped and every socket left open. */
async function startSilenceableProxy(targetPort: number) {
  let silent = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on('data', (chunk) => {
        if (!silent) to.write(chunk);
      });
      from.on('error', () => to.destroy());
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    silence: (on: boolean) => void (silent = on),
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const ENV = 'production';
let server: RunningServer;
let proxy: Awaited<ReturnType<typeof startSilenceableProxy>>;
let flags: FlagsClient;

beforeAll(async () => {
  server = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0', FLAGSTAFF_HEARTBEAT_MS: '200' } });
  expect((await server.api('POST', '/api/v1/flags', { key: 'new-checkout' })).status).toBe(201);
  expect((await server.api('PATCH', `/api/v1/flags/new-checkout/environments/${ENV}`, { on: true })).status).toBe(200);
  const key = await server.api('POST', '/api/v1/keys', { kind: 'server', env: ENV });
  proxy = await startSilenceableProxy(server.port);
  flags = createClient({
    url: proxy.url,
    sdkKey: key.body.key,
    heartbeatTimeoutMs: 1_000,
    requestTimeoutMs: 1_000,
    reconnect: { baseMs: 100, maxMs: 300 },
    pollIntervalMs: 300,
    usage: false,
  });
});

afterAll(async () => {
  await flags?.close();
  await proxy?.close();
  await server?.stop();
});

describe('a connection that dies silently', () => {
  it('is declared dead by the missing heartbeat; the last flags are served stale, and the missed change arrives once the path is back', async () => {
    expect(await flags.ready({ timeoutMs: 5_000 })).toMatchObject({ state: 'ready', connection: 'streaming' });
    const errors: string[] = [];
    flags.on('error', (error) => errors.push(error.code));
    const silencedAt = Date.now();
    proxy.silence(true);
    expect((await server.api('PATCH', `/api/v1/flags/new-checkout/environments/${ENV}`, { on: false })).status).toBe(200);

    const stale = await until(() => (flags.status().state === 'stale' ? flags.status() : undefined), 10_000, 'the stale state');
    // Nothing errored on the stream: only the heartbeat's absence (1 s here, beats every 200 ms) ended it.
    expect(errors[0]).toBe('heartbeat_timeout');
    expect(stale.staleSince!.getTime()).toBeGreaterThanOrEqual(silencedAt + 700);
    expect(flags.isEnabled('new-checkout', { key: 'user-1' })).toBe(true);

    proxy.silence(false);
    await until(() => !flags.isEnabled('new-checkout', { key: 'user-1' }), 10_000, 'the missed change');
    await until(() => flags.status().state === 'ready', 10_000, 'ready again');
    expect(flags.status().staleSince).toBeNull();
  });
});
