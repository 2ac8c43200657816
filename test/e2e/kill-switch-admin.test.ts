// The admin API of hooks and kill rules: what it accepts, what it refuses and why, and who may call it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';

const ENV = 'production';
let server: RunningServer;
let readToken: string;
const rules = `/api/v1/environments/${ENV}/kill-rules`;
const hooks = `/api/v1/environments/${ENV}/hooks`;

beforeAll(async () => {
  server = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0' } });
  expect((await server.api('POST', '/api/v1/flags', { key: 'new-checkout' })).status).toBe(201);
  readToken = (await server.api('POST', '/api/v1/keys', { kind: 'admin', scopes: ['read'] })).body.key;
});
afterAll(() => server?.stop());

describe('POST kill-rules', () => {
  it('creates a rule with the defaults off and keep, listed oldest first', async () => {
    const created = await server.api('POST', rules, { alert: 'HighErrorRate', flag: 'new-checkout' });
    expect(created).toMatchObject({
      status: 201,
      body: { id: expect.stringMatching(/^kr_/), env: ENV, matchers: [], action: 'off', onResolve: 'keep' },
    });
    const listed = await server.api('GET', rules);
    expect(listed.body.killRules.map((r: { id: string }) => r.id)).toContain(created.body.id);
    expect((await server.api('GET', `${rules}/${created.body.id}`)).body).toEqual(created.body);
  });

  it.each([
    ['both flag and flagLabel', { alert: 'A', flag: 'new-checkout', flagLabel: 'flag' }, 400, /exactly one of flag/],
    ['neither flag nor flagLabel', { alert: 'A' }, 400, /exactly one of flag/],
    [
      'a regex that does not compile',
      { alert: 'A', flagLabel: 'flag', matchers: [{ label: 'x', op: '=~', value: '(' }] },
      400,
      /regular expression/,
    ],
    ['an unknown operator', { alert: 'A', flagLabel: 'flag', matchers: [{ label: 'x', op: '~', value: 'y' }] }, 400, /op is one of/],
    ['an unknown action', { alert: 'A', flagLabel: 'flag', action: 'delete' }, 400, /action is off or rollback/],
    ['a flag that does not exist', { alert: 'A', flag: 'no-such-flag' }, 404, /no-such-flag/],
    ['an unknown field', { alert: 'A', flagLabel: 'flag', onResolved: 'restore' }, 400, /onResolved/],
  ])('refuses %s', async (_, body, status, message) => {
    const res = await server.api('POST', rules, body);
    expect(res.status).toBe(status);
    expect(JSON.stringify(res.body.error)).toMatch(message);
  });

  it('needs the admin scope to create or delete, read to list', async () => {
    const asReader = { Authorization: `Bearer ${readToken}` };
    expect((await server.api('GET', rules, undefined, asReader)).status).toBe(200);
    expect((await server.api('POST', rules, { alert: 'A', flagLabel: 'flag' }, asReader)).status).toBe(403);
    expect((await server.api('GET', hooks, undefined, asReader)).status).toBe(403);
  });

  it('deletes a rule, with an audit entry', async () => {
    const { body: rule } = await server.api('POST', rules, { alert: 'Temp', flagLabel: 'flag' });
    expect((await server.api('DELETE', `${rules}/${rule.id}`)).status).toBe(204);
    expect((await server.api('GET', `${rules}/${rule.id}`)).status).toBe(404);
    const audit = await server.api('GET', '/api/v1/audit?action=kill_rule.delete');
    expect(audit.body.entries[0]).toMatchObject({ resource: { kind: 'kill_rule', key: rule.id }, before: { alert: 'Temp' } });
  });
});

describe('POST hooks', () => {
  it.each([
    ['alertmanager', 'bearer'],
    ['grafana', 'hmac'],
    ['datadog', 'bearer'],
    ['generic', 'bearer'],
  ])('creates a %s hook authenticated by %s, its secret shown once', async (provider, auth) => {
    const created = await server.api('POST', hooks, { provider });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.body).toMatchObject({
      provider,
      auth,
      secret: expect.stringMatching(/^fsh_/),
      url: `${server.url}/hooks/v1/alerts/${provider}/${created.body.id}`,
    });
    const listed = await server.api('GET', hooks);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
    const audit = await server.api('GET', '/api/v1/audit?action=hook.create&limit=200');
    expect(JSON.stringify(audit.body)).not.toContain(created.body.secret);
  });

  it.each([
    ['a provider that cannot sign asked to', { provider: 'alertmanager', auth: 'hmac' }, /cannot sign/],
    ['an unknown provider', { provider: 'pagerduty' }, /provider is one of/],
  ])('refuses %s', async (_, body, message) => {
    const res = await server.api('POST', hooks, body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
  });

  it('revokes a hook, once and for all', async () => {
    const { body: hook } = await server.api('POST', hooks, { provider: 'generic' });
    const revoked = await server.api('DELETE', `${hooks}/${hook.id}`);
    expect(revoked.body.revokedAt).not.toBeNull();
    const res = await fetch(hook.url, {
      method: 'POST',
      headers: { Authorization: `Bearer ${hook.secret}`, 'Content-Type': 'application/json' },
      body: '{"alert":"A","status":"firing"}',
    });
    expect(res.status).toBe(401);
  });
});
