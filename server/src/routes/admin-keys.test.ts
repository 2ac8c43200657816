// /api/v1/keys (admin-keys.ts): admin tokens and SDK keys — a secret shown once, listed by hint, revoked,
// audited, and the bad input refused. What a key may then call is auth.test.ts's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRefused, type BadInput } from '../../../test/helpers/bad-input.js';
import { ISO, testApp } from '../testing/app.js';

const server = testApp();
afterAll(() => server.close());

const ok = server.ok;

/** As test/helpers/server.ts's createKey: the new key's id and secret. */
async function createKey(body: {
  kind: 'admin' | 'server' | 'client';
  env?: string;
  scopes?: string[];
  name?: string;
}): Promise<{ id: string; key: string }> {
  return (await ok('POST', '/api/v1/keys', body)).body;
}

const latestAudit = async () => (await server.api('GET', '/api/v1/audit?limit=1')).body.entries[0];

beforeAll(async () => {
  await ok('POST', '/api/v1/environments', { key: 'qa' });
});

describe('keys', () => {
  it('creates a key shown once, lists it by hint, revokes it', async () => {
    const res = await server.api('POST', '/api/v1/keys', { kind: 'server', env: 'production', name: 'checkout-service' });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({
      id: expect.stringMatching(/^key_[0-9a-f]{12}$/),
      kind: 'server',
      name: 'checkout-service',
      env: 'production',
      hint: `fss_…${res.body.key.slice(-4)}`,
      createdAt: ISO,
      lastUsedAt: null,
      revokedAt: null,
      key: expect.stringMatching(/^fss_[\w-]{32}$/),
    });
    expect(await latestAudit()).toMatchObject({ action: 'key.create', env: 'production', resource: { kind: 'key', key: res.body.id } });
    const listed = (await ok('GET', '/api/v1/keys')).body.keys.find((k: { id: string }) => k.id === res.body.id);
    expect(listed).not.toHaveProperty('key');
    const revoked = await ok('DELETE', `/api/v1/keys/${res.body.id}`);
    expect(revoked.body.revokedAt).toEqual(ISO);
    expect(await latestAudit()).toMatchObject({ action: 'key.revoke', env: 'production', resource: { kind: 'key', key: res.body.id } });
    // Revoking it again changes nothing.
    const again = await ok('DELETE', `/api/v1/keys/${res.body.id}`);
    expect(again.body.revokedAt).toBe(revoked.body.revokedAt);
  });

  it('gives prefixes by kind, and admin tokens their scopes (default admin)', async () => {
    expect((await createKey({ kind: 'client', env: 'qa' })).key).toMatch(/^fsc_/);
    const admin = await server.api('POST', '/api/v1/keys', { kind: 'admin' });
    expect(admin.body).toMatchObject({ key: expect.stringMatching(/^fsa_/), scopes: ['admin'] });
  });
});

describe('bad input', () => {
  const bad = testApp();
  afterAll(() => bad.close());
  let selfKeyId: string;

  beforeAll(async () => {
    // Leave the admin token as the store's only one, as on a server's first start.
    const keys = (await bad.api('GET', '/api/v1/keys')).body.keys as { id: string; kind: string; name: string }[];
    for (const key of keys.filter((k) => k.kind === 'admin' && k.name !== 'bootstrap')) {
      expect((await bad.api('DELETE', `/api/v1/keys/${key.id}`)).status).toBe(200);
    }
    selfKeyId = keys.find((k) => k.name === 'bootstrap')!.id;
  });

  const cases: BadInput[] = [
    {
      name: 'a server key without an environment',
      method: 'POST',
      path: '/api/v1/keys',
      body: { kind: 'server' },
      status: 400,
      code: 'validation_failed',
      message: /^env: a server key belongs to one environment/,
      details: (d) => expect(d.issues[0].path).toBe('env'),
    },
    {
      name: 'an admin token tied to an environment',
      method: 'POST',
      path: '/api/v1/keys',
      body: { kind: 'admin', env: 'production' },
      status: 400,
      code: 'validation_failed',
      message: /^env: admin tokens are not tied to an environment/,
    },
    {
      name: 'an unknown key kind',
      method: 'POST',
      path: '/api/v1/keys',
      body: { kind: 'root' },
      status: 400,
      code: 'validation_failed',
      message: /kind is one of admin, server, client/,
      details: (d) => expect(d.issues[0].path).toBe('kind'),
    },
    {
      name: 'an unknown scope',
      method: 'POST',
      path: '/api/v1/keys',
      body: { kind: 'admin', scopes: ['everything'] },
      status: 400,
      code: 'validation_failed',
      message: /a scope is one of read, write, admin/,
      details: (d) => expect(d.issues[0].path).toBe('scopes[0]'),
    },
    {
      name: 'no scopes at all',
      method: 'POST',
      path: '/api/v1/keys',
      body: { kind: 'admin', scopes: [] },
      status: 400,
      code: 'validation_failed',
      message: /^scopes: give at least one scope/,
    },
    {
      name: 'a key for an environment that does not exist',
      method: 'POST',
      path: '/api/v1/keys',
      body: { kind: 'client', env: 'moon' },
      status: 404,
      code: 'not_found',
      message: /environment "moon"/,
    },
    {
      name: 'revoking the last admin token',
      method: 'DELETE',
      path: '/api/v1/keys/:self',
      status: 409,
      code: 'last_admin_token',
      message: /last admin token/,
    },
    {
      name: 'revoking a key that does not exist',
      method: 'DELETE',
      path: '/api/v1/keys/key_000000000000',
      status: 404,
      code: 'not_found',
      message: /key "key_000000000000" does not exist/,
    },
  ];

  it.each(cases)('$name → $status $code, store unchanged', (c) => expectRefused(bad, c, c.path.replace(':self', selfKeyId)));
});
