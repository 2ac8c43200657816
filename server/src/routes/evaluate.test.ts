// POST /api/v1/evaluate (evaluate.ts): "why did user X get Y" — core's evaluator on the environment's
// current snapshot, with the reason; 404 for what does not exist or is archived; bad input refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRefused, type BadInput } from '../../../test/helpers/bad-input.js';
import { testApp } from '../testing/app.js';

const server = testApp();
afterAll(() => server.close());

const ok = server.ok;

beforeAll(async () => {
  await ok('POST', '/api/v1/flags', { key: 'new-checkout' });
  await ok('PATCH', '/api/v1/flags/new-checkout/environments/production', {
    on: true,
    targets: [{ variation: 1, values: ['user-1', 'user-2'] }],
    rules: [{ id: 'africa', clauses: [{ attribute: 'country', op: 'in', values: ['ZA', 'NG', 'KE'] }], serve: { variation: 1 } }],
    fallthrough: { variation: 0 },
  });
  await ok('POST', '/api/v1/flags', { key: 'before-qa' });
  await ok('POST', '/api/v1/flags/before-qa/archive');
});

describe('evaluate', () => {
  it('explains what a context gets, and why', async () => {
    const res = await ok('POST', '/api/v1/evaluate', {
      env: 'production',
      flag: 'new-checkout',
      context: { key: 'someone', country: 'KE' },
    });
    expect(res.body).toEqual({
      flag: 'new-checkout',
      env: 'production',
      flagVersion: expect.any(Number),
      value: true,
      variationIndex: 1,
      reason: { kind: 'RULE_MATCH', ruleId: 'africa', ruleIndex: 0 },
    });
    const target = await ok('POST', '/api/v1/evaluate', { env: 'production', flag: 'new-checkout', context: { key: 'user-1' } });
    expect(target.body.reason.kind).toBe('TARGET_MATCH');
  });

  it('answers with the fallthrough for anyone else, and in another environment with that one’s state', async () => {
    const res = await ok('POST', '/api/v1/evaluate', {
      env: 'production',
      flag: 'new-checkout',
      context: { key: 'someone', country: 'FR' },
    });
    expect(res.body).toMatchObject({ value: false, variationIndex: 0, reason: { kind: 'FALLTHROUGH' } });
    const staging = await ok('POST', '/api/v1/evaluate', { env: 'staging', flag: 'new-checkout', context: { key: 'user-1' } });
    expect(staging.body).toMatchObject({ env: 'staging', flagVersion: 1, value: false, reason: { kind: 'OFF' } });
  });

  it('answers 404 for a flag that does not exist or is archived', async () => {
    const missing = await server.api('POST', '/api/v1/evaluate', { env: 'production', flag: 'nope', context: {} });
    expect([missing.status, missing.body.error.message]).toEqual([404, 'flag "nope" does not exist']);
    const archived = await server.api('POST', '/api/v1/evaluate', { env: 'production', flag: 'before-qa', context: {} });
    expect([archived.status, archived.body.error.message]).toEqual([404, 'flag "before-qa" is archived: unarchive it to evaluate it']);
  });
});

describe('bad input', () => {
  const cases: BadInput[] = [
    {
      name: 'evaluating in an environment that does not exist',
      method: 'POST',
      path: '/api/v1/evaluate',
      body: { env: 'moon', flag: 'new-checkout', context: { key: 'u' } },
      status: 404,
      code: 'not_found',
      message: /environment "moon"/,
    },
    {
      name: 'evaluating with a context that is not an object',
      method: 'POST',
      path: '/api/v1/evaluate',
      body: { env: 'production', flag: 'new-checkout', context: 5 },
      status: 400,
      code: 'validation_failed',
      message: /^context/,
      details: (d) => expect(d.issues[0].path).toBe('context'),
    },
    {
      name: 'a context attribute that is not a JSON value of a context',
      method: 'POST',
      path: '/api/v1/evaluate',
      body: { env: 'production', flag: 'new-checkout', context: { key: 42 } },
      status: 400,
      code: 'validation_failed',
      message: /^context\.key: /,
      details: (d) => expect(d.issues[0].path).toBe('context.key'),
    },
    {
      name: 'no env',
      method: 'POST',
      path: '/api/v1/evaluate',
      body: { flag: 'new-checkout', context: {} },
      status: 400,
      code: 'validation_failed',
      message: /^env: /,
      details: (d) => expect(d.issues[0].path).toBe('env'),
    },
    {
      name: 'an unknown field',
      method: 'POST',
      path: '/api/v1/evaluate',
      body: { env: 'production', flag: 'new-checkout', context: {}, user: {} },
      status: 400,
      code: 'validation_failed',
      message: /^user: unknown field "user"/,
    },
    {
      name: 'no context',
      method: 'POST',
      path: '/api/v1/evaluate',
      body: { env: 'production', flag: 'new-checkout' },
      status: 400,
      code: 'validation_failed',
      message: /^context: required: the context to evaluate for/,
      details: (d) => expect(d.issues).toEqual([{ path: 'context', message: expect.stringMatching(/^required/) }]),
    },
  ];

  it.each(cases)('$name → $status $code, store unchanged', (c) => expectRefused(server, c));
});
