// /ofrep/v1 (ofrep.ts): OFREP's status codes and bodies — one flag, bulk evaluation with its ETag and
// 304, per-flag failures, what client keys see, and who may call. The OpenFeature SDK's own OFREP provider
// against a real server is test/e2e/server-ofrep.test.ts's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../testing/app.js';
import { seedOfrepFlags } from '../../../test/helpers/ofrep-fixture.js';

const server = testApp();
afterAll(() => server.close());
const serverKey = server.keys.server;
const clientKey = server.keys.client;

const ok = async (method: string, path: string, body?: unknown) => (await server.ok(method, path, body)).body;

function ofrep(path: string, body: unknown, key = serverKey, headers: Record<string, string> = {}) {
  return server.api('POST', `/ofrep/v1/evaluate/flags${path}`, body, { Authorization: `Bearer ${key}`, ...headers });
}

beforeAll(async () => {
  await seedOfrepFlags(ok);
});

describe('OFREP on the wire', () => {
  it('answers one flag with key, value, reason, variant and metadata', async () => {
    const res = await ofrep('/new-checkout', { context: { targetingKey: 'u-1', country: 'ZA' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      key: 'new-checkout',
      value: true,
      reason: 'TARGETING_MATCH',
      variant: '1',
      metadata: { flagVersion: 2, ruleId: 'africa' },
    });
  });

  it.each([
    ['an unknown flag', '/nope', { context: { targetingKey: 'u' } }, 404, 'FLAG_NOT_FOUND'],
    ['a body that is not JSON', '/new-checkout', '{"context":', 400, 'PARSE_ERROR'],
    ['a context that is not an object', '/new-checkout', { context: 'u-1' }, 400, 'INVALID_CONTEXT'],
    ['a targetingKey that is not a string', '/new-checkout', { context: { targetingKey: 42 } }, 400, 'INVALID_CONTEXT'],
    ['a rollout without a targetingKey', '/new-checkout', { context: { country: 'FR' } }, 400, 'TARGETING_KEY_MISSING'],
  ])('answers %s with %i and errorCode %s', async (_name, path, body, status, errorCode) => {
    const res = await ofrep(path, body);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ key: path.slice(1), errorCode, errorDetails: expect.any(String) });
    expect(res.body.errorDetails.length).toBeGreaterThan(10);
  });

  it('answers bulk evaluation with every visible flag, and 304 for an unchanged ETag', async () => {
    const body = { context: { targetingKey: 'u-1', country: 'FR' } };
    const res = await ofrep('', body);
    expect(res.status).toBe(200);
    expect(res.body.flags.map((f: { key: string }) => f.key)).toEqual(['layout', 'max-items', 'new-checkout', 'theme']);
    const etag = res.headers.get('etag')!;
    expect((await ofrep('', body, serverKey, { 'If-None-Match': etag })).status).toBe(304);
    // Another context is another answer.
    expect((await ofrep('', { context: { targetingKey: 'u-2' } }, serverKey, { 'If-None-Match': etag })).status).toBe(200);
    await ok('PATCH', '/api/v1/flags/layout/environments/production', { on: true });
    expect((await ofrep('', body, serverKey, { 'If-None-Match': etag })).status).toBe(200);
  });

  it('puts per-flag failures inside a bulk answer, and refuses a bad bulk body with 400', async () => {
    const res = await ofrep('', { context: { country: 'FR' } });
    expect(res.body.flags.find((f: { key: string }) => f.key === 'new-checkout')).toMatchObject({ errorCode: 'TARGETING_KEY_MISSING' });
    const bad = await ofrep('', '[1, 2');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ errorCode: 'PARSE_ERROR', errorDetails: expect.stringContaining('not valid JSON') });
  });

  it('shows client keys only clientSide flags', async () => {
    const res = await ofrep('', { context: { targetingKey: 'u' } }, clientKey);
    expect(res.body.flags.map((f: { key: string }) => f.key)).toEqual(['theme']);
  });

  it('answers 401 without a key and 403 for an admin token', async () => {
    expect((await server.api('POST', '/ofrep/v1/evaluate/flags/theme', {}, { Authorization: '' })).status).toBe(401);
    expect((await server.api('POST', '/ofrep/v1/evaluate/flags/theme', {})).status).toBe(403);
  });
});

describe('OFREP answers', () => {
  beforeAll(async () => {
    await ok('POST', '/api/v1/flags', { key: 'sidebar', kind: 'json', variations: [{ cols: 1 }, { cols: 2 }] });
  });

  it.each([
    [
      'a string flag, static',
      '/theme',
      { context: { targetingKey: 'u-1' } },
      { key: 'theme', value: 'dark', reason: 'STATIC', variant: '1' },
    ],
    [
      'a number flag, by target',
      '/max-items',
      { context: { targetingKey: 'vip' } },
      { key: 'max-items', value: 50, reason: 'TARGETING_MATCH', variant: '1' },
    ],
    [
      'a json flag that is off',
      '/sidebar',
      { context: { targetingKey: 'u-1' } },
      { key: 'sidebar', value: { cols: 1 }, reason: 'DISABLED', variant: '0' },
    ],
    [
      'a rollout',
      '/new-checkout',
      { context: { targetingKey: 'u-1', country: 'FR' } },
      { key: 'new-checkout', value: true, reason: 'SPLIT' },
    ],
  ])('evaluates %s', async (_name, path, body, expected) => {
    const res = await ofrep(path, body);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject(expected);
  });

  it('answers an archived flag as one that does not exist', async () => {
    const res = await ofrep('/retired', { context: { targetingKey: 'u' } });
    expect([res.status, res.body.errorCode]).toEqual([404, 'FLAG_NOT_FOUND']);
  });

  it('evaluates with an empty context when the body is empty', async () => {
    const res = await server.request('/ofrep/v1/evaluate/flags/theme', {
      method: 'POST',
      token: null,
      headers: { Authorization: serverKey },
    });
    expect([res.status, ((await res.json()) as { value: unknown }).value]).toEqual([200, 'dark']);
  });

  it('gives a client key an ETag of its own', async () => {
    const body = { context: { targetingKey: 'u' } };
    const serverTag = (await ofrep('', body)).headers.get('etag')!;
    const client = await ofrep('', body, clientKey, { 'If-None-Match': serverTag });
    expect(client.status).toBe(200);
    expect(client.headers.get('etag')).not.toBe(serverTag);
  });

  it('refuses an unknown or revoked key with 401, in the admin error shape', async () => {
    const res = await server.api('POST', '/ofrep/v1/evaluate/flags/theme', {}, { Authorization: 'fss_unknown' });
    expect([res.status, res.body]).toEqual([401, { error: { code: 'unauthorized', message: 'unknown SDK key' } }]);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });
});
