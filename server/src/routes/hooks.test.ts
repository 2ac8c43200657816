// /hooks/v1/alerts/:provider[/:hookId] (hooks.ts): where alerting systems deliver — authorised by the
// hook's own secret, 200 with a receipt for any well-formed notification, 401 and 400 (audited as
// hook.rejected) otherwise, as docs/alerts.md's table says. What each alert does is alerts/receiver.test.ts's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../testing/app.js';

const server = testApp();
afterAll(() => server.close());
let hook: { id: string; secret: string; url: string };

const firing = { alert: 'CheckoutErrors', status: 'firing', labels: { service: 'checkout' } };
/** `null` sends no Authorization header. */
const deliver = (path: string, body: unknown, secret: string | null = hook.secret, method = 'POST') =>
  server.api(method, path, body, { Authorization: secret === null ? '' : `Bearer ${secret}` });
const audit = async (action: string) => (await server.api('GET', `/api/v1/audit?action=${action}&limit=200`)).body.entries;
const isOn = async () => (await server.api('GET', '/api/v1/flags/new-checkout/environments/production')).body.on as boolean;

beforeAll(async () => {
  expect((await server.api('POST', '/api/v1/flags', { key: 'new-checkout' })).status).toBe(201);
  expect((await server.api('PATCH', '/api/v1/flags/new-checkout/environments/production', { on: true })).status).toBe(200);
  expect(
    (await server.api('POST', '/api/v1/environments/production/kill-rules', { alert: 'CheckoutErrors', flag: 'new-checkout' })).status,
  ).toBe(201);
  hook = (await server.api('POST', '/api/v1/environments/production/hooks', { provider: 'generic', name: 'ci' })).body;
});

describe('alert webhooks', () => {
  it('turns the flag a rule names off, answering 200 with a receipt, and audits the change as the hook', async () => {
    const res = await deliver(`/hooks/v1/alerts/generic/${hook.id}`, firing);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      hook: hook.id,
      received: 1,
      alerts: [{ alert: 'CheckoutErrors', status: 'firing', duplicate: false, actions: [{ flag: 'new-checkout', outcome: 'off' }] }],
    });
    expect(await isOn()).toBe(false);
    expect((await audit('flag_state.kill'))[0]).toMatchObject({
      actor: { kind: 'hook', id: hook.id, name: 'ci' },
      env: 'production',
      resource: { kind: 'flag', key: 'new-checkout' },
      reason: expect.stringContaining('generic alert "CheckoutErrors" firing'),
      after: { on: false },
    });
  });

  it('answers the same alert again as a duplicate, changing nothing', async () => {
    const res = await deliver(`/hooks/v1/alerts/generic/${hook.id}`, firing);
    expect([res.status, res.body.alerts[0].duplicate]).toEqual([200, true]);
  });

  it('takes PUT (Grafana may be set to it) and the id-less URL, where the secret finds the hook', async () => {
    const resolved = { ...firing, status: 'resolved' };
    const res = await deliver('/hooks/v1/alerts/generic', resolved, hook.secret, 'PUT');
    expect([res.status, res.body.hook, res.body.alerts[0].status]).toEqual([200, hook.id, 'resolved']);
  });

  it('answers 200 to a notification that matches no rule', async () => {
    const res = await deliver(`/hooks/v1/alerts/generic/${hook.id}`, { alert: 'DiskFull', status: 'firing' });
    expect(res.status).toBe(200);
    expect(res.body.alerts[0]).toMatchObject({ alert: 'DiskFull', actions: [] });
  });

  it.each<[string, string, string | null, RegExp]>([
    ['no secret', 'generic/:id', null, /missing credentials/],
    ['a wrong secret', 'generic/:id', 'fsh_wrong', /wrong hook secret/],
    ['an admin token', 'generic/:id', 'admin', /wrong hook secret/],
    ['a hook of another provider', 'alertmanager/:id', ':secret', /.+/],
  ])('refuses %s with 401, audited as hook.rejected', async (_, path, secret, message) => {
    const before = (await audit('hook.rejected')).length;
    const credential = secret === 'admin' ? server.tokens.admin : secret === ':secret' ? hook.secret : secret;
    const res = await deliver(`/hooks/v1/alerts/${path.replace(':id', hook.id)}`, firing, credential);
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'unauthorized', message: expect.stringMatching(message) });
    expect((await audit('hook.rejected')).length).toBe(before + 1);
  });

  it.each<[string, unknown, RegExp]>([
    ['a body that is not JSON', '{"alert":', /JSON/],
    ['a body that is not the provider’s shape', { alert: 'X', status: 'burning' }, /status is firing or resolved/],
  ])('refuses %s with 400 and the reason, audited as hook.rejected, changing no flag', async (_, body, message) => {
    await server.api('PATCH', '/api/v1/flags/new-checkout/environments/production', { on: true });
    const before = (await audit('hook.rejected')).length;
    const res = await deliver(`/hooks/v1/alerts/generic/${hook.id}`, body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
    expect((await audit('hook.rejected')).length).toBe(before + 1);
    expect(await isOn()).toBe(true);
  });

  it('answers 404 for a provider it does not know', async () => {
    const res = await deliver(`/hooks/v1/alerts/pagerduty/${hook.id}`, firing);
    expect([res.status, res.body.error]).toEqual([
      404,
      { code: 'not_found', message: 'no alert provider "pagerduty": use one of alertmanager, grafana, datadog, generic' },
    ]);
  });

  it('refuses a revoked hook', async () => {
    expect((await server.api('DELETE', `/api/v1/environments/production/hooks/${hook.id}`)).status).toBe(200);
    expect((await deliver(`/hooks/v1/alerts/generic/${hook.id}`, firing)).status).toBe(401);
  });
});
