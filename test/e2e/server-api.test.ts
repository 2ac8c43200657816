// The admin API's contract (docs/api.md) against a real server: every route, its status, its body, its
// ETag, and the audit entry each write leaves in the same transaction.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, startServer, type RunningServer } from '../helpers/server.js';

let server: RunningServer;
const ISO = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

beforeAll(async () => {
  server = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0' } });
});

afterAll(async () => {
  await server?.stop();
});

async function ok(method: string, path: string, body?: unknown, headers?: Record<string, string>) {
  const res = await server.api(method, path, body, headers);
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

const latestAudit = async () => (await server.api('GET', '/api/v1/audit?limit=1')).body.entries[0];
const envVersion = async (env: string) => (await server.api('GET', `/api/v1/environments/${env}`)).body.version;

describe('environments', () => {
  it('starts with development, staging and production', async () => {
    const res = await ok('GET', '/api/v1/environments');
    expect(res.body.environments).toEqual(
      ['development', 'staging', 'production'].map((key) => ({ key, name: key[0]!.toUpperCase() + key.slice(1), version: 1, createdAt: ISO })),
    );
  });

  it('creates an environment in which every existing flag has its default state, and audits it', async () => {
    await ok('POST', '/api/v1/flags', { key: 'before-qa' });
    const res = await server.api('POST', '/api/v1/environments', { key: 'qa', name: 'QA' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ key: 'qa', name: 'QA', version: 1, createdAt: ISO });
    expect((await ok('GET', '/api/v1/flags/before-qa/environments/qa')).body).toMatchObject({ version: 1, on: false, fallthrough: { variation: 1 } });
    expect(await latestAudit()).toMatchObject({ action: 'environment.create', env: 'qa', resource: { kind: 'environment', key: 'qa' }, after: { key: 'qa' } });
  });
});

describe('flags', () => {
  it('creates a boolean flag, off everywhere, serving true once turned on', async () => {
    const res = await server.api('POST', '/api/v1/flags', { key: 'new-checkout', description: 'The new checkout', tags: ['payments', 'payments'] });
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
    expect(await latestAudit()).toMatchObject({ action: 'flag.create', resource: { kind: 'flag', key: 'new-checkout' }, after: { key: 'new-checkout', kind: 'boolean' } });
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
    const res = await server.api('PATCH', '/api/v1/flags/theme', { description: 'Dark mode', variations: ['light', 'dark', 'sepia'] }, { 'If-Match': before.headers.get('etag')! });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: before.body.version + 1, description: 'Dark mode', variations: ['light', 'dark', 'sepia'] });
    expect(res.body.environments.production.version).toBe(before.body.environments.production.version + 1);
    expect(await envVersion('production')).toBe(prod + 1);
    expect(await latestAudit()).toMatchObject({ action: 'flag.update', before: { description: '' }, after: { description: 'Dark mode' } });
    const stale = await server.api('PATCH', '/api/v1/flags/theme', { description: 'x' }, { 'If-Match': before.headers.get('etag')! });
    expect(stale.status).toBe(409);
  });

  it('archives (leaving SDK snapshots, refusing state changes) and unarchives as it was', async () => {
    await ok('PATCH', '/api/v1/flags/max-items/environments/production', { on: true, fallthrough: { variation: 2 } });
    const archived = await ok('POST', '/api/v1/flags/max-items/archive');
    expect(archived.body.archived).toBe(true);
    expect((await server.api('PATCH', '/api/v1/flags/max-items/environments/production', { on: false })).status).toBe(409);
    const restored = await ok('POST', '/api/v1/flags/max-items/unarchive');
    expect(restored.body).toMatchObject({ archived: false, environments: { production: { on: true, fallthrough: { variation: 2 } } } });
    const actions = (await ok('GET', '/api/v1/audit?flag=max-items&action=flag.*')).body.entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(['flag.unarchive', 'flag.archive', 'flag.create']);
  });
});

describe("a flag's state in one environment", () => {
  const PATH = '/api/v1/flags/new-checkout/environments/production';

  it('reads the state with its version as ETag', async () => {
    const res = await ok('GET', PATH);
    expect(res.headers.get('etag')).toBe(`"${res.body.version}"`);
    expect(res.body).toEqual({ version: 1, on: false, offVariation: 0, targets: [], rules: [], fallthrough: { variation: 1 }, updatedAt: ISO });
  });

  it('PATCHes fields under If-Match: bumps the state and the environment, audits before and after with the reason', async () => {
    const prod = await envVersion('production');
    const staging = await envVersion('staging');
    const res = await server.api('PATCH', PATH, { on: true }, { 'If-Match': '"1"', 'X-Flagstaff-Reason': encodeURIComponent('Go live — ticket #42') });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"2"');
    expect(res.body).toMatchObject({ version: 2, on: true });
    expect(await envVersion('production')).toBe(prod + 1);
    expect(await envVersion('staging')).toBe(staging);
    expect(await latestAudit()).toMatchObject({
      action: 'flag_state.update',
      env: 'production',
      actor: { kind: 'admin', id: expect.stringMatching(/^key_/), name: 'bootstrap' },
      resource: { kind: 'flag', key: 'new-checkout' },
      reason: 'Go live — ticket #42',
      before: { version: 1, on: false },
      after: { version: 2, on: true },
      at: ISO,
    });
  });

  it('PUTs the whole state (targets, rules, rollout) and accepts a state read with GET as it is', async () => {
    await ok('POST', '/api/v1/environments/production/segments', { key: 'staff', rules: [{ clauses: [{ attribute: 'email', op: 'endsWith', values: ['@example.com'] }] }] });
    const current = await ok('GET', PATH);
    const state = {
      ...current.body,
      targets: [{ variation: 1, values: ['user-1', 'user-2'] }],
      rules: [
        { id: 'africa', clauses: [{ attribute: 'country', op: 'in', values: ['ZA', 'NG', 'KE'] }], serve: { variation: 1 } },
        { id: 'staff', clauses: [{ attribute: '', op: 'segmentMatch', values: ['staff'] }], serve: { rollout: { bucketBy: 'key', weights: [50000, 50000] } } },
      ],
      fallthrough: { rollout: { bucketBy: 'key', weights: [75000, 25000] } },
    };
    const res = await server.api('PUT', PATH, state, { 'If-Match': current.headers.get('etag')! });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ version: current.body.version + 1, targets: state.targets, rules: state.rules, fallthrough: state.fallthrough });
  });

  it('treats a write that changes nothing as no change: no version, no audit entry', async () => {
    const current = await ok('GET', PATH);
    const audit = await latestAudit();
    const res = await ok('PATCH', PATH, { on: true });
    expect(res.body.version).toBe(current.body.version);
    expect((await latestAudit()).id).toBe(audit.id);
  });

  it('sets offVariation, the kill switch', async () => {
    await ok('PATCH', '/api/v1/flags/theme/environments/production', { on: false, offVariation: 2 });
    const res = await ok('POST', '/api/v1/evaluate', { env: 'production', flag: 'theme', context: { key: 'u' } });
    expect(res.body).toMatchObject({ value: 'sepia', variationIndex: 2, reason: { kind: 'OFF' } });
  });
});

describe('segments', () => {
  const BASE = '/api/v1/environments/staging/segments';

  it('creates, lists, gets, replaces under If-Match and deletes a segment, auditing each step', async () => {
    const created = await server.api('POST', BASE, { key: 'beta', name: 'Beta testers', included: ['u-1'], excluded: ['u-2'] });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ key: 'beta', name: 'Beta testers', description: '', version: 1, included: ['u-1'], excluded: ['u-2'], rules: [], createdAt: ISO, updatedAt: ISO });
    expect((await ok('GET', BASE)).body.segments.map((s: { key: string }) => s.key)).toEqual(['beta']);
    const got = await ok('GET', `${BASE}/beta`);
    expect(got.headers.get('etag')).toBe('"1"');

    const replaced = await server.api('PUT', `${BASE}/beta`, { ...got.body, included: ['u-1', 'u-3'] }, { 'If-Match': '"1"' });
    expect(replaced.status).toBe(200);
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
    expect((await ok('GET', '/api/v1/environments/production/segments')).body.segments.map((s: { key: string }) => s.key)).toEqual(['staff']);
    expect((await ok('GET', '/api/v1/environments/development/segments')).body.segments).toEqual([]);
  });
});

describe('keys', () => {
  it('creates a key shown once, lists it by hint, revokes it', async () => {
    const res = await server.api('POST', '/api/v1/keys', { kind: 'server', env: 'production', name: 'checkout-service' });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.body).toEqual({
      id: expect.stringMatching(/^key_[0-9a-f]{12}$/),
      kind: 'server',
      name: 'checkout-service',
      env: 'production',
      hint: `fss_…${res.body.key.slice(-4)}`,
      createdAt: ISO,
      lastUsedAt: null,
      revokedAt: null,
      key: expect.stringMatching(/^fss_[\w-]{32}$/),
    });
    const listed = (await ok('GET', '/api/v1/keys')).body.keys.find((k: { id: string }) => k.id === res.body.id);
    expect(listed).not.toHaveProperty('key');
    const revoked = await ok('DELETE', `/api/v1/keys/${res.body.id}`);
    expect(revoked.body.revokedAt).toEqual(ISO);
    expect(await latestAudit()).toMatchObject({ action: 'key.revoke', env: 'production', resource: { kind: 'key', key: res.body.id } });
  });

  it('gives prefixes by kind, and admin tokens their scopes (default admin)', async () => {
    expect((await createKey(server, { kind: 'client', env: 'qa' })).key).toMatch(/^fsc_/);
    const admin = await server.api('POST', '/api/v1/keys', { kind: 'admin' });
    expect(admin.body).toMatchObject({ key: expect.stringMatching(/^fsa_/), scopes: ['admin'] });
  });
});

describe('audit log', () => {
  it('filters by flag, environment, actor, action and time, newest first', async () => {
    const reader = await createKey(server, { kind: 'admin', name: 'robot', scopes: ['write'] });
    await server.api('PATCH', '/api/v1/flags/layout/environments/staging', { on: true }, { Authorization: `Bearer ${reader.key}` });
    const query = async (q: string) => (await ok('GET', `/api/v1/audit?${q}`)).body.entries;

    const byActor = await query('actor=robot');
    expect(byActor.map((e: { action: string; env: string }) => [e.action, e.env])).toEqual([['flag_state.update', 'staging']]);
    expect(await query(`actor=${reader.id}`)).toEqual(byActor);
    expect((await query('flag=layout&env=staging')).map((e: { id: string }) => e.id)).toEqual([byActor[0].id]);
    expect(await query('since=2000-01-01T00:00:00Z&until=2000-01-02T00:00:00Z')).toEqual([]);
    expect((await query('since=1h&flag=layout')).length).toBeGreaterThanOrEqual(2);
    const all = await query('limit=200');
    expect(all.map((e: { id: string }) => Number(e.id))).toEqual([...all.map((e: { id: string }) => Number(e.id))].sort((a, b) => b - a));
  });

  it('pages with nextCursor, without gaps or repeats, until null', async () => {
    const all = (await ok('GET', '/api/v1/audit?limit=200')).body.entries.map((e: { id: string }) => e.id);
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { entries: Array<{ id: string }>; nextCursor: string | null } = (
        await ok('GET', `/api/v1/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`)
      ).body;
      expect(page.entries.length).toBeLessThanOrEqual(3);
      paged.push(...page.entries.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(all);
  });
});

describe('evaluate', () => {
  it('explains what a context gets, and why', async () => {
    const res = await ok('POST', '/api/v1/evaluate', { env: 'production', flag: 'new-checkout', context: { key: 'someone', country: 'KE' } });
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

  it('answers 404 for a flag that does not exist or is archived', async () => {
    const missing = await server.api('POST', '/api/v1/evaluate', { env: 'production', flag: 'nope', context: {} });
    expect([missing.status, missing.body.error.message]).toEqual([404, 'flag "nope" does not exist']);
    const archived = await server.api('POST', '/api/v1/evaluate', { env: 'production', flag: 'before-qa', context: {} });
    expect([archived.status, archived.body.error.message]).toEqual([404, 'flag "before-qa" is archived: unarchive it to evaluate it']);
  });
});

describe('unknown routes', () => {
  it.each(['/api/v1/nope', '/sdk/v1/nope', '/nope', '/ofrep/v2/evaluate/flags'])('%s → 404 in the error shape', async (path) => {
    const res = await server.api('GET', path);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: `no route GET ${path}` } });
  });
});
