// Firing alerts meeting progressive rollouts, end to end: a plan stepping on 1 s holds rolled back and aborted
// by a kill rule with action `rollback` (and staying aborted), and a plan paused by a kill rule with action `off`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertmanagerBody, amAlert } from '../../server/src/alerts/testing/payloads.js';
import { startServer, until, type RunningServer } from '../helpers/server.js';

const ENV = 'production';
let server: RunningServer;
let hook: { url: string; secret: string };

const fire = async (alertname: string) => {
  const notification = alertmanagerBody([amAlert({ status: 'firing', labels: { alertname, severity: 'page' } })]);
  const res = await fetch(hook.url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${hook.secret}` },
    body: JSON.stringify(notification),
  });
  expect(res.status).toBe(200);
};
const getPlan = async (id: number) => (await server.api('GET', `/api/v1/rollout-plans/${id}`)).body;
const flagState = async () => (await server.api('GET', `/api/v1/flags/new-checkout/environments/${ENV}`)).body;

beforeAll(async () => {
  server = await startServer();
  expect((await server.api('POST', '/api/v1/flags', { key: 'new-checkout' })).status).toBe(201);
  expect(
    (await server.api('PATCH', `/api/v1/flags/new-checkout/environments/${ENV}`, { on: true, fallthrough: { variation: 0 } })).status,
  ).toBe(200);
  hook = (await server.api('POST', `/api/v1/environments/${ENV}/hooks`, { provider: 'alertmanager' })).body;
  const rule = await server.api('POST', `/api/v1/environments/${ENV}/kill-rules`, {
    alert: 'HighErrorRate',
    flag: 'new-checkout',
    action: 'rollback',
  });
  expect(rule.status).toBe(201);
  expect((await server.api('POST', '/api/v1/flags', { key: 'search' })).status).toBe(201);
  expect((await server.api('PATCH', `/api/v1/flags/search/environments/${ENV}`, { on: true, fallthrough: { variation: 0 } })).status).toBe(
    200,
  );
  const off = await server.api('POST', `/api/v1/environments/${ENV}/kill-rules`, { alert: 'SearchDown', flag: 'search', action: 'off' });
  expect(off.status).toBe(201);
});

afterAll(() => server?.stop());

describe('a kill rule with action rollback', () => {
  it('rolls a stepping plan back to 0 %, aborts it with the alert as the reason, and nothing steps it up again', async () => {
    const created = await server.api('POST', '/api/v1/rollout-plans', {
      flag: 'new-checkout',
      env: ENV,
      steps: [5, 25, 50, 75, 100],
      holdSeconds: 1,
    });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    await until(async () => (await getPlan(id)).currentStep >= 1, 10_000, 'the plan to take its second step');

    await fire('HighErrorRate');

    const aborted = await getPlan(id);
    expect(aborted).toMatchObject({ state: 'aborted', nextStepAt: null, reason: expect.stringContaining('HighErrorRate') });
    expect(aborted.stateChangedBy.kind).toBe('hook');
    expect((await flagState()).fallthrough).toEqual({ rollout: { bucketBy: 'key', weights: [100_000, 0] } });

    // Absence can only be shown by letting time pass: two holds after the kill, the plan has not moved.
    const killedAt = Date.now();
    await until(() => Date.now() > killedAt + 2_000, 5_000, 'two holds to pass');
    expect(await getPlan(id)).toMatchObject({ state: 'aborted', currentStep: aborted.currentStep, version: aborted.version });
    expect((await flagState()).fallthrough.rollout.weights).toEqual([100_000, 0]);

    const audit = (await server.api('GET', `/api/v1/audit?flag=new-checkout&env=${ENV}&action=rollout_plan.abort`)).body.entries;
    expect(audit).toHaveLength(1);
    expect(audit[0].actor.kind).toBe('hook');
  });

  it('with action off instead, pauses the plan: it never raises a flag an alert switched off', async () => {
    const created = await server.api('POST', '/api/v1/rollout-plans', { flag: 'search', env: ENV, steps: [5, 50, 100], holdSeconds: 3600 });
    expect(created.status).toBe(201);
    await fire('SearchDown');
    const paused = await until(
      async () => ((await getPlan(created.body.id)).state === 'paused' ? getPlan(created.body.id) : undefined),
      5_000,
      'the pause',
    );
    expect(paused.reason).toMatch(/^flag turned off by /);
    expect((await server.api('GET', `/api/v1/flags/search/environments/${ENV}`)).body.on).toBe(false);
  });
});
