// /api/v1/environments (admin-envs.ts): the environments a store starts with, creating one (every
// existing flag gets its default state there), reading one, the audit entry, and the bad input refused.
import { afterAll, describe, expect, it } from 'vitest';
import { expectRefused, type BadInput } from '../../../test/helpers/bad-input.js';
import { ISO, testApp } from '../testing/app.js';

const server = testApp();
afterAll(() => server.close());

const ok = server.ok;

const latestAudit = async () => (await server.api('GET', '/api/v1/audit?limit=1')).body.entries[0];

describe('environments', () => {
  it('starts with development, staging and production', async () => {
    const res = await ok('GET', '/api/v1/environments');
    expect(res.body.environments).toEqual(
      ['development', 'staging', 'production'].map((key) => ({
        key,
        name: key[0]!.toUpperCase() + key.slice(1),
        version: 1,
        createdAt: ISO,
      })),
    );
  });

  it('creates an environment in which every existing flag has its default state, and audits it', async () => {
    await ok('POST', '/api/v1/flags', { key: 'before-qa' });
    const res = await server.api('POST', '/api/v1/environments', { key: 'qa', name: 'QA' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ key: 'qa', name: 'QA', version: 1, createdAt: ISO });
    expect((await ok('GET', '/api/v1/flags/before-qa/environments/qa')).body).toMatchObject({
      version: 1,
      on: false,
      fallthrough: { variation: 1 },
    });
    expect(await latestAudit()).toMatchObject({
      action: 'environment.create',
      env: 'qa',
      resource: { kind: 'environment', key: 'qa' },
      after: { key: 'qa' },
    });
  });

  it('reads one environment, and names its key when it gets no name', async () => {
    expect((await ok('GET', '/api/v1/environments/qa')).body).toEqual({ key: 'qa', name: 'QA', version: 1, createdAt: ISO });
    expect((await ok('POST', '/api/v1/environments', { key: 'eu-west' })).body).toMatchObject({ key: 'eu-west', name: 'eu-west' });
    const missing = await server.api('GET', '/api/v1/environments/moon');
    expect([missing.status, missing.body.error]).toEqual([404, { code: 'not_found', message: 'environment "moon" does not exist' }]);
  });
});

describe('bad input', () => {
  const cases: BadInput[] = [
    {
      name: 'an environment key with punctuation',
      method: 'POST',
      path: '/api/v1/environments',
      body: { key: 'Prod!' },
      status: 400,
      code: 'validation_failed',
      message: /^key: an environment key is/,
      details: (d) => expect(d.issues[0].path).toBe('key'),
    },
    {
      name: 'an environment key of 65 characters',
      method: 'POST',
      path: '/api/v1/environments',
      body: { key: 'e'.repeat(65) },
      status: 400,
      code: 'validation_failed',
      message: /^key: an environment key is/,
    },
    {
      name: 'an empty name',
      method: 'POST',
      path: '/api/v1/environments',
      body: { key: 'empty-name', name: '  ' },
      status: 400,
      code: 'validation_failed',
      message: /^name: /,
      details: (d) => expect(d.issues[0].path).toBe('name'),
    },
    {
      name: 'an unknown field',
      method: 'POST',
      path: '/api/v1/environments',
      body: { key: 'colourful', colour: 'red' },
      status: 400,
      code: 'validation_failed',
      message: /^colour: unknown field "colour"/,
    },
    {
      name: 'an environment that exists',
      method: 'POST',
      path: '/api/v1/environments',
      body: { key: 'production' },
      status: 409,
      code: 'already_exists',
      message: /environment "production" already exists/,
    },
  ];

  it.each(cases)('$name → $status $code, store unchanged', (c) => expectRefused(server, c));
});
