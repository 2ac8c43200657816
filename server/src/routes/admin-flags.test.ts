// /api/v1/flags (admin-flags.ts): flag definitions — their creation, listing, ETags, updates under
// If-Match, archiving, the audit entry each write leaves, and the bad input each route refuses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRefused, type BadInput } from '../../../test/helpers/bad-input.js';
import { ISO, testApp } from '../testing/app.js';

const server = testApp();
afterAll(() => server.close());

const ok = server.ok;

const latestAudit = async () => (await server.api('GET', '/api/v1/audit?limit=1')).body.entries[0];
const envVersion = async (env: string) => (await server.api('GET', `/api/v1/environments/${env}`)).body.version;

beforeAll(async () => {
  await ok('POST', '/api/v1/environments', { key: 'qa', name: 'QA' });
  await ok('POST', '/api/v1/flags', { key: 'before-qa' });
});

describe('flags', () => {
  it('creates a boolean flag, off everywhere, serving true once turned on', async () => {
    const res = await server.api('POST', '/api/v1/flags', {
      key: 'new-checkout',
      description: 'The new checkout',
      tags: ['payments', 'payments'],
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('"1"');
    const state = { version: 1, on: false, offVariation: 0, targets: [], rules: [], fallthrough: { variation: 1 }, updatedAt: ISO };
    expect(res.body).toEqual({
      key: 'new-checkout',
      name: 'new-checkout',
      kind: 'boolean',
      variations: [false, true],
      description: 'The new checkout',
      tags: ['payments'],
      clientSide: false,
      seed: null,
      archived: false,
      version: 1,
      createdAt: ISO,
      updatedAt: ISO,
      environments: { development: state, staging: state, production: state, qa: state },
    });
    expect(await latestAudit()).toMatchObject({
      action: 'flag.create',
      resource: { kind: 'flag', key: 'new-checkout' },
      after: { key: 'new-checkout', kind: 'boolean' },
    });
  });

  it('creates string, number and json flags with their variations', async () => {
    for (const [key, kind, variations] of [
      ['theme', 'string', ['light', 'dark']],
      ['max-items', 'number', [10, 50, 100]],
      ['layout', 'json', [{ cols: 1 }, { cols: 2 }]],
    ] as const) {
      const res = await server.api('POST', '/api/v1/flags', { key, kind, variations, clientSide: true });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ kind, variations, clientSide: true });
      expect(res.body.environments.production.fallthrough).toEqual({ variation: 0 });
    }
  });

  it('lists flags, filtered by environment, tag, text and archived', async () => {
    const keys = async (query: string) => (await ok('GET', `/api/v1/flags${query}`)).body.flags.map((f: { key: string }) => f.key).sort();
    expect(await keys('')).toEqual(['before-qa', 'layout', 'max-items', 'new-checkout', 'theme']);
    expect(await keys('?tag=payments')).toEqual(['new-checkout']);
    expect(await keys('?q=checkout')).toEqual(['new-checkout']);
    const withEnv = (await ok('GET', '/api/v1/flags?env=production&tag=payments')).body.flags[0];
    expect(Object.keys(withEnv.environments)).toEqual(['production']);
    await ok('POST', '/api/v1/flags/before-qa/archive');
    expect(await keys('')).not.toContain('before-qa');
    expect(await keys('?archived=true')).toEqual(['before-qa']);
    expect(await keys('?archived=all')).toContain('before-qa');
  });

  it('gets one flag with its definition version as ETag', async () => {
    const res = await ok('GET', '/api/v1/flags/theme');
    expect(res.headers.get('etag')).toBe(`"${res.body.version}"`);
    expect(res.body.key).toBe('theme');
    expect((await server.api('GET', '/api/v1/flags/nope')).status).toBe(404);
  });

  it('updates a definition under If-Match, bumping the flag, its states and the environments', async () => {
    const before = await ok('GET', '/api/v1/flags/theme');
    const prod = await envVersion('production');
    const res = await server.api(
      'PATCH',
      '/api/v1/flags/theme',
      { description: 'Dark mode', variations: ['light', 'dark', 'sepia'] },
      { 'If-Match': before.headers.get('etag')! },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: before.body.version + 1, description: 'Dark mode', variations: ['light', 'dark', 'sepia'] });
    expect(res.body.environments.production.version).toBe(before.body.environments.production.version + 1);
    expect(await envVersion('production')).toBe(prod + 1);
    expect(await latestAudit()).toMatchObject({ action: 'flag.update', before: { description: '' }, after: { description: 'Dark mode' } });
    const stale = await server.api('PATCH', '/api/v1/flags/theme', { description: 'x' }, { 'If-Match': before.headers.get('etag')! });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: 'version_conflict', details: { currentVersion: before.body.version + 1 } });
  });

  it('archives (leaving SDK snapshots, refusing state changes) and unarchives as it was', async () => {
    await ok('PATCH', '/api/v1/flags/max-items/environments/production', { on: true, fallthrough: { variation: 2 } });
    const archived = await ok('POST', '/api/v1/flags/max-items/archive');
    expect(archived.body.archived).toBe(true);
    expect(archived.headers.get('etag')).toBe(`"${archived.body.version}"`);
    expect((await server.api('PATCH', '/api/v1/flags/max-items/environments/production', { on: false })).status).toBe(409);
    const restored = await ok('POST', '/api/v1/flags/max-items/unarchive');
    expect(restored.body).toMatchObject({ archived: false, environments: { production: { on: true, fallthrough: { variation: 2 } } } });
    const actions = (await ok('GET', '/api/v1/audit?flag=max-items&action=flag.*')).body.entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(['flag.unarchive', 'flag.archive', 'flag.create']);
  });

  it('answers 404 for archiving, unarchiving or updating a flag that does not exist', async () => {
    for (const [method, path, body] of [
      ['POST', '/api/v1/flags/ghost/archive', undefined],
      ['POST', '/api/v1/flags/ghost/unarchive', undefined],
      ['PATCH', '/api/v1/flags/ghost', { description: 'x' }],
    ] as const) {
      const res = await server.api(method, path, body);
      expect([res.status, res.body.error.code, res.body.error.message], `${method} ${path}`).toEqual([
        404,
        'not_found',
        'flag "ghost" does not exist',
      ]);
    }
  });
});

describe('bad input', () => {
  const bad = testApp({ env: { FLAGSTAFF_BODY_LIMIT: '4096' } });
  afterAll(() => bad.close());

  beforeAll(async () => {
    for (const [method, path, body] of [
      ['POST', '/api/v1/flags', { key: 'checkout' }],
      ['POST', '/api/v1/flags', { key: 'banner', kind: 'string', variations: ['a', 'b', 'c'] }],
      ['PATCH', '/api/v1/flags/banner/environments/production', { offVariation: 2 }],
    ] as const) {
      expect((await bad.api(method, path, body)).status, `${method} ${path}`).toBeLessThan(300);
    }
  });

  const cases: BadInput[] = [
    {
      name: 'a flag key with capitals',
      method: 'POST',
      path: '/api/v1/flags',
      body: { key: 'New-Checkout' },
      status: 400,
      code: 'validation_failed',
      message: /^key: /,
      details: (d) => expect(d.issues[0].path).toBe('key'),
    },
    {
      name: 'a flag key of 129 characters',
      method: 'POST',
      path: '/api/v1/flags',
      body: { key: `k${'x'.repeat(128)}` },
      status: 400,
      code: 'validation_failed',
      message: /^key: /,
      details: (d) => expect(d.issues[0].path).toBe('key'),
    },
    {
      name: 'an empty flag key',
      method: 'POST',
      path: '/api/v1/flags',
      body: { key: '' },
      status: 400,
      code: 'validation_failed',
      message: /^key: /,
      details: (d) => expect(d.issues[0].path).toBe('key'),
    },
    {
      name: 'no key at all',
      method: 'POST',
      path: '/api/v1/flags',
      body: { name: 'Nameless' },
      status: 400,
      code: 'validation_failed',
      message: /^key: /,
      details: (d) => expect(d.issues[0].path).toBe('key'),
    },
    {
      name: 'an unknown field',
      method: 'POST',
      path: '/api/v1/flags',
      body: { key: 'colourful', colour: 'red' },
      status: 400,
      code: 'validation_failed',
      message: /^colour: unknown field "colour"/,
    },
    {
      name: 'an unknown kind',
      method: 'POST',
      path: '/api/v1/flags',
      body: { key: 'counter', kind: 'integer' },
      status: 400,
      code: 'validation_failed',
      message: /kind is one of boolean, string, number, json/,
      details: (d) => expect(d.issues[0].path).toBe('kind'),
    },
    {
      name: 'a string flag without variations',
      method: 'POST',
      path: '/api/v1/flags',
      body: { key: 'theme', kind: 'string' },
      status: 400,
      code: 'validation_failed',
      message: /^variations: a string flag needs its variations/,
    },
    {
      name: 'a boolean flag with other variations',
      method: 'POST',
      path: '/api/v1/flags',
      body: { key: 'bool', variations: [1, 2] },
      status: 400,
      code: 'validation_failed',
      message: /^variations: boolean flags have exactly the variations \[false, true\]/,
    },
    {
      name: 'no variations at all',
      method: 'POST',
      path: '/api/v1/flags',
      body: { key: 'empty', kind: 'json', variations: [] },
      status: 400,
      code: 'validation_failed',
      message: /^variations: a flag needs at least one variation/,
    },
    {
      name: 'a tag with a space',
      method: 'POST',
      path: '/api/v1/flags',
      body: { key: 'tagged', tags: ['has space'] },
      status: 400,
      code: 'validation_failed',
      message: /^tags\[0\]: a tag is/,
      details: (d) => expect(d.issues[0].path).toBe('tags[0]'),
    },
    {
      name: 'a description that is not a string',
      method: 'POST',
      path: '/api/v1/flags',
      body: { key: 'described', description: 42 },
      status: 400,
      code: 'validation_failed',
      message: /^description: /,
    },
    {
      name: 'a flag key that is taken',
      method: 'POST',
      path: '/api/v1/flags',
      body: { key: 'checkout' },
      status: 409,
      code: 'already_exists',
      message: /checkout/,
    },
    {
      name: 'archived=maybe on the flag list',
      method: 'GET',
      path: '/api/v1/flags?archived=maybe',
      status: 400,
      code: 'invalid_query',
      message: /^archived: expected one of false, true, all/,
      details: (d) => expect(d).toEqual({ parameter: 'archived' }),
    },
    {
      name: 'new variations that leave a state invalid',
      method: 'PATCH',
      path: '/api/v1/flags/banner',
      body: { variations: ['a', 'b'] },
      status: 400,
      code: 'validation_failed',
      message: /^environments\.production\.offVariation: /,
      details: (d) => expect(d.issues[0].path).toBe('environments.production.offVariation'),
    },
    {
      name: 'a PATCH that renames the key',
      method: 'PATCH',
      path: '/api/v1/flags/banner',
      body: { key: 'other' },
      status: 400,
      code: 'validation_failed',
      message: /^key: unknown field "key"/,
    },
    {
      name: 'a PATCH with a stale If-Match',
      method: 'PATCH',
      path: '/api/v1/flags/banner',
      headers: { 'If-Match': '"0"' },
      body: { description: 'x' },
      status: 409,
      code: 'version_conflict',
      message: /banner/,
    },
    {
      name: 'an archive with a body that is not JSON',
      method: 'POST',
      path: '/api/v1/flags/banner/archive',
      body: '{',
      status: 400,
      code: 'invalid_json',
      message: /not valid JSON/,
    },
  ];

  it.each(cases)('$name → $status $code, store unchanged', (c) => expectRefused(bad, c));
});
