// /api/v1/flags/:key/environments/:env (admin-flag-states.ts): a flag's state in one environment — read
// with its ETag, PATCHed and PUT under If-Match, audited with the reason, and the bad input refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRefused, type BadInput } from '../../../test/helpers/bad-input.js';
import { ISO, testApp } from '../testing/app.js';

const t = testApp();
afterAll(() => t.close());
beforeAll(async () => {
  expect((await t.request('/api/v1/flags', { method: 'POST', json: { key: 'checkout' } })).status).toBe(201);
});

const STATE = '/api/v1/flags/checkout/environments/production';
const twice = [
  { variation: 1, values: ['user-1', 'user-2'] },
  { variation: 0, values: ['user-2'] },
];

describe('a key listed in two targets', () => {
  it('is refused when written, naming both targets, and changes nothing', async () => {
    const before = await (await t.request(STATE)).json();
    const patched = await t.request(STATE, { method: 'PATCH', json: { targets: twice } });
    expect(patched.status).toBe(400);
    expect(((await patched.json()) as { error: { details: unknown } }).error.details).toEqual({
      issues: [{ path: 'targets[1].values[0]', message: '"user-2" is already targeted by targets[0]' }],
    });
    const { version } = before as { version: number };
    const put = await t.request(STATE, {
      method: 'PUT',
      headers: { 'If-Match': `"${version}"` },
      json: { on: true, offVariation: 0, targets: twice, rules: [], fallthrough: { variation: 0 } },
    });
    expect(put.status).toBe(400);
    expect(((await put.json()) as { error: { message: string } }).error.message).toBe(
      'targets[1].values[0]: "user-2" is already targeted by targets[0]',
    );
    expect(await (await t.request(STATE)).json()).toEqual(before);
  });
});

describe("a flag's state in one environment", () => {
  const server = testApp();
  afterAll(() => server.close());
  const PATH = '/api/v1/flags/new-checkout/environments/production';

  async function ok(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
    const res = await server.api(method, path, body, headers);
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res;
  }
  const latestAudit = async () => (await server.api('GET', '/api/v1/audit?limit=1')).body.entries[0];
  const envVersion = async (env: string) => (await server.api('GET', `/api/v1/environments/${env}`)).body.version;

  beforeAll(async () => {
    await ok('POST', '/api/v1/flags', { key: 'new-checkout' });
    await ok('POST', '/api/v1/flags', { key: 'theme', kind: 'string', variations: ['light', 'dark', 'sepia'] });
  });

  it('reads the state with its version as ETag', async () => {
    const res = await ok('GET', PATH);
    expect(res.headers.get('etag')).toBe(`"${res.body.version}"`);
    expect(res.body).toEqual({
      version: 1,
      on: false,
      offVariation: 0,
      targets: [],
      rules: [],
      fallthrough: { variation: 1 },
      updatedAt: ISO,
    });
  });

  it('PATCHes fields under If-Match: bumps the state and the environment, audits before and after with the reason', async () => {
    const prod = await envVersion('production');
    const staging = await envVersion('staging');
    const res = await server.api(
      'PATCH',
      PATH,
      { on: true },
      { 'If-Match': '"1"', 'X-Flagstaff-Reason': encodeURIComponent('Go live — ticket #42') },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"2"');
    expect(res.body).toMatchObject({ version: 2, on: true });
    expect(await envVersion('production')).toBe(prod + 1);
    expect(await envVersion('staging')).toBe(staging);
    expect(await latestAudit()).toMatchObject({
      action: 'flag_state.update',
      env: 'production',
      actor: { kind: 'admin', id: expect.stringMatching(/^key_/), name: 'bootstrap' },
      resource: { kind: 'flag', key: 'new-checkout' },
      reason: 'Go live — ticket #42',
      before: { version: 1, on: false },
      after: { version: 2, on: true },
      at: ISO,
    });
  });

  it('PUTs the whole state (targets, rules, rollout) and accepts a state read with GET as it is', async () => {
    await ok('POST', '/api/v1/environments/production/segments', {
      key: 'staff',
      rules: [{ clauses: [{ attribute: 'email', op: 'endsWith', values: ['@example.com'] }] }],
    });
    const current = await ok('GET', PATH);
    const state = {
      ...current.body,
      targets: [{ variation: 1, values: ['user-1', 'user-2'] }],
      rules: [
        { id: 'africa', clauses: [{ attribute: 'country', op: 'in', values: ['ZA', 'NG', 'KE'] }], serve: { variation: 1 } },
        {
          id: 'staff',
          clauses: [{ attribute: '', op: 'segmentMatch', values: ['staff'] }],
          serve: { rollout: { bucketBy: 'key', weights: [50000, 50000] } },
        },
      ],
      fallthrough: { rollout: { bucketBy: 'key', weights: [75000, 25000] } },
    };
    const res = await server.api('PUT', PATH, state, { 'If-Match': current.headers.get('etag')! });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe(`"${current.body.version + 1}"`);
    expect(res.body).toMatchObject({
      version: current.body.version + 1,
      targets: state.targets,
      rules: state.rules,
      fallthrough: state.fallthrough,
    });
    expect(await latestAudit()).toMatchObject({
      action: 'flag_state.update',
      env: 'production',
      before: { version: current.body.version },
      after: { version: current.body.version + 1 },
    });
  });

  it('lets a PUT with If-Match: * overwrite whatever version is there', async () => {
    const current = await ok('GET', PATH);
    const res = await server.api('PUT', PATH, { ...current.body, on: false }, { 'If-Match': '*' });
    expect([res.status, res.body.version, res.body.on]).toEqual([200, current.body.version + 1, false]);
    await ok('PATCH', PATH, { on: true });
  });

  it('treats a write that changes nothing as no change: no version, no audit entry', async () => {
    const current = await ok('GET', PATH);
    const audit = await latestAudit();
    const res = await ok('PATCH', PATH, { on: true });
    expect(res.body.version).toBe(current.body.version);
    expect((await latestAudit()).id).toBe(audit.id);
  });

  it('sets offVariation, the kill switch', async () => {
    await ok('PATCH', '/api/v1/flags/theme/environments/production', { on: false, offVariation: 2 });
    const res = await ok('POST', '/api/v1/evaluate', { env: 'production', flag: 'theme', context: { key: 'u' } });
    expect(res.body).toMatchObject({ value: 'sepia', variationIndex: 2, reason: { kind: 'OFF' } });
  });

  it('answers 404 for the state of a flag, or in an environment, that does not exist', async () => {
    for (const path of ['/api/v1/flags/ghost/environments/production', '/api/v1/flags/new-checkout/environments/moon']) {
      const res = await server.api('GET', path);
      expect([res.status, res.body.error.code], path).toEqual([404, 'not_found']);
    }
  });
});

describe('bad input', () => {
  const server = testApp();
  afterAll(() => server.close());
  const PROD_STATE = '/api/v1/flags/checkout/environments/production';
  const rule = (clause: Record<string, unknown>) => ({ rules: [{ id: 'r1', clauses: [clause], serve: { variation: 1 } }] });
  let stateVersion: number;

  beforeAll(async () => {
    const ok = async (method: string, path: string, body?: unknown) => {
      const res = await server.api(method, path, body);
      if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    await ok('POST', '/api/v1/environments/production/segments', { key: 'beta', included: ['user-1'] });
    await ok('POST', '/api/v1/flags', { key: 'checkout' });
    stateVersion = (await ok('PATCH', PROD_STATE, rule({ attribute: '', op: 'segmentMatch', values: ['beta'] }))).version;
    await ok('POST', '/api/v1/flags', { key: 'retired' });
    await ok('POST', '/api/v1/flags/retired/archive');
  });

  const cases: BadInput[] = [
    {
      name: '"on" that is not a boolean',
      method: 'PATCH',
      path: PROD_STATE,
      body: { on: 'yes' },
      status: 400,
      code: 'validation_failed',
      message: /^on: /,
      details: (d) => expect(d.issues[0].path).toBe('on'),
    },
    {
      name: 'an offVariation out of range',
      method: 'PATCH',
      path: PROD_STATE,
      body: { offVariation: 5 },
      status: 400,
      code: 'validation_failed',
      message: /^offVariation: /,
      details: (d) => expect(d.issues[0].path).toBe('offVariation'),
    },
    {
      name: 'rollout weights that do not sum to 100000',
      method: 'PATCH',
      path: PROD_STATE,
      body: { fallthrough: { rollout: { bucketBy: 'key', weights: [50000, 40000] } } },
      status: 400,
      code: 'validation_failed',
      message: /^fallthrough\.rollout\.weights: weights must sum to 100000, not 90000/,
      details: (d) => expect(d.issues[0].path).toBe('fallthrough.rollout.weights'),
    },
    {
      name: 'an unknown clause operator',
      method: 'PATCH',
      path: PROD_STATE,
      body: rule({ attribute: 'country', op: 'equals', values: ['ZA'] }),
      status: 400,
      code: 'validation_failed',
      message: /^rules\[0\]\.clauses\[0\]\.op: /,
      details: (d) => expect(d.issues[0].path).toBe('rules[0].clauses[0].op'),
    },
    {
      name: 'a segmentMatch on a segment that does not exist',
      method: 'PATCH',
      path: PROD_STATE,
      body: rule({ attribute: '', op: 'segmentMatch', values: ['nobody'] }),
      status: 400,
      code: 'validation_failed',
      message: /^rules\[0\]\.clauses\[0\]\.values\[0\]: unknown segment "nobody"/,
    },
    {
      name: 'a regular expression that does not compile',
      method: 'PATCH',
      path: PROD_STATE,
      body: rule({ attribute: 'email', op: 'matches', values: ['(unclosed'] }),
      status: 400,
      code: 'validation_failed',
      message: /^rules\[0\]\.clauses\[0\]\.values\[0\]: invalid regular expression/,
    },
    {
      name: 'a target naming a variation that does not exist',
      method: 'PATCH',
      path: PROD_STATE,
      body: { targets: [{ variation: 7, values: ['user-1'] }] },
      status: 400,
      code: 'validation_failed',
      message: /^targets\[0\]\.variation: /,
    },
    {
      name: 'an unknown field',
      method: 'PATCH',
      path: PROD_STATE,
      body: { enabled: true },
      status: 400,
      code: 'validation_failed',
      message: /^enabled: unknown field "enabled"/,
    },
    {
      name: 'a PUT without If-Match',
      method: 'PUT',
      path: PROD_STATE,
      body: { on: true, offVariation: 0, targets: [], rules: [], fallthrough: { variation: 1 } },
      status: 428,
      code: 'precondition_required',
      message: /If-Match/,
    },
    {
      name: 'a PUT that leaves out a field',
      method: 'PUT',
      path: PROD_STATE,
      headers: () => ({ 'If-Match': `"${stateVersion}"` }),
      body: { on: true, offVariation: 0, targets: [], rules: [] },
      status: 400,
      code: 'validation_failed',
      message: /^fallthrough: /,
      details: (d) => expect(d.issues[0].path).toBe('fallthrough'),
    },
    {
      name: 'a PUT with a stale If-Match',
      method: 'PUT',
      path: PROD_STATE,
      headers: () => ({ 'If-Match': `"${stateVersion - 1}"` }),
      body: { on: true, offVariation: 0, targets: [], rules: [], fallthrough: { variation: 1 } },
      status: 409,
      code: 'version_conflict',
      message: /it changed since it was read/,
    },
    {
      name: 'an If-Match that is not a version',
      method: 'PATCH',
      path: PROD_STATE,
      headers: { 'If-Match': 'yesterday' },
      body: { on: true },
      status: 400,
      code: 'validation_failed',
      message: /^If-Match: expected a version/,
      details: (d) => expect(d.issues[0].path).toBe('If-Match'),
    },
    {
      name: 'a stale If-Match',
      method: 'PATCH',
      path: PROD_STATE,
      headers: () => ({ 'If-Match': `"${stateVersion - 1}"` }),
      body: { on: true },
      status: 409,
      code: 'version_conflict',
      message: /^flag "checkout" in production is at version \d+, not \d+: it changed since it was read; read it again$/,
      details: (d) => expect(d.currentVersion).toBe(stateVersion),
    },
    {
      name: 'a state change of an archived flag',
      method: 'PATCH',
      path: '/api/v1/flags/retired/environments/production',
      body: { on: true },
      status: 409,
      code: 'archived',
      message: /archived/,
    },
    {
      name: 'the state of a flag that does not exist',
      method: 'PATCH',
      path: '/api/v1/flags/ghost/environments/production',
      body: { on: true },
      status: 404,
      code: 'not_found',
      message: /flag "ghost" does not exist/,
    },
    {
      name: 'the state in an environment that does not exist',
      method: 'PATCH',
      path: '/api/v1/flags/checkout/environments/moon',
      body: { on: true },
      status: 404,
      code: 'not_found',
      message: /environment "moon" does not exist/,
    },
    {
      name: 'a reason over 500 characters',
      method: 'PATCH',
      path: PROD_STATE,
      headers: { 'X-Flagstaff-Reason': 'r'.repeat(501) },
      body: { on: true },
      status: 400,
      code: 'validation_failed',
      message: /^X-Flagstaff-Reason: at most 500 characters/,
    },
  ];

  it.each(cases)('$name → $status $code, store unchanged', (c) => expectRefused(server, c));

  it('lists every problem of a body, each with its path', async () => {
    const res = await server.api('PATCH', PROD_STATE, { on: 'yes', offVariation: -1 });
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['offVariation', 'on']);
    expect(res.body.error.message).toMatch(/\(and 1 more\)$/);
  });
});
