// The webhook receivers over real HTTP: each provider's documented payload, the answers senders act on
// (2xx delivered, 4xx dropped), bearer and HMAC credentials, replayed signatures, and the audit trail of
// refused attempts.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { alertmanagerBody, amAlert, datadogBody, grafanaBody } from '../../server/src/alerts/testing/payloads.js';
import { startServer, type RunningServer } from '../helpers/server.js';

const ENV = 'production';
let server: RunningServer;
type Hook = { id: string; url: string; secret: string };
const hooks: Record<string, Hook> = {};

const labels = (flag: string) => ({ alertname: 'HighErrorRate', flag, severity: 'page' });
const isOn = async (flag: string) => (await server.api('GET', `/api/v1/flags/${flag}/environments/${ENV}`)).body.on as boolean;
const turnOn = (flag: string) => server.api('PATCH', `/api/v1/flags/${flag}/environments/${ENV}`, { on: true });

async function post(url: string, body: unknown, headers: Record<string, string> = {}, method = 'POST') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(url, { method, headers: { 'Content-Type': 'application/json', ...headers }, body: text });
  return { status: res.status, body: await res.json().catch(() => null) };
}
const bearer = (hook: Hook) => ({ Authorization: `Bearer ${hook.secret}` });
const sign = (hook: Hook, body: string, timestamp = Math.floor(Date.now() / 1000)) => ({
  'X-Grafana-Alerting-Signature': createHmac('sha256', hook.secret).update(`${timestamp}:${body}`).digest('hex'),
  'X-Grafana-Alerting-Timestamp': String(timestamp),
});

beforeAll(async () => {
  server = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0' } });
  for (const flag of ['am-flag', 'grafana-flag', 'datadog-flag', 'generic-flag']) {
    expect((await server.api('POST', '/api/v1/flags', { key: flag })).status).toBe(201);
  }
  for (const provider of ['alertmanager', 'grafana', 'datadog', 'generic']) {
    const created = await server.api('POST', `/api/v1/environments/${ENV}/hooks`, { provider });
    expect(created.status).toBe(201);
    hooks[provider] = created.body;
  }
  const rule = await server.api('POST', `/api/v1/environments/${ENV}/kill-rules`, { alert: 'HighErrorRate', flagLabel: 'flag' });
  expect(rule.status).toBe(201);
  const ddRule = await server.api('POST', `/api/v1/environments/${ENV}/kill-rules`, {
    alert: 'High checkout error rate',
    flag: 'datadog-flag',
  });
  expect(ddRule.status).toBe(201);
});

beforeEach(async () => {
  for (const flag of ['am-flag', 'grafana-flag', 'datadog-flag', 'generic-flag']) expect((await turnOn(flag)).status).toBe(200);
});

afterAll(() => server?.stop());

describe('Alertmanager (bearer or basic auth; it cannot sign)', () => {
  it('turns the flag off on a grouped notification, answering 200 with what it did', async () => {
    const body = alertmanagerBody([
      amAlert({ status: 'firing', labels: labels('am-flag') }),
      amAlert({ status: 'firing', labels: { ...labels('am-flag'), pod: 'b' } }),
      amAlert({ status: 'firing', labels: { alertname: 'UnknownAlert', flag: 'am-flag' } }),
    ]);
    const res = await post(hooks.alertmanager!.url, body, bearer(hooks.alertmanager!));
    expect(res.status).toBe(200);
    expect(res.body.alerts.map((a: { actions: { outcome: string }[] }) => a.actions.map((x) => x.outcome))).toEqual([
      ['off'],
      ['held'],
      [],
    ]);
    expect(await isOn('am-flag')).toBe(false);
  });

  it('accepts basic auth with the secret as password, on the id-less URL too', async () => {
    const basic = { Authorization: `Basic ${Buffer.from(`alertmanager:${hooks.alertmanager!.secret}`).toString('base64')}` };
    const body = alertmanagerBody([amAlert({ status: 'firing', labels: labels('am-flag'), startsAt: '2026-11-23T12:00:00Z' })]);
    const res = await post(`${server.url}/hooks/v1/alerts/alertmanager`, body, basic);
    expect(res.status).toBe(200);
    expect(await isOn('am-flag')).toBe(false);
  });

  it('answers 200 to a well-formed notification that matches no rule (so Alertmanager does not retry)', async () => {
    const res = await post(
      hooks.alertmanager!.url,
      alertmanagerBody([amAlert({ status: 'firing', labels: { alertname: 'DiskFull' } })]),
      bearer(hooks.alertmanager!),
    );
    expect(res).toMatchObject({ status: 200, body: { received: 1, alerts: [{ alert: 'DiskFull', actions: [] }] } });
  });

  it.each([
    ['no credentials', {}],
    ['a wrong secret', { Authorization: 'Bearer fsh_notTheSecret' }],
    ['an admin token', () => ({ Authorization: `Bearer ${server.adminToken}` })],
  ])('refuses %s with 401 and changes nothing', async (_, headers) => {
    const res = await post(
      hooks.alertmanager!.url,
      alertmanagerBody([amAlert({ status: 'firing', labels: labels('am-flag'), startsAt: '2026-11-23T13:00:00Z' })]),
      typeof headers === 'function' ? headers() : headers,
    );
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect(await isOn('am-flag')).toBe(true);
  });

  it.each([
    ['invalid JSON', '{"alerts": [', /not valid JSON/],
    ['alerts that are not alerts', { version: '4', alerts: [{ labels: {} }] }, /status/],
  ])('answers %s with 400 and the reason', async (_, body, reason) => {
    const res = await post(hooks.alertmanager!.url, body, bearer(hooks.alertmanager!));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(reason);
  });

  it('answers another content type with 415', async () => {
    const res = await fetch(hooks.alertmanager!.url, {
      method: 'POST',
      headers: { ...bearer(hooks.alertmanager!), 'Content-Type': 'text/plain' },
      body: '{}',
    });
    expect(res.status).toBe(415);
  });

  it('records refused attempts in the audit log, without the secret presented', async () => {
    await post(hooks.alertmanager!.url, alertmanagerBody([]), { Authorization: 'Bearer fsh_leakedGuess' });
    const audit = await server.api('GET', '/api/v1/audit?action=hook.rejected&limit=200');
    const mine = audit.body.entries.filter((e: { resource: { key: string } }) => e.resource.key === hooks.alertmanager!.id);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine[0]).toMatchObject({ env: ENV, after: { provider: 'alertmanager', status: 401 } });
    expect(JSON.stringify(audit.body)).not.toContain('fsh_leakedGuess');
  });
});

describe('Grafana (HMAC-SHA256 of timestamp:body)', () => {
  const body = () =>
    JSON.stringify(grafanaBody([amAlert({ status: 'firing', labels: labels('grafana-flag'), startsAt: new Date().toISOString() })]));

  it('accepts a signed notification, by POST or PUT', async () => {
    const text = body();
    const res = await post(hooks.grafana!.url, text, sign(hooks.grafana!, text), 'PUT');
    expect(res.status).toBe(200);
    expect(await isOn('grafana-flag')).toBe(false);
  });

  it('refuses a replay of a captured request once its timestamp is older than 5 minutes', async () => {
    const text = body();
    const captured = sign(hooks.grafana!, text, Math.floor(Date.now() / 1000) - 301);
    const res = await post(hooks.grafana!.url, text, captured);
    expect(res).toMatchObject({ status: 401, body: { error: { message: expect.stringMatching(/more than 5 minutes/) } } });
    expect(await isOn('grafana-flag')).toBe(true);
  });

  it.each([
    ['a short forged signature', (h: Record<string, string>) => ({ ...h, 'X-Grafana-Alerting-Signature': 'deadbeef' })],
    ['a signature over another body', (h: Record<string, string>) => ({ ...h, 'X-Grafana-Alerting-Signature': 'a'.repeat(64) })],
    ['no timestamp', (h: Record<string, string>) => ({ 'X-Grafana-Alerting-Signature': h['X-Grafana-Alerting-Signature']! })],
    ['the secret as a bearer token', () => bearer(hooks.grafana!)],
  ])('refuses %s with 401', async (_, tamper) => {
    const text = body();
    const res = await post(hooks.grafana!.url, text, tamper(sign(hooks.grafana!, text)));
    expect(res.status).toBe(401);
    expect(await isOn('grafana-flag')).toBe(true);
  });
});

describe('Datadog (the documented template; secret in a custom header)', () => {
  it('takes no action on a [TEST] notification', async () => {
    const res = await post(
      hooks.datadog!.url,
      datadogBody({ transition: 'Triggered', eventTitle: '[TEST] High checkout error rate' }),
      bearer(hooks.datadog!),
    );
    expect(res).toMatchObject({ status: 200, body: { received: 0, ignored: expect.stringContaining('test') } });
    expect(await isOn('datadog-flag')).toBe(true);
  });

  it('turns the flag off when the monitor triggers', async () => {
    const res = await post(
      hooks.datadog!.url,
      datadogBody({ transition: 'Triggered', cycleKey: String(Date.now()) }),
      bearer(hooks.datadog!),
    );
    expect(res.status).toBe(200);
    expect(await isOn('datadog-flag')).toBe(false);
  });
});

describe('generic ({ alert, status, labels })', () => {
  it('turns the flag its label names off', async () => {
    const res = await post(
      hooks.generic!.url,
      { alert: 'HighErrorRate', status: 'firing', labels: { flag: 'generic-flag' }, startsAt: new Date().toISOString() },
      bearer(hooks.generic!),
    );
    expect(res.status).toBe(200);
    expect(await isOn('generic-flag')).toBe(false);
  });
});

describe('action rollback with a rollout plan in progress', () => {
  it('sets the rollout to 0% and aborts the plan, so its scheduler cannot push the flag back up', async () => {
    expect((await server.api('POST', '/api/v1/flags', { key: 'plan-flag' })).status).toBe(201);
    expect((await turnOn('plan-flag')).status).toBe(200);
    expect((await server.api('PATCH', `/api/v1/flags/plan-flag/environments/${ENV}`, { fallthrough: { variation: 0 } })).status).toBe(200);
    const plan = await server.api('POST', '/api/v1/rollout-plans', {
      flag: 'plan-flag',
      env: ENV,
      steps: [10, 50, 100],
      holdSeconds: 3600,
    });
    expect(plan.status).toBe(201);
    const rule = await server.api('POST', `/api/v1/environments/${ENV}/kill-rules`, {
      alert: 'PlanCanaryFailed',
      flag: 'plan-flag',
      action: 'rollback',
    });
    expect(rule.status).toBe(201);

    const res = await post(hooks.generic!.url, { alert: 'PlanCanaryFailed', status: 'firing' }, bearer(hooks.generic!));

    expect(res.body.alerts[0].actions[0]).toMatchObject({
      flag: 'plan-flag',
      outcome: 'rolled_back',
      detail: expect.stringContaining(`rollout plan ${plan.body.id} aborted`),
    });
    expect((await server.api('GET', `/api/v1/rollout-plans/${plan.body.id}`)).body.state).toBe('aborted');
    const state = (await server.api('GET', `/api/v1/flags/plan-flag/environments/${ENV}`)).body;
    expect(state).toMatchObject({ on: true, fallthrough: { rollout: { weights: [100_000, 0] } } });
  });
});
