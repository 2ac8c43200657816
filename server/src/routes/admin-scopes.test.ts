// The scope every admin route needs, as a table checked against the app's own route table (Hono's
// `app.routes`): a route added without its line here fails, and so does a line whose route is gone. Each
// route must refuse a token below its scope (403) and let one with exactly that scope past the check.
import { afterAll, describe, expect, it } from 'vitest';
import type { Scope } from '../store/resources.js';
import { TEST_ACTOR, testApp } from '../testing/app.js';

/** docs/api.md: `admin` for keys, hooks, kill rules and environment settings; `write` for changes; `read` else. */
const NEEDS: Record<string, Scope> = {
  'GET /api/v1/environments': 'read',
  'POST /api/v1/environments': 'admin',
  'GET /api/v1/environments/:env': 'read',
  'GET /api/v1/environments/:env/segments': 'read',
  'POST /api/v1/environments/:env/segments': 'write',
  'GET /api/v1/environments/:env/segments/:key': 'read',
  'PUT /api/v1/environments/:env/segments/:key': 'write',
  'DELETE /api/v1/environments/:env/segments/:key': 'write',
  'GET /api/v1/environments/:env/hooks': 'admin',
  'POST /api/v1/environments/:env/hooks': 'admin',
  'DELETE /api/v1/environments/:env/hooks/:id': 'admin',
  'GET /api/v1/environments/:env/kill-rules': 'read',
  'GET /api/v1/environments/:env/kill-rules/:id': 'read',
  'POST /api/v1/environments/:env/kill-rules': 'admin',
  // Deleting a kill rule quietly disarms the kill switch: it needs what creating one needs.
  'DELETE /api/v1/environments/:env/kill-rules/:id': 'admin',
  // Notification targets are credentials (a Slack URL, a signing secret) and reach outside: admin, like hooks.
  'GET /api/v1/environments/:env/notifications': 'admin',
  'POST /api/v1/environments/:env/notifications': 'admin',
  'DELETE /api/v1/environments/:env/notifications/:id': 'admin',
  'POST /api/v1/environments/:env/notifications/:id/test': 'admin',
  'GET /api/v1/environments/:env/notifications/:id/deliveries': 'admin',
  'GET /api/v1/environments/:env/sdk-instances': 'read',
  'GET /api/v1/environments/:env/changes/:version': 'read',
  'GET /api/v1/flags': 'read',
  'POST /api/v1/flags': 'write',
  'GET /api/v1/flags/:key': 'read',
  'PATCH /api/v1/flags/:key': 'write',
  'POST /api/v1/flags/:key/archive': 'write',
  'POST /api/v1/flags/:key/unarchive': 'write',
  'GET /api/v1/flags/:key/usage': 'read',
  'GET /api/v1/flags/:key/environments/:env': 'read',
  'PUT /api/v1/flags/:key/environments/:env': 'write',
  'PATCH /api/v1/flags/:key/environments/:env': 'write',
  'GET /api/v1/keys': 'admin',
  'POST /api/v1/keys': 'admin',
  'DELETE /api/v1/keys/:id': 'admin',
  'GET /api/v1/audit': 'read',
  'GET /api/v1/rollout-plans': 'read',
  'POST /api/v1/rollout-plans': 'write',
  'GET /api/v1/rollout-plans/:id': 'read',
  'POST /api/v1/rollout-plans/:id/pause': 'write',
  'POST /api/v1/rollout-plans/:id/resume': 'write',
  'POST /api/v1/rollout-plans/:id/abort': 'write',
  'POST /api/v1/evaluate': 'read',
};

const RANK: Record<Scope, number> = { read: 1, write: 2, admin: 3 };
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const t = testApp();
afterAll(() => t.close());
// A token without any scope (a row written before scopes existed has none): no route may answer it.
const noScope = t.store.keys.create({ kind: 'admin', name: 'none', scopes: [] }, { actor: TEST_ACTOR }).key;

/** Every /api/v1 route the app serves, as "METHOD /path" (middleware entries are method ALL). */
const served = [
  ...new Set(t.app.routes.filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/')).map((r) => `${r.method} ${r.path}`)),
];

/** A request to the route, with parameters naming nothing (404 past the scope check) and a JSON body for writes. */
function call(route: string, token: string) {
  const [method, pattern] = route.split(' ') as [string, string];
  const path = pattern.replace(':env', 'production').replace(':id', '1').replace(':key', 'no-such-thing').replace(':version', '999');
  return t.request(path, { method, token, ...(MUTATING.has(method) && method !== 'DELETE' ? { json: {} } : {}) });
}

describe('admin scopes', () => {
  it('lists every admin route the app serves, and only those', () => {
    expect(
      served.filter((route) => !(route in NEEDS)),
      'routes without a scope in this table',
    ).toEqual([]);
    expect(
      Object.keys(NEEDS).filter((route) => !served.includes(route)),
      'lines for routes the app no longer serves',
    ).toEqual([]);
    // Kept as a check so that the table itself cannot drift below the rule.
    expect(RANK[NEEDS['DELETE /api/v1/environments/:env/kill-rules/:id']!]).toBeGreaterThanOrEqual(
      RANK[NEEDS['POST /api/v1/environments/:env/kill-rules']!],
    );
    expect(served.filter((route) => MUTATING.has(route.split(' ')[0]!)).length).toBeGreaterThan(20);
  });

  it.each(Object.entries(NEEDS))('%s needs %s', async (route, needed) => {
    const below = (Object.keys(RANK) as Scope[]).filter((scope) => RANK[scope] < RANK[needed]);
    for (const token of [noScope, ...below.map((scope) => t.tokens[scope])]) {
      const res = await call(route, token);
      expect(res.status, `${route} with a token below ${needed}`).toBe(403);
      expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({
        code: 'forbidden',
        message: expect.stringContaining(`this needs ${needed}`),
      });
    }
    const res = await call(route, t.tokens[needed]);
    expect([401, 403], `${route} with a ${needed} token`).not.toContain(res.status);
  });

  it('needs write or admin on every route that changes something (only /evaluate is a POST that asks)', () => {
    const asks = new Set(['POST /api/v1/evaluate']);
    const changes = served.filter((route) => MUTATING.has(route.split(' ')[0]!) && !asks.has(route));
    expect(changes.filter((route) => NEEDS[route] === 'read')).toEqual([]);
  });

  it('refuses every change to a read token, leaving the store unchanged', async () => {
    const before = t.store.audit.query({ limit: 1 }).entries[0]?.id;
    for (const route of served.filter((r) => NEEDS[r] !== 'read')) {
      expect((await call(route, t.tokens.read)).status, route).toBe(403);
    }
    expect(t.store.audit.query({ limit: 1 }).entries[0]?.id).toBe(before);
  });
});
