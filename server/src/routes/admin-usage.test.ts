// GET /api/v1/flags/:key/usage and /api/v1/environments/:env/sdk-instances (admin-usage.ts): what SDKs
// reported through POST /sdk/v1/usage, read back — per environment and variation, and which environment
// version each SDK instance applies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISO, testApp } from '../testing/app.js';

const server = testApp();
afterAll(() => server.close());

const report = (instanceId: string, version: number | null, flags: { key: string; variation: number | null; count: number }[]) =>
  server.api('POST', '/sdk/v1/usage', { instanceId, sdk: 'node/1.0.0', version, flags }, { Authorization: server.keys.server });

let envVersion: number;
beforeAll(async () => {
  expect((await server.api('POST', '/api/v1/flags', { key: 'checkout' })).status).toBe(201);
  expect((await server.api('POST', '/api/v1/flags', { key: 'unused' })).status).toBe(201);
  envVersion = (await server.api('GET', '/api/v1/environments/production')).body.version;
  expect((await report('i-old', envVersion - 2, [{ key: 'checkout', variation: 1, count: 5 }])).status).toBe(202);
  expect(
    (
      await report('i-new', envVersion, [
        { key: 'checkout', variation: 0, count: 2 },
        { key: 'checkout', variation: null, count: 1 },
      ])
    ).status,
  ).toBe(202);
});

describe('GET /api/v1/flags/:key/usage', () => {
  it('counts evaluations per environment and variation, the default served as variation null', async () => {
    const res = await server.api('GET', '/api/v1/flags/checkout/usage?env=production');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      flag: 'checkout',
      usage: [
        {
          env: 'production',
          lastEvaluatedAt: ISO,
          evaluations: 8,
          variations: expect.arrayContaining([
            { variation: 0, count: 2, lastEvaluatedAt: ISO },
            { variation: 1, count: 5, lastEvaluatedAt: ISO },
            { variation: null, count: 1, lastEvaluatedAt: ISO },
          ]),
        },
      ],
    });
  });

  it('answers every environment without env, and a flag nobody evaluated with nulls and zeros', async () => {
    const res = await server.api('GET', '/api/v1/flags/unused/usage');
    expect(res.body.usage.map((u: { env: string }) => u.env).sort()).toEqual(['development', 'production', 'staging']);
    for (const usage of res.body.usage) expect(usage).toMatchObject({ lastEvaluatedAt: null, evaluations: 0, variations: [] });
  });

  it.each<[string, string, number, string]>([
    ['a flag that does not exist', '/api/v1/flags/ghost/usage', 404, 'not_found'],
    ['an environment that does not exist', '/api/v1/flags/checkout/usage?env=moon', 404, 'not_found'],
    ['an empty env', '/api/v1/flags/checkout/usage?env=', 400, 'invalid_query'],
  ])('answers %s with %i %s', async (_, path, status, code) => {
    const res = await server.api('GET', path);
    expect([res.status, res.body.error.code]).toEqual([status, code]);
  });
});

describe('GET /api/v1/environments/:env/sdk-instances', () => {
  it('lists the instances most recently seen first, with how far behind the environment each is', async () => {
    const res = await server.api('GET', '/api/v1/environments/production/sdk-instances');
    expect(res.status).toBe(200);
    expect(res.body.env).toBe('production');
    expect(res.body.version).toBe(envVersion);
    const byId = Object.fromEntries(res.body.instances.map((i: { instanceId: string }) => [i.instanceId, i]));
    expect(byId['i-old']).toEqual({
      instanceId: 'i-old',
      sdk: 'node/1.0.0',
      keyId: expect.stringMatching(/^key_/),
      appliedVersion: envVersion - 2,
      behind: 2,
      firstSeenAt: ISO,
      lastSeenAt: ISO,
    });
    expect(byId['i-new']).toMatchObject({ appliedVersion: envVersion, behind: 0 });
    expect((await server.api('GET', '/api/v1/environments/staging/sdk-instances')).body.instances).toEqual([]);
  });

  it('says behind: null for an instance that has applied no version yet', async () => {
    await report('i-starting', null, []);
    const res = await server.api('GET', '/api/v1/environments/production/sdk-instances');
    expect(res.body.instances.find((i: { instanceId: string }) => i.instanceId === 'i-starting')).toMatchObject({
      appliedVersion: null,
      behind: null,
    });
  });

  it('answers 404 for an environment that does not exist', async () => {
    const res = await server.api('GET', '/api/v1/environments/moon/sdk-instances');
    expect([res.status, res.body.error]).toEqual([404, { code: 'not_found', message: 'environment "moon" does not exist' }]);
  });
});
