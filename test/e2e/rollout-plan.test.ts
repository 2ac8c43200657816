// Progressive rollout plans against a real server process: steps on schedule seen by a streaming SDK client,
// a restart in the middle of a plan, and the plan's API (pause, resume, abort, If-Match, errors).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, until, type RunningServer } from '../helpers/server.js';
import { watchStream } from '../helpers/stream-client.js';

let server: RunningServer;
let serverKey: string;

const weightsOf = (percent: number) => [100_000 - percent * 1000, percent * 1000];
const createFlag = async (key: string) => {
  expect((await server.api('POST', '/api/v1/flags', { key })).status).toBe(201);
  expect(
    (await server.api('PATCH', `/api/v1/flags/${key}/environments/production`, { on: true, fallthrough: { variation: 0 } })).status,
  ).toBe(200);
};
const createPlan = async (body: Record<string, unknown>) => {
  const res = await server.api('POST', '/api/v1/rollout-plans', { env: 'production', ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: number; version: number; nextStepAt: string };
};
const getPlan = async (id: number) => (await server.api('GET', `/api/v1/rollout-plans/${id}`)).body;
/** The flag_state.update entries a plan wrote itself: one per step it applied. */
const stepsTakenBy = async (id: number) =>
  (await server.api('GET', `/api/v1/audit?actor=rollout-plan:${id}&action=flag_state.update&limit=200`)).body.entries as Array<{
    after: { fallthrough: { rollout: { weights: number[] } } };
  }>;

beforeAll(async () => {
  server = await startServer();
  serverKey = (await server.api('POST', '/api/v1/keys', { kind: 'server', env: 'production' })).body.key;
});
afterAll(() => server?.stop());

describe('a rollout plan on a running server', () => {
  it('steps 5 → 25 → 50 → 100 on 1 s holds, and a streaming SDK sees every step', async () => {
    await createFlag('stepping');
    const stream = watchStream(server.url, serverKey);
    try {
      await until(() => stream.version() > 0, 10_000, 'the first put');
      const plan = await createPlan({ flag: 'stepping', steps: [5, 25, 50, 100], holdSeconds: 1 });
      const done = await until(
        async () => ((await getPlan(plan.id)).state === 'completed' ? getPlan(plan.id) : undefined),
        20_000,
        'the plan to complete',
      );
      expect(done).toMatchObject({ currentStep: 3, percent: 100, nextStepAt: null });

      const rollouts = () =>
        stream.events
          .filter((event) => event.type === 'patch' && event.data.key === 'stepping' && 'rollout' in event.data.value.fallthrough)
          .map((event) => event.data.value.fallthrough.rollout.weights);
      await until(() => rollouts().length >= 4, 5_000, 'a patch per step');
      expect(rollouts()).toEqual([5, 25, 50, 100].map(weightsOf));
      // The first step is the creator's; the other three are the plan's own, each audited once.
      expect((await stepsTakenBy(plan.id)).map((entry) => entry.after.fallthrough.rollout.weights)).toEqual([100, 50, 25].map(weightsOf));
    } finally {
      stream.close();
    }
  });

  it('applies a step that fell due while the server was down exactly once on start, then holds again', async () => {
    await createFlag('restarting');
    // A 1 s first hold falls due while the server is down; the 1 h second hold keeps the test from racing it.
    const plan = await createPlan({
      flag: 'restarting',
      steps: [{ percent: 5, holdSeconds: 1 }, { percent: 25, holdSeconds: 3600 }, { percent: 100 }],
    });
    await server.kill(); // no graceful shutdown: a crash
    const dueAt = Date.parse(plan.nextStepAt);
    await until(() => Date.now() > dueAt + 500, 10_000, 'the step to fall due while the server is down');
    const restartedAt = Date.now();
    await server.restart();

    const stepped = await until(
      async () => ((await getPlan(plan.id)).currentStep === 1 ? getPlan(plan.id) : undefined),
      10_000,
      'the due step',
    );
    expect(stepped).toMatchObject({ state: 'active', percent: 25 });
    // The next hold counts from when the late step was applied, not from when it was due.
    expect(Date.parse(stepped.nextStepAt) - restartedAt).toBeGreaterThanOrEqual(3_600_000);
    expect(await stepsTakenBy(plan.id)).toHaveLength(1);

    await server.restart();
    expect(await stepsTakenBy(plan.id)).toHaveLength(1);
    expect((await getPlan(plan.id)).currentStep).toBe(1);
    const state = (await server.api('GET', '/api/v1/flags/restarting/environments/production')).body;
    expect(state.fallthrough.rollout.weights).toEqual(weightsOf(25));
  });

  it('pauses, resumes and aborts with If-Match, and refuses a stale version with 409', async () => {
    await createFlag('operated');
    const plan = await createPlan({ flag: 'operated', steps: [5, 50, 100], holdSeconds: 3600 });
    const path = `/api/v1/rollout-plans/${plan.id}`;

    const paused = await server.api('POST', `${path}/pause`, undefined, {
      'If-Match': `"${plan.version}"`,
      'X-Flagstaff-Reason': 'p99 latency up',
    });
    expect(paused.status).toBe(200);
    expect(paused.headers.get('etag')).toBe(`"${plan.version + 1}"`);
    expect(paused.body).toMatchObject({ state: 'paused', nextStepAt: null, reason: 'p99 latency up' });

    const stale = await server.api('POST', `${path}/resume`, undefined, { 'If-Match': `"${plan.version}"` });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'version_conflict', details: { currentVersion: plan.version + 1 } });
    expect((await getPlan(plan.id)).state).toBe('paused');

    const resumed = await server.api('POST', `${path}/resume`, undefined, { 'If-Match': `"${plan.version + 1}"` });
    expect(resumed.body).toMatchObject({ state: 'active', currentStep: 0 });

    const aborted = await server.api('POST', `${path}/abort`, undefined, { 'X-Flagstaff-Reason': 'not this release' });
    expect(aborted.body).toMatchObject({ state: 'aborted', reason: 'not this release' });
    const finished = await server.api('POST', `${path}/resume`);
    expect(finished.status).toBe(409);
    expect(finished.body.error.code).toBe('plan_finished');

    const actions = (await server.api('GET', '/api/v1/audit?flag=operated&action=rollout_plan.*')).body.entries.map(
      (e: { action: string }) => e.action,
    );
    expect(actions).toEqual(['rollout_plan.abort', 'rollout_plan.resume', 'rollout_plan.pause', 'rollout_plan.create']);
  });

  it('pauses a plan when a person changes the flag, naming who did', async () => {
    await createFlag('hand-changed');
    const plan = await createPlan({ flag: 'hand-changed', steps: [5, 50, 100], holdSeconds: 3600 });
    await server.api('PATCH', '/api/v1/flags/hand-changed/environments/production', { on: false });
    const paused = await until(
      async () => ((await getPlan(plan.id)).state === 'paused' ? getPlan(plan.id) : undefined),
      5_000,
      'the pause',
    );
    expect(paused.reason).toMatch(/^flag turned off by /);
  });

  it.each([
    ['steps that go down', { flag: 'stepping', steps: [50, 25], holdSeconds: 60 }, 400, 'validation_failed', 'steps[1]'],
    ['a hold under a second', { flag: 'stepping', steps: [5, 100], holdSeconds: 0 }, 400, 'validation_failed', 'steps[0]'],
    ['an unknown flag', { flag: 'nope', steps: [5, 100], holdSeconds: 60 }, 404, 'not_found', undefined],
    ['an unknown field', { flag: 'stepping', steps: [5, 100], hold: '1h' }, 400, 'validation_failed', 'hold'],
  ])('refuses %s with the error contract of docs/api.md', async (_case, body, status, code, path) => {
    const res = await server.api('POST', '/api/v1/rollout-plans', { env: 'production', ...body });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    if (path !== undefined) expect(res.body.error.details.issues.map((i: { path: string }) => i.path)).toContain(path);
  });

  it('answers 404 for a plan that does not exist', async () => {
    for (const id of ['999999', 'abc']) expect((await server.api('POST', `/api/v1/rollout-plans/${id}/pause`)).status).toBe(404);
  });
});
