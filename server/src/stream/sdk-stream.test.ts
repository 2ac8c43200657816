// The stream route over a real HTTP server and the real `eventsource` client, with the store replaced by
// an in-memory feed: the wiring into the full server is covered by test/e2e/stream-*.test.ts.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { EventSource } from 'eventsource';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { eventsOf, parseSse, until } from '../../../test/helpers/sse.js';
import { flag, flagChange, snapshotOf } from '../../../test/helpers/stream-fixtures.js';
import { Admission, type AdmissionLimits } from './admission.js';
import { LocalChangeFeed } from '../store/changes.js';
import { StreamHub } from './hub.js';
import { sdkStreamRoute, type StreamKey } from './sdk-stream.js';

const KEYS: Record<string, StreamKey | 'revoked'> = {
  fss_server: { keyId: 'k1', env: 'prod', audience: 'server' },
  fsc_client: { keyId: 'k2', env: 'prod', audience: 'client' },
  fss_revoked: 'revoked',
  fsc_revoked: 'revoked',
  fss_gone_env: { keyId: 'k3', env: 'deleted', audience: 'server' },
};

interface Harness {
  url: string;
  hub: StreamHub;
  publish(key: 'a' | 'b'): number;
  close(): Promise<void>;
}

const open: Harness[] = [];
const sources: EventSource[] = [];
afterEach(async () => {
  for (const source of sources.splice(0)) source.close();
  for (const harness of open.splice(0)) await harness.close();
});

async function start(limits: AdmissionLimits = { maxConnections: 100, maxNewPerSecond: 10_000 }): Promise<Harness> {
  const feed = new LocalChangeFeed();
  const hub = new StreamHub({
    source: { snapshot: (env) => (env === 'prod' ? snapshotOf(10, [flag('a'), flag('b', { clientSide: true })]) : null) },
  });
  hub.follow(feed);
  const app = new Hono();
  app.route('/sdk/v1/stream', sdkStreamRoute({ hub, admission: new Admission(limits), authenticate: (raw) => KEYS[raw] ?? null }));
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  let version = 10;
  const harness: Harness = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sdk/v1/stream`,
    hub,
    publish: (key) => {
      version++;
      feed.publish(flagChange('prod', version, flag(key, { version, on: version % 2 === 0, clientSide: key === 'b' })));
      return version;
    },
    close: async () => {
      hub.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  open.push(harness);
  return harness;
}

/** An EventSource with a header key (as the Node SDK connects) that records every event. */
function listen(url: string, headers: Record<string, string> = {}) {
  const received: Array<{ type: string; id: string; data: any }> = [];
  const source = new EventSource(url, {
    fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, ...headers } }),
  });
  for (const type of ['put', 'patch', 'delete']) {
    source.addEventListener(type, (e) => received.push({ type, id: e.lastEventId, data: JSON.parse(e.data) }));
  }
  sources.push(source);
  return { source, received };
}

/** Reads a raw stream until `enough` holds for what arrived, then aborts it. */
async function readStream(url: string, headers: Record<string, string>, enough: (text: string) => boolean) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const reader = response.body!.getReader();
  let text = '';
  while (!enough(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += Buffer.from(value).toString();
  }
  controller.abort();
  return { response, text };
}

describe('GET /sdk/v1/stream', () => {
  it('streams a put, then every change in order, to the eventsource client', async () => {
    const { url, publish } = await start();
    const { received } = listen(url, { Authorization: 'Bearer fss_server' });
    await until(() => received.length === 1, 'the put');
    for (let i = 0; i < 5; i++) publish(i % 2 ? 'a' : 'b');
    await until(() => received.length === 6, 'five patches');
    expect(received.map((e) => `${e.type}@${e.id}`)).toEqual(['put@10', 'patch@11', 'patch@12', 'patch@13', 'patch@14', 'patch@15']);
    expect(received[0]!.data.flags.a).toMatchObject({ key: 'a' });
  });

  it('answers with SSE headers, a retry hint first, and no CORS for header keys', async () => {
    const { url } = await start();
    const { response, text } = await readStream(url, { Authorization: 'fss_server' }, (t) => t.includes('event: put'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(text).toMatch(/^retry: \d+\n\n/);
  });

  it('serves browsers by ?key= with CORS, showing only client-side flags', async () => {
    const { url, publish } = await start();
    const { response, text } = await readStream(`${url}?key=fsc_client`, { Origin: 'https://app.example' }, (t) =>
      t.includes('event: put'),
    );
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const [put] = eventsOf(parseSse(text).blocks);
    expect(Object.keys(put!.data.flags)).toEqual(['b']);
    const { received } = listen(`${url}?key=fsc_client`);
    await until(() => received.length === 1, 'the put');
    publish('a');
    const visible = publish('b');
    await until(() => received.length === 2, 'the client-side patch');
    expect(received[1]).toMatchObject({ type: 'patch', id: String(visible), data: { key: 'b' } });
    const preflight = await fetch(`${url}?key=fsc_client`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Last-Event-ID');
  });

  it('resumes from Last-Event-ID with exactly the missed changes', async () => {
    const { url, publish } = await start();
    publish('a');
    publish('b');
    const last = publish('a');
    const { text } = await readStream(url, { Authorization: 'fss_server', 'Last-Event-ID': '11' }, (t) => t.includes(`id: ${last}`));
    expect(eventsOf(parseSse(text).blocks).map((e) => e.id)).toEqual(['12', '13']);
  });

  it.each([
    ['no key', {}, '', 401, 'unauthorized'],
    ['an unknown key', { Authorization: 'fss_nope' }, '', 401, 'unauthorized'],
    ['a server key in the URL', {}, '?key=fss_server', 403, 'forbidden'],
    ['an admin token in the URL, even beside a good header', { Authorization: 'fss_server' }, '?key=fsa_admin', 403, 'forbidden'],
  ])('refuses %s with a JSON error', async (_name, headers, query, status, code) => {
    const { url, hub } = await start();
    const response = await fetch(`${url}${query}`, { headers });
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject({ error: { code } });
    expect(hub.connectionCount).toBe(0);
  });

  it.each([
    ['a revoked key', 'fss_revoked'],
    ['a key whose environment is gone', 'fss_gone_env'],
  ])('tells %s to stop with 204', async (_name, key) => {
    const { url } = await start();
    const response = await fetch(url, { headers: { Authorization: key } });
    expect(response.status).toBe(204);
    expect(response.headers.get('content-type') ?? '').not.toMatch(/event-stream/);
  });

  it('sheds with 503 and Retry-After over the connection cap, and admits again once room frees', async () => {
    const { url, hub } = await start({ maxConnections: 2, maxNewPerSecond: 1000 });
    const first = listen(url, { Authorization: 'fss_server' });
    listen(url, { Authorization: 'fss_server' });
    await until(() => hub.connectionCount === 2, 'two streams');
    const refused = await fetch(url, { headers: { Authorization: 'fss_server' } });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({ error: { code: 'unavailable' } });
    expect(hub.metricsText()).toContain('flagstaff_stream_shed_total 1');
    first.source.close();
    await until(() => hub.connectionCount === 1, 'the closed stream to be released');
    const { response } = await readStream(url, { Authorization: 'fss_server' }, (t) => t.includes('event: put'));
    expect(response.status).toBe(200);
  });

  it.each([
    ['an unknown client key', 'fsc_nobody', {}, 401],
    ['a revoked client key', 'fsc_revoked', {}, 204],
    ['a client key past the connection cap', 'fsc_client', { maxConnections: 0, maxNewPerSecond: 10 }, 503],
  ])('answers %s from a browser with CORS, so that its status and Retry-After can be read', async (_name, key, limits, status) => {
    const { url } = await start({ maxConnections: 100, maxNewPerSecond: 10_000, ...limits });
    const response = await fetch(`${url}?key=${key}`, { headers: { Origin: 'https://shop.example' } });
    expect(response.status).toBe(status);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-expose-headers')).toBe('Retry-After');
  });

  it('refuses new streams once shutting down', async () => {
    const { url, hub } = await start();
    await hub.shutdown(0);
    const response = await fetch(url, { headers: { Authorization: 'fss_server' } });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('leaves no subscriber behind after 1,000 connect/disconnect cycles', async () => {
    const { url, hub } = await start({ maxConnections: 100, maxNewPerSecond: 100_000 });
    for (let round = 0; round < 50; round++) {
      await Promise.all(
        Array.from({ length: 20 }, () => readStream(url, { Authorization: 'fss_server' }, (t) => t.includes('event: put'))),
      );
    }
    await until(() => hub.connectionCount === 0, 'every subscriber to be released');
  }, 60_000);
});
