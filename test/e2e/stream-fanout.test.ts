// Fan-out under load against a real server process: hundreds of eventsource clients, a client that stops
// reading, shedding past the connection cap, and a graceful shutdown that spreads reconnects out.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';
import { openRawStream, parseSse, until, type RawStream } from '../helpers/sse.js';
import { watchStream, type StreamWatcher } from '../helpers/stream-client.js';

const ENV = 'production';

async function serverKey(server: RunningServer): Promise<string> {
  const res = await server.api('POST', '/api/v1/keys', { kind: 'server', env: ENV });
  expect(res.status).toBe(201);
  return res.body.key;
}

async function metric(server: RunningServer, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(pattern.exec(text)?.[1] ?? 0);
}

describe('fan-out', () => {
  let server: RunningServer;
  let key: string;
  const watchers: StreamWatcher[] = [];

  beforeAll(async () => {
    server = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0', FLAGSTAFF_STREAM_MAX_BUFFER: '65536' } });
    key = await serverKey(server);
    expect((await server.api('POST', '/api/v1/flags', { key: 'checkout' })).status).toBe(201);
  });
  afterAll(async () => {
    for (const watcher of watchers) watcher.close();
    await server?.stop();
  });

  it('delivers a change to each of 500 connected clients', async () => {
    for (let i = 0; i < 500; i++) watchers.push(watchStream(server.url, key));
    await until(() => watchers.every((w) => w.version() >= 0), 'every put', 30_000);
    expect(await metric(server, /flagstaff_stream_clients\{env="production",audience="server"\} (\d+)/)).toBe(500);
    const res = await server.api('PATCH', `/api/v1/flags/checkout/environments/${ENV}`, { on: true });
    expect(res.status).toBe(200);
    await until(() => watchers.every((w) => w.state?.raw.flags.checkout?.on === true), 'all 500 clients to see the change', 30_000);
    for (const watcher of watchers.splice(0)) watcher.close();
  }, 60_000);

  it('drops a client that stops reading, while every other client keeps receiving every change', async () => {
    // A raw connection that sends its request and then never reads: its data piles up in the kernel
    // and then in the server's buffer for it, until the server gives up on it.
    const stalled: Socket = connect(server.port, '127.0.0.1');
    let stalledClosed = false;
    let stalledText = '';
    stalled.on('data', (chunk: Buffer) => (stalledText += chunk.toString()));
    stalled.on('close', () => (stalledClosed = true));
    stalled.on('error', () => {});
    stalled.write(`GET /sdk/v1/stream HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${key}\r\n\r\n`);
    stalled.pause();
    const healthy = Array.from({ length: 10 }, () => watchStream(server.url, key));
    watchers.push(...healthy);
    await until(() => healthy.every((w) => w.version() >= 0), "the healthy clients' puts");
    const openBefore = await metric(server, /flagstaff_stream_clients\{env="production",audience="server"\} (\d+)/);
    expect(openBefore).toBe(11);

    // ~40 KB per change: a few MB in all, more than the kernel buffers plus the 64 KiB allowed per client.
    const values = Array.from({ length: 1000 }, (_, i) => `someone-with-a-long-user-id-${i}-`.padEnd(40, 'x'));
    let last = 0;
    for (let n = 0; n < 120; n++) {
      const targets = [{ variation: 1, values: values.map((v) => `${v}${n}`) }];
      const res = await server.api('PATCH', `/api/v1/flags/checkout/environments/${ENV}`, { targets });
      expect(res.status).toBe(200);
      last = res.body.version;
    }
    await until(
      () => healthy.every((w) => w.state?.raw.flags.checkout?.version === last),
      'every healthy client to get every change',
      30_000,
    );
    for (const watcher of healthy) expect(watcher.events.filter((e) => e.type === 'patch')).toHaveLength(120);
    await until(
      async () => (await metric(server, /flagstaff_stream_dropped_clients_total\{env="production"\} (\d+)/)) >= 1,
      'the stalled client to be dropped',
    );
    expect(await metric(server, /flagstaff_stream_clients\{env="production",audience="server"\} (\d+)/)).toBe(10);
    // Reading again, it finds what was already on its way, then the end of a stream that stopped early.
    stalled.resume();
    await until(() => stalledClosed, 'the stalled connection to end');
    expect(stalledText).toContain('event: put');
    expect(stalledText).not.toContain(`id: ${last}\n`);
  }, 60_000);
});

describe('shedding and shutdown', () => {
  it('sheds connections past the cap with 503, Retry-After and a JSON error', async () => {
    const server = await startServer({ env: { FLAGSTAFF_STREAM_MAX_CLIENTS: '5' } });
    const streams: RawStream[] = [];
    try {
      const key = await serverKey(server);
      for (let i = 0; i < 5; i++) streams.push(await openRawStream(`${server.url}/sdk/v1/stream`, { Authorization: key }));
      expect(streams.map((s) => s.response.status)).toEqual([200, 200, 200, 200, 200]);
      const shed = await fetch(`${server.url}/sdk/v1/stream`, { headers: { Authorization: key } });
      expect(shed.status).toBe(503);
      expect(Number(shed.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await shed.json()).toMatchObject({ error: { code: 'unavailable' } });
      expect(await metric(server, /flagstaff_stream_shed_total (\d+)/)).toBe(1);
    } finally {
      for (const stream of streams) stream.close();
      await server.stop();
    }
  });

  it('on SIGTERM ends every stream with a jittered retry hint, spread over the shutdown window', async () => {
    const server = await startServer({ env: { FLAGSTAFF_STREAM_SHUTDOWN_MS: '600' } });
    const key = await serverKey(server);
    const streams: RawStream[] = [];
    for (let i = 0; i < 20; i++) streams.push(await openRawStream(`${server.url}/sdk/v1/stream`, { Authorization: key }));
    await Promise.all(streams.map((s) => s.waitFor((t) => t.includes('event: put'), 'the put')));
    const endedAt: number[] = [];
    const started = Date.now();
    const stopping = server.stop();
    await Promise.all(
      streams.map(async (s) => {
        await until(() => s.ended(), 'the stream to end');
        endedAt.push(Date.now() - started);
      }),
    );
    await stopping;
    const lastRetries = streams.map((s) => parseSse(s.text()).blocks.at(-1)!.retry);
    for (const retry of lastRetries) expect(retry).toBeGreaterThan(0);
    expect(new Set(lastRetries).size).toBeGreaterThan(10);
    expect(Math.max(...endedAt) - Math.min(...endedAt)).toBeGreaterThan(100);
  });
});
