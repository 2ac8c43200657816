// /api/v1/environments/:env/segments (admin-segments.ts): segments of one environment — created, listed,
// read with their ETag, replaced under If-Match, deleted, each step audited, and the bad input refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRefused, type BadInput } from '../../../test/helpers/bad-input.js';
import { ISO, testApp } from '../testing/app.js';

const server = testApp();
afterAll(() => server.close());

const ok = server.ok;

beforeAll(async () => {
  await ok('POST', '/api/v1/environments/production/segments', {
    key: 'staff',
    rules: [{ clauses: [{ attribute: 'email', op: 'endsWith', values: ['@example.com'] }] }],
  });
});

describe('segments', () => {
  const BASE = '/api/v1/environments/staging/segments';

  it('creates, lists, gets, replaces under If-Match and deletes a segment, auditing each step', async () => {
    const created = await server.api('POST', BASE, { key: 'beta', name: 'Beta testers', included: ['u-1'], excluded: ['u-2'] });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toEqual({
      key: 'beta',
      name: 'Beta testers',
      description: '',
      version: 1,
      included: ['u-1'],
      excluded: ['u-2'],
      rules: [],
      createdAt: ISO,
      updatedAt: ISO,
    });
    expect((await ok('GET', BASE)).body.segments.map((s: { key: string }) => s.key)).toEqual(['beta']);
    const got = await ok('GET', `${BASE}/beta`);
    expect(got.headers.get('etag')).toBe('"1"');

    const replaced = await server.api('PUT', `${BASE}/beta`, { ...got.body, included: ['u-1', 'u-3'] }, { 'If-Match': '"1"' });
    expect(replaced.status).toBe(200);
    expect(replaced.headers.get('etag')).toBe('"2"');
    expect(replaced.body).toMatchObject({ version: 2, included: ['u-1', 'u-3'] });
    expect((await server.api('PUT', `${BASE}/beta`, { included: [] }, { 'If-Match': '"1"' })).status).toBe(409);
    expect((await server.api('PUT', `${BASE}/beta`, { included: [] })).status).toBe(428);

    const deleted = await server.api('DELETE', `${BASE}/beta`);
    expect(deleted.status).toBe(204);
    expect((await server.api('GET', `${BASE}/beta`)).status).toBe(404);
    const actions = (await ok('GET', '/api/v1/audit?env=staging&action=segment.*')).body.entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(['segment.delete', 'segment.update', 'segment.create']);
  });

  it('are per environment', async () => {
    expect((await ok('GET', '/api/v1/environments/production/segments')).body.segments.map((s: { key: string }) => s.key)).toEqual([
      'staff',
    ]);
    expect((await ok('GET', '/api/v1/environments/development/segments')).body.segments).toEqual([]);
  });

  it('answer 404 for a segment, or an environment, that does not exist', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/environments/production/segments/ghost'],
      ['DELETE', '/api/v1/environments/production/segments/ghost'],
      ['GET', '/api/v1/environments/moon/segments'],
    ] as const) {
      const res = await server.api(method, path);
      expect([res.status, res.body.error.code], `${method} ${path}`).toEqual([404, 'not_found']);
    }
    const put = await server.api('PUT', '/api/v1/environments/production/segments/ghost', { included: [] }, { 'If-Match': '"1"' });
    expect([put.status, put.body.error.code]).toEqual([404, 'not_found']);
  });
});

describe('bad input', () => {
  const bad = testApp();
  afterAll(() => bad.close());

  beforeAll(async () => {
    for (const [method, path, body] of [
      ['POST', '/api/v1/environments/production/segments', { key: 'beta', included: ['user-1'] }],
      ['POST', '/api/v1/flags', { key: 'checkout' }],
      [
        'PATCH',
        '/api/v1/flags/checkout/environments/production',
        { rules: [{ id: 'r1', clauses: [{ attribute: '', op: 'segmentMatch', values: ['beta'] }], serve: { variation: 1 } }] },
      ],
    ] as const) {
      expect((await bad.api(method, path, body)).status, `${method} ${path}`).toBeLessThan(300);
    }
  });

  const cases: BadInput[] = [
    {
      name: 'a segment key with spaces',
      method: 'POST',
      path: '/api/v1/environments/production/segments',
      body: { key: 'beta testers' },
      status: 400,
      code: 'validation_failed',
      message: /^key: /,
      details: (d) => expect(d.issues[0].path).toBe('key'),
    },
    {
      name: 'a segment key that is taken',
      method: 'POST',
      path: '/api/v1/environments/production/segments',
      body: { key: 'beta' },
      status: 409,
      code: 'already_exists',
      message: /beta/,
    },
    {
      name: 'an empty context key in included',
      method: 'POST',
      path: '/api/v1/environments/production/segments',
      body: { key: 'gamma', included: ['u-1', ''] },
      status: 400,
      code: 'validation_failed',
      message: /^included\[1\]: /,
      details: (d) => expect(d.issues[0].path).toBe('included[1]'),
    },
    {
      name: 'an unknown field',
      method: 'POST',
      path: '/api/v1/environments/production/segments',
      body: { key: 'gamma', members: [] },
      status: 400,
      code: 'validation_failed',
      message: /^members: unknown field "members"/,
    },
    {
      name: 'a segment in an environment that does not exist',
      method: 'POST',
      path: '/api/v1/environments/moon/segments',
      body: { key: 'x' },
      status: 404,
      code: 'not_found',
      message: /environment "moon"/,
    },
    {
      name: 'deleting a segment a flag still uses',
      method: 'DELETE',
      path: '/api/v1/environments/production/segments/beta',
      status: 409,
      code: 'segment_in_use',
      message: /segment "beta" is used by "checkout" in production/,
      details: (d) => expect(d.flags).toEqual(['checkout']),
    },
    {
      name: 'a PUT naming another segment in the body',
      method: 'PUT',
      path: '/api/v1/environments/production/segments/beta',
      headers: { 'If-Match': '"1"' },
      body: { key: 'gamma' },
      status: 400,
      code: 'validation_failed',
      message: /^key: the body names segment "gamma"/,
      details: (d) => expect(d.issues[0].path).toBe('key'),
    },
    {
      name: 'a PUT without If-Match',
      method: 'PUT',
      path: '/api/v1/environments/production/segments/beta',
      body: { included: [] },
      status: 428,
      code: 'precondition_required',
      message: /If-Match/,
    },
    {
      name: 'a PUT with a stale If-Match',
      method: 'PUT',
      path: '/api/v1/environments/production/segments/beta',
      headers: { 'If-Match': '"7"' },
      body: { included: [] },
      status: 409,
      code: 'version_conflict',
      message: /beta/,
    },
  ];

  it.each(cases)('$name → $status $code, store unchanged', (c) => expectRefused(bad, c));
});
