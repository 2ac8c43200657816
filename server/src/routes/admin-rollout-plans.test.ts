// /api/v1/rollout-plans (admin-rollout-plans.ts): creating a plan (with its warnings), listing, reading,
// pausing, resuming and aborting it under its version, each audited, and what each route refuses.
import { afterAll, describe, expect, it } from 'vitest';
import { testApp } from '../testing/app.js';

const t = testApp();
afterAll(() => t.close());

const createPlan = async (flag: string) => {
  expect((await t.request('/api/v1/flags', { method: 'POST', json: { key: flag } })).status).toBe(201);
  return t.request('/api/v1/rollout-plans', { method: 'POST', json: { flag, env: 'production', steps: [5, 25, 100], holdSeconds: 3600 } });
};

describe('POST /api/v1/rollout-plans', () => {
  it('says, on a flag that is off, that nobody sees the first step and the plan waits for on', async () => {
    const res = await createPlan('dark');
    expect(res.status).toBe(201);
    const body = (await res.json()) as { percent: number; warnings: unknown };
    expect(body.percent).toBe(5);
    expect(body.warnings).toEqual([
      {
        code: 'flag_off',
        message:
          'flag "dark" is off in production: the first step (5%) is set but serves nobody, and the plan waits for the flag to be turned on; its next step comes one hold after that',
      },
    ]);
    // Only the answer to the creation carries them.
    const plan = (await (await t.request(`/api/v1/rollout-plans/${(body as unknown as { id: number }).id}`)).json()) as object;
    expect(plan).not.toHaveProperty('warnings');
  });

  it('has no warnings on a flag that is on', async () => {
    expect((await t.request('/api/v1/flags', { method: 'POST', json: { key: 'lit' } })).status).toBe(201);
    await t.request('/api/v1/flags/lit/environments/production', { method: 'PATCH', json: { on: true, fallthrough: { variation: 0 } } });
    const res = await t.request('/api/v1/rollout-plans', {
      method: 'POST',
      json: { flag: 'lit', env: 'production', steps: [5, 100], holdSeconds: 60 },
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { warnings: unknown }).warnings).toEqual([]);
  });
});

describe('a plan’s life', () => {
  const server = testApp();
  afterAll(() => server.close());
  const latestAudit = async () => (await server.api('GET', '/api/v1/audit?limit=1')).body.entries[0];
  let id: number;

  it('creates a plan with its version as ETag, setting the first step, audited', async () => {
    expect((await server.api('POST', '/api/v1/flags', { key: 'checkout' })).status).toBe(201);
    const res = await server.api('POST', '/api/v1/rollout-plans', {
      flag: 'checkout',
      env: 'production',
      steps: [10, 50, 100],
      holdSeconds: 3600,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ flag: 'checkout', env: 'production', state: 'active', percent: 10 });
    expect(res.headers.get('etag')).toBe(`"${res.body.version}"`);
    id = res.body.id;
    expect(await latestAudit()).toMatchObject({
      action: 'rollout_plan.create',
      env: 'production',
      resource: { kind: 'flag', key: 'checkout' },
    });
  });

  it('lists plans, filtered by flag, environment and state', async () => {
    const ids = async (query: string) =>
      (await server.api('GET', `/api/v1/rollout-plans${query}`)).body.plans.map((p: { id: number }) => p.id);
    expect(await ids('')).toEqual([id]);
    expect(await ids('?flag=checkout&env=production&state=active')).toEqual([id]);
    expect(await ids('?env=staging')).toEqual([]);
    expect(await ids('?state=paused')).toEqual([]);
  });

  it('pauses, resumes and aborts, each audited, and refuses to move a finished plan', async () => {
    for (const [action, state] of [
      ['pause', 'paused'],
      ['resume', 'active'],
      ['abort', 'aborted'],
    ] as const) {
      const res = await server.api('POST', `/api/v1/rollout-plans/${id}/${action}`, undefined, { 'X-Flagstaff-Reason': `${action} it` });
      expect([res.status, res.body.state], action).toEqual([200, state]);
      expect(res.headers.get('etag')).toBe(`"${res.body.version}"`);
      expect(await latestAudit()).toMatchObject({ action: `rollout_plan.${action}`, reason: `${action} it` });
    }
    for (const action of ['pause', 'resume']) {
      const res = await server.api('POST', `/api/v1/rollout-plans/${id}/${action}`);
      expect([res.status, res.body.error.code], action).toEqual([409, 'plan_finished']);
    }
  });

  it.each<[string, string, string, number, string]>([
    ['a plan that does not exist', 'GET', '/api/v1/rollout-plans/999', 404, 'not_found'],
    ['an id that is not a number', 'GET', '/api/v1/rollout-plans/abc', 404, 'not_found'],
    ['pausing a plan that does not exist', 'POST', '/api/v1/rollout-plans/999/pause', 404, 'not_found'],
    ['a state that is not one', 'GET', '/api/v1/rollout-plans?state=done', 400, 'invalid_query'],
  ])('answers %s with %i %s', async (_, method, path, status, code) => {
    const res = await server.api(method, path);
    expect([res.status, res.body.error.code]).toEqual([status, code]);
  });

  it.each<[string, unknown, number, string, string]>([
    ['a flag that does not exist', { flag: 'ghost', env: 'production', steps: [50, 100], holdSeconds: 60 }, 404, 'not_found', ''],
    ['no steps', { flag: 'checkout', env: 'production', steps: [], holdSeconds: 60 }, 400, 'validation_failed', 'steps'],
    [
      'steps that go down',
      { flag: 'checkout', env: 'production', steps: [50, 10, 100], holdSeconds: 60 },
      400,
      'validation_failed',
      'steps[1]',
    ],
    ['a step over 100', { flag: 'checkout', env: 'production', steps: [50, 150], holdSeconds: 60 }, 400, 'validation_failed', 'steps[1]'],
    [
      'an unknown field',
      { flag: 'checkout', env: 'production', steps: [50, 100], holdSeconds: 60, speed: 'fast' },
      400,
      'validation_failed',
      'speed',
    ],
  ])('refuses %s, creating nothing', async (_, body, status, code, path) => {
    const before = (await server.api('GET', '/api/v1/rollout-plans?state=active')).body.plans.length;
    const res = await server.api('POST', '/api/v1/rollout-plans', body);
    expect([res.status, res.body.error.code]).toEqual([status, code]);
    if (path) expect(res.body.error.details.issues[0].path).toBe(path);
    expect((await server.api('GET', '/api/v1/rollout-plans?state=active')).body.plans.length).toBe(before);
  });

  it('refuses a second open plan for the same flag with 409', async () => {
    const first = await server.api('POST', '/api/v1/rollout-plans', {
      flag: 'checkout',
      env: 'production',
      steps: [10, 100],
      holdSeconds: 60,
    });
    expect(first.status).toBe(201);
    const second = await server.api('POST', '/api/v1/rollout-plans', {
      flag: 'checkout',
      env: 'production',
      steps: [20, 100],
      holdSeconds: 60,
    });
    expect([second.status, second.body.error.code]).toEqual([409, 'already_exists']);
  });
});
