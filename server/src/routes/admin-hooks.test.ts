// /api/v1/environments/:env/hooks (admin-hooks.ts): alert webhook receivers — created with their secret
// and URL (once, never cached), listed without the secret, revoked, audited; admin scope only.
import { afterAll, describe, expect, it } from 'vitest';
import { expectRefused, type BadInput } from '../../../test/helpers/bad-input.js';
import { ISO, testApp } from '../testing/app.js';

const BASE = '/api/v1/environments/production/hooks';

const server = testApp();
afterAll(() => server.close());
const latestAudit = async () => (await server.api('GET', '/api/v1/audit?limit=1')).body.entries[0];

describe('hooks', () => {
  it('creates a hook: its secret and its URL on this server, once, not to be cached; audited without the secret', async () => {
    const res = await server.api('POST', BASE, { provider: 'alertmanager', name: 'prod alerts' });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({
      id: expect.stringMatching(/^hook_[0-9a-f]{12}$/),
      env: 'production',
      provider: 'alertmanager',
      name: 'prod alerts',
      auth: 'bearer',
      hint: expect.stringMatching(/^fsh_….{4}$/),
      createdAt: ISO,
      lastUsedAt: null,
      revokedAt: null,
      url: `http://localhost/hooks/v1/alerts/alertmanager/${res.body.id}`,
      secret: expect.stringMatching(/^fsh_/),
    });
    const audit = await latestAudit();
    expect(audit).toMatchObject({ action: 'hook.create', env: 'production', resource: { kind: 'hook', key: res.body.id } });
    expect(JSON.stringify(audit)).not.toContain(res.body.secret.slice(4));
  });

  it('takes each provider’s default auth, and hmac where the provider can sign', async () => {
    const grafana = await server.api('POST', BASE, { provider: 'grafana' });
    expect(grafana.body).toMatchObject({ provider: 'grafana', name: 'grafana hook', auth: 'hmac' });
    const generic = await server.api('POST', BASE, { provider: 'generic', auth: 'hmac' });
    expect(generic.body).toMatchObject({ provider: 'generic', auth: 'hmac' });
  });

  it('lists the environment’s hooks with their URLs, never a secret', async () => {
    const res = await server.api('GET', BASE);
    expect(res.status).toBe(200);
    expect(res.body.hooks.map((h: { provider: string }) => h.provider)).toEqual(['alertmanager', 'grafana', 'generic']);
    for (const hook of res.body.hooks) {
      expect(hook).not.toHaveProperty('secret');
      expect(hook.url).toBe(`http://localhost/hooks/v1/alerts/${hook.provider}/${hook.id}`);
    }
    expect((await server.api('GET', '/api/v1/environments/staging/hooks')).body.hooks).toEqual([]);
  });

  it('revokes a hook, audited; a hook of another environment is not found', async () => {
    const [hook] = (await server.api('GET', BASE)).body.hooks;
    expect((await server.api('DELETE', `/api/v1/environments/staging/hooks/${hook.id}`)).status).toBe(404);
    const res = await server.api('DELETE', `${BASE}/${hook.id}`);
    expect([res.status, res.body.revokedAt]).toEqual([200, ISO]);
    expect(await latestAudit()).toMatchObject({ action: 'hook.revoke', env: 'production', resource: { kind: 'hook', key: hook.id } });
  });

  it('refuses tokens below admin', async () => {
    for (const token of [server.tokens.read, server.tokens.write]) {
      const res = await server.api('GET', BASE, undefined, { Authorization: `Bearer ${token}` });
      expect([res.status, res.body.error.code]).toEqual([403, 'forbidden']);
    }
  });
});

describe('bad input', () => {
  const cases: BadInput[] = [
    {
      name: 'an unknown provider',
      method: 'POST',
      path: BASE,
      body: { provider: 'pagerduty' },
      status: 400,
      code: 'validation_failed',
      message: /^provider: provider is one of alertmanager, grafana, datadog, generic/,
      details: (d) => expect(d.issues[0].path).toBe('provider'),
    },
    {
      name: 'an unknown auth',
      method: 'POST',
      path: BASE,
      body: { provider: 'generic', auth: 'basic' },
      status: 400,
      code: 'validation_failed',
      message: /^auth: auth is bearer or hmac/,
      details: (d) => expect(d.issues[0].path).toBe('auth'),
    },
    {
      name: 'hmac for a provider that cannot sign',
      method: 'POST',
      path: BASE,
      body: { provider: 'alertmanager', auth: 'hmac' },
      status: 400,
      code: 'validation_failed',
      message: /^auth: alertmanager cannot sign its requests: use bearer/,
      details: (d) => expect(d.issues[0].path).toBe('auth'),
    },
    {
      name: 'an unknown field',
      method: 'POST',
      path: BASE,
      body: { provider: 'generic', secret: 'mine' },
      status: 400,
      code: 'validation_failed',
      message: /^secret: unknown field "secret"/,
    },
    {
      name: 'a hook in an environment that does not exist',
      method: 'POST',
      path: '/api/v1/environments/moon/hooks',
      body: { provider: 'generic' },
      status: 404,
      code: 'not_found',
      message: /environment "moon"/,
    },
    {
      name: 'revoking a hook that does not exist',
      method: 'DELETE',
      path: `${BASE}/hook_000000000000`,
      status: 404,
      code: 'not_found',
      message: /hook_000000000000/,
    },
  ];

  it.each(cases)('$name → $status $code, store unchanged', (c) => expectRefused(server, c));
});
