// Every lookup by a key the request names finds only what is really there: flag, segment and environment
// keys such as `constructor` or `toString` must not find Object.prototype's members (a 500 before), nor
// may a client key learn that a server-only flag of such a name exists.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../testing/app.js';

const PROTOTYPE_NAMES = ['toString', 'valueOf', 'hasOwnProperty', '__proto__', 'constructor', 'prototype'];

const t = testApp();
afterAll(() => t.close());

beforeAll(async () => {
  // Valid flag keys that are also Object.prototype's (or a function's) members; both server-only.
  for (const key of ['constructor', 'prototype']) {
    expect((await t.request('/api/v1/flags', { method: 'POST', json: { key } })).status).toBe(201);
    await t.request(`/api/v1/flags/${key}/environments/production`, { method: 'PATCH', json: { on: true } });
  }
  expect((await t.request('/api/v1/flags', { method: 'POST', json: { key: 'public', clientSide: true } })).status).toBe(201);
});

const ofrep = (key: string, sdkKey: string, path = `/ofrep/v1/evaluate/flags/${encodeURIComponent(key)}`) =>
  t.request(path, { method: 'POST', token: null, headers: { Authorization: sdkKey }, json: { context: { targetingKey: 'user-1' } } });

describe('OFREP single-flag evaluation', () => {
  it.each(PROTOTYPE_NAMES)('answers 404 FLAG_NOT_FOUND to a client key asking for %s', async (key) => {
    const res = await ofrep(key, t.keys.client);
    expect(res.status).toBe(404);
    // The same answer as for a flag that does not exist at all: a public key learns nothing.
    expect(await res.json()).toEqual({
      key,
      errorCode: 'FLAG_NOT_FOUND',
      errorDetails: `flag "${key}" does not exist in this environment`,
    });
  });

  it.each(['toString', 'valueOf', 'hasOwnProperty', '__proto__'])(
    'answers 404 FLAG_NOT_FOUND to a server key asking for %s',
    async (key) => {
      const res = await ofrep(key, t.keys.server);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { errorCode: string }).errorCode).toBe('FLAG_NOT_FOUND');
    },
  );

  it('evaluates server-only flags named constructor and prototype for a server key', async () => {
    for (const key of ['constructor', 'prototype']) {
      const res = await ofrep(key, t.keys.server);
      expect(res.status, key).toBe(200);
      expect(await res.json()).toMatchObject({ key, value: true, reason: 'STATIC' });
    }
  });

  it('reports a rollout by an attribute named constructor that the context lacks (it is not Object.prototype’s)', async () => {
    expect((await t.request('/api/v1/flags', { method: 'POST', json: { key: 'by-constructor' } })).status).toBe(201);
    const state = { on: true, fallthrough: { rollout: { bucketBy: 'constructor', weights: [50_000, 50_000] } } };
    expect((await t.request('/api/v1/flags/by-constructor/environments/production', { method: 'PATCH', json: state })).status).toBe(200);
    const res = await ofrep('by-constructor', t.keys.server);
    expect([res.status, await res.json()]).toEqual([
      400,
      {
        key: 'by-constructor',
        errorCode: 'INVALID_CONTEXT',
        errorDetails: 'flag "by-constructor" is rolled out by "constructor": give that attribute',
      },
    ]);
  });

  it('leaves server-only flags out of a client key’s bulk evaluation', async () => {
    const res = await t.request('/ofrep/v1/evaluate/flags', {
      method: 'POST',
      token: null,
      headers: { Authorization: t.keys.client },
      json: { context: {} },
    });
    expect(((await res.json()) as { flags: { key: string }[] }).flags.map((f) => f.key)).toEqual(['public']);
  });
});

describe('POST /api/v1/evaluate', () => {
  it.each(['toString', 'valueOf', 'hasOwnProperty', '__proto__'])('answers 404 for flag %s', async (flag) => {
    const res = await t.request('/api/v1/evaluate', { method: 'POST', json: { env: 'production', flag, context: { key: 'u' } } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('evaluates a flag named constructor', async () => {
    const res = await t.request('/api/v1/evaluate', {
      method: 'POST',
      json: { env: 'production', flag: 'constructor', context: { key: 'u' } },
    });
    expect(await res.json()).toMatchObject({ flag: 'constructor', flagVersion: 2, value: true });
  });

  it.each(PROTOTYPE_NAMES)('answers 404 for environment %s', async (env) => {
    const res = await t.request('/api/v1/evaluate', { method: 'POST', json: { env, flag: 'public', context: {} } });
    expect(res.status).toBe(404);
  });
});

describe('admin lookups by key', () => {
  it.each(PROTOTYPE_NAMES)('answers 404 for %s as an environment, a segment or a flag that does not exist', async (name) => {
    const key = encodeURIComponent(name);
    for (const path of [
      `/api/v1/environments/${key}`,
      `/api/v1/environments/production/segments/${key}`,
      `/api/v1/environments/${key}/sdk-instances`,
      ...(name === 'constructor' || name === 'prototype' ? [] : [`/api/v1/flags/${key}`, `/api/v1/flags/${key}/environments/production`]),
    ]) {
      expect((await t.request(path)).status, path).toBe(404);
    }
  });
});

describe('bucketBy', () => {
  it('refuses "__proto__" (400), in a flag state and in a rollout plan, and changes nothing', async () => {
    const before = await (await t.request('/api/v1/flags/public/environments/production')).json();
    const patched = await t.request('/api/v1/flags/public/environments/production', {
      method: 'PATCH',
      json: { fallthrough: { rollout: { bucketBy: '__proto__', weights: [50_000, 50_000] } } },
    });
    expect(patched.status).toBe(400);
    expect(((await patched.json()) as { error: { details: unknown } }).error.details).toEqual({
      issues: [{ path: 'fallthrough.rollout.bucketBy', message: 'bucketBy cannot be "__proto__": it is never an attribute of a context' }],
    });
    const plan = await t.request('/api/v1/rollout-plans', {
      method: 'POST',
      json: { flag: 'public', env: 'production', steps: [50, 100], holdSeconds: 60, bucketBy: '__proto__' },
    });
    expect(plan.status).toBe(400);
    expect(await (await t.request('/api/v1/flags/public/environments/production')).json()).toEqual(before);
  });
});
