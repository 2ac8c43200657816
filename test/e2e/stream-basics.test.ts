// GET /sdk/v1/stream against a real server process (one instance, no Redis) and the real `eventsource`
// client: ordering, resuming after a network cut, audience filtering, status codes, shutdown.
import { snapshotChecksum } from '@flagstaff/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';
import { eventsOf, openRawStream, parseSse, until, type RawStream } from '../helpers/sse.js';
import { watchStream, type StreamWatcher } from '../helpers/stream-client.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const ENV = 'production';
let server: RunningServer;
let serverKey: string;
let clientKey: string;
const watchers: StreamWatcher[] = [];
const streams: RawStream[] = [];

async function createKey(kind: 'server' | 'client'): Promise<{ id: string; key: string }> {
  const res = await server.api('POST', '/api/v1/keys', { kind, env: ENV });
  expect(res.status).toBe(201);
  return res.body;
}

async function createFlag(key: string, clientSide = false): Promise<void> {
  expect((await server.api('POST', '/api/v1/flags', { key, clientSide })).status).toBe(201);
}

let changes = 0;
/** Changes a flag in production (its targets, or `on` when given); returns the environment version after it. */
async function toggle(key: string, on?: boolean): Promise<number> {
  const state = on === undefined ? { targets: [{ variation: 1, values: [`user-${++changes}`] }] } : { on };
  const res = await server.api('PATCH', `/api/v1/flags/${key}/environments/${ENV}`, state);
  expect(res.status).toBe(200);
  return envVersion();
}

async function envVersion(): Promise<number> {
  const res = await fetch(`${server.url}/sdk/v1/flags`, { headers: { Authorization: serverKey } });
  return ((await res.json()) as { version: number }).version;
}

function watch(...args: Parameters<typeof watchStream> extends [string, ...infer Rest] ? Rest : never): StreamWatcher {
  const watcher = watchStream(server.url, ...args);
  watchers.push(watcher);
  return watcher;
}

/** Opens a raw stream and reads it until `enough` holds; the stream stays open until the end of the file. */
async function readRaw(path: string, headers: Record<string, string>, enough: (text: string) => boolean) {
  const stream = await openRawStream(`${server.url}${path}`, headers);
  streams.push(stream);
  if (stream.response.status === 200) await stream.waitFor(enough, 'the expected events');
  return { res: stream.response, text: stream.text() };
}

beforeAll(async () => {
  server = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0', FLAGSTAFF_STREAM_RETRY_MS: '200', FLAGSTAFF_STREAM_LOG_SIZE: '100' } });
  serverKey = (await createKey('server')).key;
  clientKey = (await createKey('client')).key;
  await createFlag('checkout');
  await createFlag('banner', true);
});

afterAll(async () => {
  for (const watcher of watchers) watcher.close();
  for (const stream of streams) stream.close();
  await server?.stop();
});

describe('the stream of one instance', () => {
  it('sends a put, then every change in order, each with the environment version as its id', async () => {
    const watcher = watch(serverKey);
    await until(() => watcher.version() >= 0, 'the put');
    const versions: number[] = [];
    for (let i = 0; i < 10; i++) versions.push(await toggle('checkout', i % 2 === 0));
    await until(() => watcher.version() === versions.at(-1), 'the last change');
    expect(watcher.events[0]!.type).toBe('put');
    expect(watcher.events.slice(1).map((e) => [e.type, Number(e.id)])).toEqual(versions.map((v) => ['patch', v]));
    expect(watcher.events.slice(1).map((e) => e.data.value.on)).toEqual(versions.map((_, i) => i % 2 === 0));
    expect(watcher.checksum()).toBe(
      snapshotChecksum(await (await fetch(`${server.url}/sdk/v1/flags`, { headers: { Authorization: serverKey } })).json()),
    );
  });

  describe('resuming', () => {
    let proxy: TcpProxy;
    beforeAll(async () => {
      proxy = await startTcpProxy(server.port);
    });
    afterAll(() => proxy.close());

    it('replays exactly the 50 changes made while the client was cut off, and nothing else', async () => {
      const watcher = watchStream(proxy.url, serverKey);
      watchers.push(watcher);
      await until(() => watcher.version() >= 0, 'the put');
      const before = watcher.version();
      const seen = watcher.events.length;
      proxy.cut();
      const made: number[] = [];
      for (let i = 0; i < 50; i++) made.push(await toggle('checkout'));
      proxy.resume();
      await until(() => watcher.version() === made.at(-1), 'the 50 missed changes', 15_000);
      const resumed = watcher.events.slice(seen);
      expect(resumed.map((e) => e.type)).toEqual(Array(50).fill('patch'));
      expect(resumed.map((e) => Number(e.id))).toEqual(Array.from({ length: 50 }, (_, i) => before + 1 + i));
      expect(watcher.opens).toBe(1); // eventsource's own reconnect, with its own Last-Event-ID
      expect(watcher.regressions).toEqual([]);
    });

    it('sends a put instead when the missed changes are no longer held', async () => {
      const watcher = watchStream(proxy.url, serverKey);
      watchers.push(watcher);
      await until(() => watcher.version() >= 0, 'the put');
      const seen = watcher.events.length;
      proxy.cut();
      let last = 0;
      for (let i = 0; i < 110; i++) last = await toggle('checkout');
      proxy.resume();
      await until(() => watcher.version() === last, 'the resync', 15_000);
      expect(watcher.events.slice(seen).map((e) => `${e.type}@${e.id}`)).toEqual([`put@${last}`]);
    });
  });

  describe('client keys', () => {
    it('see only client-side flags: a server-only change sends nothing, leaving client-side is a delete', async () => {
      const watcher = watch(clientKey, { inUrl: true });
      await until(() => watcher.version() >= 0, 'the put');
      expect(Object.keys(watcher.state!.raw.flags)).toEqual(['banner']);
      await toggle('checkout');
      const shown = await toggle('banner');
      await until(() => watcher.events.length === 2, 'the banner patch');
      expect(watcher.events[1]).toMatchObject({ type: 'patch', id: String(shown), data: { key: 'banner' } });

      expect((await server.api('PATCH', '/api/v1/flags/banner', { clientSide: false })).status).toBe(200);
      await until(() => watcher.events.length === 3, 'the delete');
      expect(watcher.events[2]).toMatchObject({ type: 'delete', data: { kind: 'flag', key: 'banner' } });
      expect(watcher.state!.raw.flags).toEqual({});
      expect((await server.api('PATCH', '/api/v1/flags/banner', { clientSide: true })).status).toBe(200);
      await until(() => watcher.events.length === 4, 'the flag back');
    });

    it('receive a segment a client-side flag starts using before the flag itself, under one id', async () => {
      const created = await server.api('POST', `/api/v1/environments/${ENV}/segments`, { key: 'beta-testers', included: ['u1'] });
      expect(created.status).toBe(201);
      const stream = await openRawStream(`${server.url}/sdk/v1/stream?key=${clientKey}`);
      streams.push(stream);
      await stream.waitFor((t) => t.includes('event: put'), 'the put');
      expect(eventsOf(parseSse(stream.text()).blocks)[0]!.data.segments).toEqual({});

      const rules = [
        { id: 'beta', clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['beta-testers'] }], serve: { variation: 1 } },
      ];
      expect((await server.api('PATCH', `/api/v1/flags/banner/environments/${ENV}`, { rules })).status).toBe(200);
      const version = await envVersion();
      await stream.waitFor((t) => t.includes(`id: ${version}`), 'the flag patch');
      const patches = parseSse(stream.text()).blocks.filter((b) => b.event === 'patch');
      expect(patches.map((b) => [JSON.parse(b.data!).key, b.id])).toEqual([
        ['beta-testers', undefined],
        ['banner', String(version)],
      ]);
    });

    it('are served by ?key= with CORS, where a server key is refused', async () => {
      const { res } = await readRaw(`/sdk/v1/stream?key=${clientKey}`, { Origin: 'https://shop.example' }, (t) => t.includes('event: put'));
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      const { res: header } = await readRaw('/sdk/v1/stream', { Authorization: serverKey }, (t) => t.includes('event: put'));
      expect(header.headers.get('access-control-allow-origin')).toBeNull();
      const refused = await fetch(`${server.url}/sdk/v1/stream?key=${serverKey}`);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ error: { code: 'forbidden' } });
    });
  });

  it('answers a bad key with 401 JSON, and a revoked key with 204, ending its open streams', async () => {
    const bad = await fetch(`${server.url}/sdk/v1/stream`, { headers: { Authorization: 'fss_not-a-key' } });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: { code: 'unauthorized' } });

    const doomed = await createKey('server');
    const stream = await openRawStream(`${server.url}/sdk/v1/stream`, { Authorization: doomed.key });
    streams.push(stream);
    await stream.waitFor((t) => t.includes('event: put'), 'the put');
    expect((await server.api('DELETE', `/api/v1/keys/${doomed.id}`)).status).toBe(200);
    await until(() => stream.ended(), "the revoked key's stream to end");
    const revoked = await fetch(`${server.url}/sdk/v1/stream`, { headers: { Authorization: doomed.key } });
    expect(revoked.status).toBe(204);
  });

  it('sends heartbeats carrying the checksum of what the client holds', async () => {
    const quick = await startServer({ env: { FLAGSTAFF_HEARTBEAT_MS: '100', FLAGSTAFF_RATE_LIMIT: '0' } });
    try {
      const key = (await quick.api('POST', '/api/v1/keys', { kind: 'server', env: ENV })).body.key;
      const stream = await openRawStream(`${quick.url}/sdk/v1/stream`, { Authorization: key });
      await stream.waitFor((t) => parseSse(t).blocks.filter((b) => b.comments.length).length >= 2, 'two heartbeats');
      stream.close();
      const { blocks } = parseSse(stream.text());
      const put = eventsOf(blocks)[0]!.data;
      expect(blocks.find((b) => b.comments.length)!.comments[0]).toBe(`hb ${put.version} ${snapshotChecksum(put)}`);
    } finally {
      await quick.stop();
    }
  });
});
