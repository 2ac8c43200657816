// /api/v1/environments/:env/kill-rules (admin-kill-rules.ts): which alerts turn which flags off — created
// (admin), listed and read (read), deleted (admin), each write audited, and the bad input refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRefused, type BadInput } from '../../../test/helpers/bad-input.js';
import { testApp } from '../testing/app.js';

const BASE = '/api/v1/environments/production/kill-rules';

const server = testApp();
afterAll(() => server.close());
const latestAudit = async () => (await server.api('GET', '/api/v1/audit?limit=1')).body.entries[0];

beforeAll(async () => {
  expect((await server.api('POST', '/api/v1/flags', { key: 'new-checkout' })).status).toBe(201);
});

describe('kill rules', () => {
  let id: string;

  it('creates a rule with its defaults (off, keep), audited', async () => {
    const res = await server.api('POST', BASE, { alert: 'CheckoutErrors', flag: 'new-checkout' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^kr_[0-9a-f]{12}$/),
      env: 'production',
      alert: 'CheckoutErrors',
      matchers: [],
      flag: 'new-checkout',
      action: 'off',
      onResolve: 'keep',
      createdAt: expect.any(String),
    });
    id = res.body.id;
    expect(await latestAudit()).toMatchObject({
      action: 'kill_rule.create',
      env: 'production',
      resource: { kind: 'kill_rule', key: id },
      after: { alert: 'CheckoutErrors' },
    });
  });

  it('creates a rule that reads the flag from a label, with matchers, a rollback and a restore', async () => {
    const body = {
      alert: 'HighErrorRate',
      matchers: [{ label: 'severity', op: '=~', value: 'page|critical' }],
      flagLabel: 'flag',
      action: 'rollback',
      onResolve: 'restore',
    };
    const res = await server.api('POST', BASE, body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject(body);
    expect(res.body).not.toHaveProperty('flag');
  });

  it('lists the environment’s rules oldest first, and reads one, with a read token', async () => {
    const read = { Authorization: `Bearer ${server.tokens.read}` };
    const list = await server.api('GET', BASE, undefined, read);
    expect(list.body.killRules.map((r: { alert: string }) => r.alert)).toEqual(['CheckoutErrors', 'HighErrorRate']);
    const one = await server.api('GET', `${BASE}/${id}`, undefined, read);
    expect([one.status, one.body.id]).toEqual([200, id]);
    expect((await server.api('GET', '/api/v1/environments/staging/kill-rules')).body.killRules).toEqual([]);
    expect((await server.api('GET', `/api/v1/environments/staging/kill-rules/${id}`)).status).toBe(404);
  });

  it('deletes a rule (204), audited with what it was', async () => {
    const res = await server.api('DELETE', `${BASE}/${id}`);
    expect([res.status, res.body]).toEqual([204, null]);
    expect(await latestAudit()).toMatchObject({
      action: 'kill_rule.delete',
      env: 'production',
      resource: { kind: 'kill_rule', key: id },
      before: { alert: 'CheckoutErrors' },
    });
    const gone = await server.api('GET', `${BASE}/${id}`);
    expect([gone.status, gone.body.error.message]).toEqual([404, `kill rule "${id}" in production does not exist`]);
  });
});

describe('bad input', () => {
  const cases: BadInput[] = [
    {
      name: 'neither flag nor flagLabel',
      method: 'POST',
      path: BASE,
      body: { alert: 'X' },
      status: 400,
      code: 'validation_failed',
      message: /^flag: give exactly one of flag/,
      details: (d) => expect(d.issues[0].path).toBe('flag'),
    },
    {
      name: 'both flag and flagLabel',
      method: 'POST',
      path: BASE,
      body: { alert: 'X', flag: 'new-checkout', flagLabel: 'flag' },
      status: 400,
      code: 'validation_failed',
      message: /^flag: give exactly one of flag/,
    },
    {
      name: 'no alert',
      method: 'POST',
      path: BASE,
      body: { flag: 'new-checkout' },
      status: 400,
      code: 'validation_failed',
      message: /^alert: /,
      details: (d) => expect(d.issues[0].path).toBe('alert'),
    },
    {
      name: 'a blank alert',
      method: 'POST',
      path: BASE,
      body: { alert: '  ', flag: 'new-checkout' },
      status: 400,
      code: 'validation_failed',
      message: /^alert: alert names the alert/,
    },
    {
      name: 'a flag key that is not one',
      method: 'POST',
      path: BASE,
      body: { alert: 'X', flag: 'New Checkout' },
      status: 400,
      code: 'validation_failed',
      message: /^flag: a flag key/,
      details: (d) => expect(d.issues[0].path).toBe('flag'),
    },
    {
      name: 'a flag that does not exist',
      method: 'POST',
      path: BASE,
      body: { alert: 'X', flag: 'ghost' },
      status: 404,
      code: 'not_found',
      message: /flag "ghost" does not exist/,
    },
    {
      name: 'a label name that is not one',
      method: 'POST',
      path: BASE,
      body: { alert: 'X', flagLabel: '1flag' },
      status: 400,
      code: 'validation_failed',
      message: /^flagLabel: a label name/,
    },
    {
      name: 'an unknown action',
      method: 'POST',
      path: BASE,
      body: { alert: 'X', flag: 'new-checkout', action: 'delete' },
      status: 400,
      code: 'validation_failed',
      message: /^action: action is off or rollback/,
    },
    {
      name: 'an unknown onResolve',
      method: 'POST',
      path: BASE,
      body: { alert: 'X', flag: 'new-checkout', onResolve: 'forget' },
      status: 400,
      code: 'validation_failed',
      message: /^onResolve: onResolve is keep or restore/,
    },
    {
      name: 'a matcher with an unknown op',
      method: 'POST',
      path: BASE,
      body: { alert: 'X', flag: 'new-checkout', matchers: [{ label: 'severity', op: '==', value: 'page' }] },
      status: 400,
      code: 'validation_failed',
      message: /^matchers\[0\]\.op: op is one of =, !=, =~/,
      details: (d) => expect(d.issues[0].path).toBe('matchers[0].op'),
    },
    {
      name: 'a matcher regex that does not compile',
      method: 'POST',
      path: BASE,
      body: { alert: 'X', flag: 'new-checkout', matchers: [{ label: 'severity', op: '=~', value: '(page' }] },
      status: 400,
      code: 'validation_failed',
      message: /^matchers\[0\]\.value: /,
      details: (d) => expect(d.issues[0].path).toBe('matchers[0].value'),
    },
    {
      name: 'a rule in an environment that does not exist',
      method: 'POST',
      path: '/api/v1/environments/moon/kill-rules',
      body: { alert: 'X', flag: 'new-checkout' },
      status: 404,
      code: 'not_found',
      message: /environment "moon"/,
    },
    {
      name: 'deleting a rule that does not exist',
      method: 'DELETE',
      path: `${BASE}/kr_000000000000`,
      status: 404,
      code: 'not_found',
      message: /kill rule "kr_000000000000" in production does not exist/,
    },
  ];

  it.each(cases)('$name → $status $code, store unchanged', (c) => expectRefused(server, c));
});
