// GET /api/v1/audit (audit.ts): who changed what, filtered by flag, environment, actor, action and time,
// newest first, paged by an opaque cursor; malformed queries are a 400 naming the parameter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRefused, type BadInput } from '../../../test/helpers/bad-input.js';
import { testApp } from '../testing/app.js';

const server = testApp();
afterAll(() => server.close());

const ok = server.ok;

beforeAll(async () => {
  for (const key of ['layout', 'theme', 'banner']) await ok('POST', '/api/v1/flags', { key });
  await ok('PATCH', '/api/v1/flags/layout/environments/production', { on: true });
  await ok('PATCH', '/api/v1/flags/theme/environments/staging', { on: true });
});

describe('audit log', () => {
  it('filters by flag, environment, actor, action and time, newest first', async () => {
    const reader = (await ok('POST', '/api/v1/keys', { kind: 'admin', name: 'robot', scopes: ['write'] })).body as {
      id: string;
      key: string;
    };
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

  it('matches actions by prefix with *, and exactly without', async () => {
    const actions = async (q: string) =>
      new Set((await ok('GET', `/api/v1/audit?${q}&limit=200`)).body.entries.map((e: { action: string }) => e.action));
    expect(await actions('action=flag_state.*')).toEqual(new Set(['flag_state.update']));
    expect(await actions('action=flag.create')).toEqual(new Set(['flag.create']));
    expect(await actions('action=flag')).toEqual(new Set());
  });

  it('pages with nextCursor, without gaps or repeats, until null', async () => {
    const all = (await ok('GET', '/api/v1/audit?limit=200')).body.entries.map((e: { id: string }) => e.id);
    expect(all.length).toBeGreaterThan(6);
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

  it('gives 50 entries a page unless told', async () => {
    for (let i = 0; i < 50; i++) await ok('POST', '/api/v1/flags', { key: `many-${i}` });
    const page = (await ok('GET', '/api/v1/audit')).body;
    expect(page.entries).toHaveLength(50);
    expect(page.nextCursor).toEqual(expect.any(String));
  });
});

describe('bad input', () => {
  const cases: BadInput[] = [
    {
      name: 'since that is not a time',
      method: 'GET',
      path: '/api/v1/audit?since=yesterday',
      status: 400,
      code: 'invalid_query',
      message: /^since: expected an ISO-8601 time or a duration/,
      details: (d) => expect(d).toEqual({ parameter: 'since' }),
    },
    {
      name: 'until that is not a time',
      method: 'GET',
      path: '/api/v1/audit?until=2026-13',
      status: 400,
      code: 'invalid_query',
      message: /^until: /,
      details: (d) => expect(d).toEqual({ parameter: 'until' }),
    },
    {
      name: 'a limit of 0',
      method: 'GET',
      path: '/api/v1/audit?limit=0',
      status: 400,
      code: 'invalid_query',
      message: /^limit: expected an integer from 1 to 200/,
      details: (d) => expect(d).toEqual({ parameter: 'limit' }),
    },
    {
      name: 'a limit over 200',
      method: 'GET',
      path: '/api/v1/audit?limit=201',
      status: 400,
      code: 'invalid_query',
      message: /^limit: expected an integer from 1 to 200, not "201"/,
    },
    {
      name: 'a cursor that no page gave',
      method: 'GET',
      path: '/api/v1/audit?cursor=bm9wZQ',
      status: 400,
      code: 'invalid_query',
      message: /^cursor: /,
      details: (d) => expect(d).toEqual({ parameter: 'cursor' }),
    },
  ];

  it.each(cases)('$name → $status $code, store unchanged', (c) => expectRefused(server, c));
});
