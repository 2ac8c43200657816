// What a browser is told about every answer (security-headers.ts), and which answers it may read from
// another origin: only those to client keys (http/public-cors.ts).
import { afterAll, describe, expect, it } from 'vitest';
import { testApp } from '../testing/app.js';
import { CONTENT_SECURITY_POLICY } from './security-headers.js';

const t = testApp();
afterAll(() => t.close());

const ORIGIN = 'https://app.example.com';
const headersOf = (res: Response, ...names: string[]) => Object.fromEntries(names.map((name) => [name, res.headers.get(name)]));

describe('security headers', () => {
  const EVERY = {
    'x-content-type-options': 'nosniff',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  };

  it.each<[string, string, RequestInit & { token?: string | null }, number]>([
    ['the admin API', '/api/v1/flags', {}, 200],
    ['an admin error', '/api/v1/flags/nothing', {}, 404],
    ['a refused admin request', '/api/v1/flags', { token: null }, 401],
    ['the SDK snapshot', '/sdk/v1/flags', { token: null, headers: { Authorization: t.keys.server } }, 200],
    ['OFREP', '/ofrep/v1/evaluate/flags', { method: 'POST', token: null, headers: { Authorization: t.keys.server } }, 200],
    ['health', '/healthz', { token: null }, 200],
    ['an unknown route', '/', { token: null }, 404],
  ])('are on %s', async (_, path, init, status) => {
    const res = await t.request(path, init);
    expect(res.status).toBe(status);
    expect(headersOf(res, ...Object.keys(EVERY))).toEqual(EVERY);
  });

  it('keep the admin API out of caches, and leave the SDK snapshot revalidated by ETag', async () => {
    expect((await t.request('/api/v1/flags')).headers.get('cache-control')).toBe('no-store');
    expect((await t.request('/api/v1/nothing')).headers.get('cache-control')).toBe('no-store');
    const sdk = await t.request('/sdk/v1/flags', { token: null, headers: { Authorization: t.keys.server } });
    expect(sdk.headers.get('cache-control')).toBe('no-cache');
  });
});

describe('CORS', () => {
  const read = (query: string, headers: Record<string, string> = {}) =>
    t.request(`/sdk/v1/flags${query}`, { token: null, headers: { Origin: ORIGIN, ...headers } });
  const allowOrigin = (res: Response) => res.headers.get('access-control-allow-origin');

  it('lets any origin read the snapshot with a client key, in the URL or the header, errors included', async () => {
    const inUrl = await read(`?key=${t.keys.client}`);
    expect([inUrl.status, allowOrigin(inUrl)]).toEqual([200, '*']);
    expect(inUrl.headers.get('access-control-expose-headers')).toContain('ETag');
    const inHeader = await read('', { Authorization: t.keys.client });
    expect([inHeader.status, allowOrigin(inHeader)]).toEqual([200, '*']);
    const unknown = await read('?key=fsc_unknown');
    expect([unknown.status, allowOrigin(unknown)]).toEqual([401, '*']);
  });

  it('does not let another origin read what a server key gets', async () => {
    for (const res of [
      await read('', { Authorization: t.keys.server }),
      await read('', { Authorization: 'fss_unknown' }),
      await read(`?key=${t.keys.server}`),
    ]) {
      expect(allowOrigin(res)).toBeNull();
    }
    // And the status alone shows the same to a script: nothing.
    expect((await read('', { Authorization: t.keys.server })).status).toBe(200);
  });

  it('answers a preflight for the snapshot, unless its URL holds a key that is not a client key', async () => {
    const preflight = (query: string) =>
      t.request(`/sdk/v1/flags${query}`, {
        method: 'OPTIONS',
        token: null,
        headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
      });
    const plain = await preflight('');
    expect(plain.status).toBe(204);
    expect(headersOf(plain, 'access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers')).toEqual({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, OPTIONS',
      'access-control-allow-headers': 'Authorization, If-None-Match',
    });
    expect(allowOrigin(await preflight(`?key=${t.keys.client}`))).toBe('*');
    expect(allowOrigin(await preflight(`?key=${t.keys.server}`))).toBeNull();
  });

  it('never answers cross-origin on the admin API, OFREP or usage, preflight or not', async () => {
    const requests: Array<[string, RequestInit & { token?: string | null }]> = [
      ['/api/v1/flags', {}],
      ['/api/v1/flags', { method: 'OPTIONS', token: null, headers: { 'Access-Control-Request-Method': 'GET' } }],
      ['/ofrep/v1/evaluate/flags', { method: 'POST', token: null, headers: { Authorization: t.keys.server } }],
      ['/sdk/v1/usage', { method: 'OPTIONS', token: null, headers: { 'Access-Control-Request-Method': 'POST' } }],
    ];
    for (const [path, init] of requests) {
      const res = await t.request(path, { ...init, headers: { Origin: ORIGIN, ...(init.headers as Record<string, string>) } });
      expect(allowOrigin(res), `${init.method ?? 'GET'} ${path}`).toBeNull();
    }
  });
});
