// GET /sdk/v1/flags: an environment's snapshot for SDKs — its shape, its ETag and 304, what client keys
// may see, and CORS for browsers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, startServer, type RunningServer } from '../helpers/server.js';

let server: RunningServer;
let serverKey: string;
let clientKey: string;

async function ok(method: string, path: string, body?: unknown) {
  const res = await server.api(method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const read = (key: string, headers: Record<string, string> = {}) => fetch(`${server.url}/sdk/v1/flags`, { headers: { Authorization: key, ...headers } });

beforeAll(async () => {
  server = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0' } });
  serverKey = (await createKey(server, { kind: 'server', env: 'production' })).key;
  clientKey = (await createKey(server, { kind: 'client', env: 'production' })).key;
  await ok('POST', '/api/v1/environments/production/segments', { key: 'staff', included: ['u-1'] });
  await ok('POST', '/api/v1/environments/production/segments', { key: 'internal', included: ['u-2'] });
  await ok('POST', '/api/v1/flags', { key: 'banner', clientSide: true, seed: 'banner-2026' });
  await ok('PATCH', '/api/v1/flags/banner/environments/production', {
    on: true,
    rules: [{ id: 'staff', clauses: [{ attribute: '', op: 'segmentMatch', values: ['staff'] }], serve: { variation: 1 } }],
  });
  await ok('POST', '/api/v1/flags', { key: 'pricing' });
  await ok('PATCH', '/api/v1/flags/pricing/environments/production', {
    rules: [{ id: 'internal', clauses: [{ attribute: '', op: 'segmentMatch', values: ['internal'] }], serve: { variation: 1 } }],
  });
});

afterAll(async () => {
  await server?.stop();
});

describe('GET /sdk/v1/flags', () => {
  it("returns the environment's snapshot, flags and segments keyed by key, in core's wire shape", async () => {
    const res = await read(serverKey);
    expect(res.status).toBe(200);
    const body = (await res.json()) as any;
    expect(Object.keys(body)).toEqual(['version', 'flags', 'segments']);
    expect(body.version).toBe((await ok('GET', '/api/v1/environments/production')).version);
    expect(body.flags.banner).toEqual({
      key: 'banner',
      version: 2,
      kind: 'boolean',
      on: true,
      variations: [false, true],
      offVariation: 0,
      targets: [],
      rules: [{ id: 'staff', clauses: [{ attribute: '', op: 'segmentMatch', values: ['staff'] }], serve: { variation: 1 } }],
      fallthrough: { variation: 1 },
      clientSide: true,
      seed: 'banner-2026',
    });
    expect(Object.keys(body.segments).sort()).toEqual(['internal', 'staff']);
    expect(body.segments.staff).toEqual({ key: 'staff', version: 1, included: ['u-1'], excluded: [], rules: [] });
  });

  it('answers 304 to If-None-Match until something in the environment changes', async () => {
    const first = await read(serverKey);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"\d+"$/);
    const again = await read(serverKey, { 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    // A change in another environment leaves this one's ETag alone.
    await ok('PATCH', '/api/v1/flags/banner/environments/staging', { on: true });
    expect((await read(serverKey, { 'If-None-Match': etag })).status).toBe(304);
    await ok('PATCH', '/api/v1/flags/pricing/environments/production', { on: true });
    const changed = await read(serverKey, { 'If-None-Match': etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(((await changed.json()) as any).flags.pricing.on).toBe(true);
  });

  it('shows a client key only clientSide flags and the segments they name, under its own ETag', async () => {
    const res = await read(clientKey);
    const body = (await res.json()) as any;
    expect(Object.keys(body.flags)).toEqual(['banner']);
    expect(Object.keys(body.segments)).toEqual(['staff']);
    const serverTag = (await read(serverKey)).headers.get('etag')!;
    expect(res.headers.get('etag')).not.toBe(serverTag);
    expect((await read(clientKey, { 'If-None-Match': serverTag })).status).toBe(200);
  });

  it('drops an archived flag from the snapshot', async () => {
    await ok('POST', '/api/v1/flags/pricing/archive');
    expect(((await (await read(serverKey)).json()) as any).flags.pricing).toBeUndefined();
    await ok('POST', '/api/v1/flags/pricing/unarchive');
    expect(((await (await read(serverKey)).json()) as any).flags.pricing.on).toBe(true);
  });

  it('lets browsers read it: CORS *, on errors too, and a preflight', async () => {
    const ok200 = await fetch(`${server.url}/sdk/v1/flags?key=${clientKey}`, { headers: { Origin: 'https://app.example.com' } });
    expect(ok200.headers.get('access-control-allow-origin')).toBe('*');
    expect(ok200.headers.get('access-control-expose-headers')).toContain('ETag');
    const denied = await fetch(`${server.url}/sdk/v1/flags?key=fsc_unknown`, { headers: { Origin: 'https://app.example.com' } });
    expect([denied.status, denied.headers.get('access-control-allow-origin')]).toEqual([401, '*']);
    const preflight = await fetch(`${server.url}/sdk/v1/flags`, { method: 'OPTIONS', headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'GET' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('If-None-Match');
    // The admin API is not for browsers.
    const admin = await fetch(`${server.url}/api/v1/flags`, { headers: { Origin: 'https://app.example.com' } });
    expect(admin.headers.get('access-control-allow-origin')).toBeNull();
  });
});
