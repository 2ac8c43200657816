// Who may call what, in-process (STYLE.md, "Routes tested in-process"): admin tokens and their scopes on
// /api/v1, SDK keys of one environment on /sdk/v1 and /ofrep/v1, and every way a credential can be missing,
// wrong or out of place. Each admin route's own scope is routes/admin-scopes.test.ts's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from './testing/app.js';

const server = testApp();
afterAll(() => server.close());
const creds: Record<string, string> = {};

type Route = { method: string; path: string; body?: unknown };
const ADMIN_READ: Route = { method: 'GET', path: '/api/v1/flags' };
const ADMIN_WRITE: Route = { method: 'PATCH', path: '/api/v1/flags/checkout/environments/production', body: { on: true } };
const ADMIN_ADMIN: Route = { method: 'GET', path: '/api/v1/keys' };
const SDK_FLAGS: Route = { method: 'GET', path: '/sdk/v1/flags' };
const OFREP: Route = { method: 'POST', path: '/ofrep/v1/evaluate/flags/checkout', body: { context: { targetingKey: 'u' } } };

/** `undefined` sends no Authorization header at all. */
async function call(route: Route, credential: string | undefined, headers: Record<string, string> = {}) {
  return server.api(route.method, route.path, route.body, {
    Authorization: credential === undefined ? '' : `Bearer ${credential}`,
    ...headers,
  });
}

/** As test/helpers/server.ts's createKey: the new key's id and secret. */
async function createKey(body: {
  kind: 'admin' | 'server' | 'client';
  env?: string;
  scopes?: string[];
  name?: string;
}): Promise<{ id: string; key: string }> {
  const res = await server.api('POST', '/api/v1/keys', body);
  if (res.status !== 201) throw new Error(`creating a ${body.kind} key failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

beforeAll(async () => {
  expect((await server.api('POST', '/api/v1/flags', { key: 'checkout' })).status).toBe(201);
  expect((await server.api('POST', '/api/v1/flags', { key: 'banner', clientSide: true })).status).toBe(201);
  // Production and staging differ: checkout is on in production only.
  expect((await server.api('PATCH', '/api/v1/flags/checkout/environments/production', { on: true })).status).toBe(200);

  creds.admin = server.tokens.admin;
  creds.read = (await createKey({ kind: 'admin', scopes: ['read'], name: 'dashboard' })).key;
  creds.write = (await createKey({ kind: 'admin', scopes: ['write'], name: 'ci' })).key;
  creds.server = (await createKey({ kind: 'server', env: 'production' })).key;
  creds.client = (await createKey({ kind: 'client', env: 'production' })).key;
  creds.stagingServer = (await createKey({ kind: 'server', env: 'staging' })).key;
  const revokedAdmin = await createKey({ kind: 'admin', name: 'leaked' });
  const revokedServer = await createKey({ kind: 'server', env: 'production' });
  for (const { id } of [revokedAdmin, revokedServer]) expect((await server.api('DELETE', `/api/v1/keys/${id}`)).status).toBe(200);
  creds.revokedAdmin = revokedAdmin.key;
  creds.revokedServer = revokedServer.key;
  creds.wrongAdmin = `fsa_${'x'.repeat(32)}`;
  creds.wrongServer = `fss_${'x'.repeat(32)}`;
});

describe('the auth matrix', () => {
  // credential → [admin read, admin write, admin-only, SDK flags, OFREP]
  const matrix: Array<[credential: string, expected: [number, number, number, number, number]]> = [
    ['none', [401, 401, 401, 401, 401]],
    ['wrongAdmin', [401, 401, 401, 401, 401]],
    ['wrongServer', [401, 401, 401, 401, 401]],
    ['revokedAdmin', [401, 401, 401, 401, 401]],
    ['revokedServer', [401, 401, 401, 401, 401]],
    ['admin', [200, 200, 200, 403, 403]],
    ['write', [200, 200, 403, 403, 403]],
    ['read', [200, 403, 403, 403, 403]],
    ['server', [403, 403, 403, 200, 200]],
    ['client', [403, 403, 403, 200, 404]],
  ];
  const routes = [ADMIN_READ, ADMIN_WRITE, ADMIN_ADMIN, SDK_FLAGS, OFREP];

  it.each(matrix)('%s → %j', async (name, expected) => {
    const credential = name === 'none' ? undefined : creds[name];
    const statuses = [];
    for (const route of routes) statuses.push((await call(route, credential)).status);
    expect(statuses).toEqual(expected);
  });

  it('answers 401 with WWW-Authenticate and a message that says what is wrong', async () => {
    const cases: Array<[string | undefined, RegExp]> = [
      [undefined, /missing credentials: send Authorization: Bearer <admin token>/],
      [creds.wrongAdmin, /unknown token/],
      [creds.revokedAdmin, /this token was revoked/],
    ];
    for (const [credential, message] of cases) {
      const res = await call(ADMIN_READ, credential);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(res.body.error).toMatchObject({ code: 'unauthorized', message: expect.stringMatching(message) });
    }
  });

  it('tells an SDK key on the admin API, and a token without the scope, why they are refused', async () => {
    expect((await call(ADMIN_READ, creds.server)).body.error).toEqual({
      code: 'forbidden',
      message: 'SDK keys cannot call the admin API: use an admin token (fsa_…)',
    });
    expect((await call(ADMIN_WRITE, creds.read)).body.error).toEqual({
      code: 'forbidden',
      message: 'this token has scope read; this needs write',
    });
    expect((await call(SDK_FLAGS, creds.admin)).body.error.message).toMatch(/admin tokens cannot read SDK endpoints/);
  });

  it('accepts an SDK key with or without "Bearer"', async () => {
    const res = await server.api('GET', '/sdk/v1/flags', undefined, { Authorization: creds.server! });
    expect(res.status).toBe(200);
  });

  it('takes a client key from ?key= (browsers) but never a server key', async () => {
    const client = await server.request(`/sdk/v1/flags?key=${creds.client}`, { token: null });
    expect(client.status).toBe(200);
    const serverKey = await server.request(`/sdk/v1/flags?key=${creds.server}`, { token: null });
    expect(serverKey.status).toBe(403);
    expect(((await serverKey.json()) as any).error.message).toMatch(/only client keys \(fsc_…\) may be sent in the URL/);
  });

  it('never lets a key of one environment read another environment', async () => {
    const staging = await call(SDK_FLAGS, creds.stagingServer);
    const production = await call(SDK_FLAGS, creds.server);
    expect(staging.body.flags.checkout.on).toBe(false);
    expect(production.body.flags.checkout.on).toBe(true);
    const ofrep = await call(OFREP, creds.stagingServer);
    expect(ofrep.body).toMatchObject({ key: 'checkout', value: false, reason: 'DISABLED' });
    // No parameter, header or path picks another environment: the key alone decides.
    const sneaky = await server.api('GET', '/sdk/v1/flags?env=production', undefined, {
      Authorization: creds.stagingServer!,
      'X-Flagstaff-Env': 'production',
    });
    expect(sneaky.body.flags.checkout.on).toBe(false);
  });

  it('shows client keys only clientSide flags, on /sdk/v1/flags and on OFREP', async () => {
    const snapshot = await call(SDK_FLAGS, creds.client);
    expect(Object.keys(snapshot.body.flags)).toEqual(['banner']);
    expect((await call(OFREP, creds.client)).body).toMatchObject({ key: 'checkout', errorCode: 'FLAG_NOT_FOUND' });
    const bulk = await call({ method: 'POST', path: '/ofrep/v1/evaluate/flags', body: { context: { targetingKey: 'u' } } }, creds.client);
    expect(bulk.body.flags.map((f: { key: string }) => f.key)).toEqual(['banner']);
  });

  it('keeps only hashes: no listing or audit entry ever shows a secret again', async () => {
    const keys = await server.api('GET', '/api/v1/keys');
    const audit = await server.api('GET', '/api/v1/audit?action=key.*&limit=200');
    const shown = JSON.stringify([keys.body, audit.body]);
    for (const secret of Object.values(creds)) expect(shown).not.toContain(secret.slice(4));
    expect(keys.body.keys.find((k: { name: string }) => k.name === 'dashboard')).toMatchObject({
      kind: 'admin',
      scopes: ['read'],
      hint: expect.stringMatching(/^fsa_….{4}$/),
    });
  });

  it('records when each key was last used', async () => {
    const before = Date.now();
    const fresh = await createKey({ kind: 'server', env: 'production', name: 'fresh' });
    const listed = async () => (await server.api('GET', '/api/v1/keys')).body.keys.find((k: { id: string }) => k.id === fresh.id);
    expect((await listed()).lastUsedAt).toBeNull();
    expect((await call(SDK_FLAGS, fresh.key)).status).toBe(200);
    expect(Date.parse((await listed()).lastUsedAt)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('stops a key the moment it is revoked', async () => {
    const key = await createKey({ kind: 'server', env: 'production', name: 'short-lived' });
    expect((await call(SDK_FLAGS, key.key)).status).toBe(200);
    const revoked = await server.api('DELETE', `/api/v1/keys/${key.id}`);
    expect(revoked.body.revokedAt).toEqual(expect.any(String));
    const after = await call(SDK_FLAGS, key.key);
    expect(after.status).toBe(401);
    expect(after.body.error.message).toBe('this SDK key was revoked');
  });
});
