// GET /sdk/v1/flags (sdk.ts): an environment's snapshot for SDKs — its shape, its ETag and 304, what
// client keys may see, and CORS for browsers; plus the refusals an SDK can meet there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../testing/app.js';

const server = testApp();
afterAll(() => server.close());
const serverKey = server.keys.server;
const clientKey = server.keys.client;

const ok = async (method: string, path: string, body?: unknown) => (await server.ok(method, path, body)).body;

const read = (key: string, headers: Record<string, string> = {}) =>
  server.request('/sdk/v1/flags', { token: null, headers: { Authorization: key, ...headers } });

beforeAll(async () => {
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
    const ok200 = await server.request(`/sdk/v1/flags?key=${clientKey}`, { token: null, headers: { Origin: 'https://app.example.com' } });
    expect(ok200.headers.get('access-control-allow-origin')).toBe('*');
    expect(ok200.headers.get('access-control-expose-headers')).toContain('ETag');
    const denied = await server.request('/sdk/v1/flags?key=fsc_unknown', { token: null, headers: { Origin: 'https://app.example.com' } });
    expect([denied.status, denied.headers.get('access-control-allow-origin')]).toEqual([401, '*']);
    const preflight = await server.request('/sdk/v1/flags', {
      method: 'OPTIONS',
      token: null,
      headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('If-None-Match');
    // The admin API is not for browsers.
    const admin = await server.request('/api/v1/flags', { headers: { Origin: 'https://app.example.com' } });
    expect(admin.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('refusals', () => {
  it.each<[string, Record<string, string>, string, number, string]>([
    ['no key', {}, '', 401, 'missing credentials: send Authorization: <SDK key> (or ?key=<client key> from a browser)'],
    ['an unknown key', { Authorization: 'fss_unknown' }, '', 401, 'unknown SDK key'],
    [
      'an admin token',
      { Authorization: `Bearer ${server.tokens.read}` },
      '',
      403,
      'admin tokens cannot read SDK endpoints: use a server (fss_…) or client (fsc_…) key',
    ],
    [
      'a server key in the URL',
      {},
      `?key=${server.keys.server}`,
      403,
      'only client keys (fsc_…) may be sent in the URL; send other keys in the Authorization header',
    ],
  ])('answers %s with its status and a message saying why', async (_, headers, query, status, message) => {
    const res = await server.request(`/sdk/v1/flags${query}`, { token: null, headers });
    expect([res.status, ((await res.json()) as { error: { message: string } }).error.message]).toEqual([status, message]);
  });

  it('varies the snapshot by Authorization and asks caches to revalidate it', async () => {
    const res = await read(serverKey);
    expect([res.headers.get('vary'), res.headers.get('cache-control'), res.headers.get('content-type')]).toEqual([
      'Authorization',
      'no-cache',
      'application/json; charset=utf-8',
    ]);
  });

  it("answers 404 when the key's environment has no snapshot", async () => {
    // A key whose environment is gone (no route deletes one; the snapshot source is what decides).
    const deps = server.deps;
    const original = deps.snapshots.snapshot.bind(deps.snapshots);
    deps.snapshots.snapshot = () => null;
    try {
      const res = await read(serverKey);
      expect([res.status, await res.json()]).toEqual([
        404,
        { error: { code: 'not_found', message: 'environment "production" does not exist' } },
      ]);
    } finally {
      deps.snapshots.snapshot = original;
    }
  });
});
