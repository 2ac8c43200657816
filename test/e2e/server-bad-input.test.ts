// Bad input against a real server: every case gets the right status, the documented error code, a
// message that says what to fix — and leaves the store exactly as it was (no version bump, no audit
// entry, no half-written row).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, storeFingerprint, type RunningServer } from '../helpers/server.js';

const BODY_LIMIT = 4096;
let server: RunningServer;
let stateVersion: number;

interface BadInput {
  name: string;
  method: string;
  path: string;
  /** Objects are sent as JSON; strings as they are. */
  body?: unknown;
  headers?: Record<string, string> | (() => Record<string, string>);
  status: number;
  code: string;
  message: RegExp;
  details?: (details: any) => void;
}

const PROD_STATE = '/api/v1/flags/checkout/environments/production';
const rule = (clause: Record<string, unknown>) => ({ rules: [{ id: 'r1', clauses: [clause], serve: { variation: 1 } }] });

const cases: BadInput[] = [
  // The body itself
  { name: 'a body that is not JSON', method: 'POST', path: '/api/v1/flags', body: '{"key": "x",', status: 400, code: 'invalid_json', message: /not valid JSON/ },
  { name: 'a body that is not application/json', method: 'POST', path: '/api/v1/flags', body: 'key=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, status: 415, code: 'unsupported_media_type', message: /Content-Type: application\/json/ },
  { name: 'a body over the limit', method: 'POST', path: '/api/v1/flags', body: { key: 'big', description: 'x'.repeat(BODY_LIMIT) }, status: 413, code: 'payload_too_large', message: new RegExp(`limited to ${BODY_LIMIT} bytes`) },
  { name: 'no body where one is required', method: 'POST', path: '/api/v1/flags', status: 400, code: 'validation_failed', message: /a JSON body is required/ },
  { name: 'a JSON array instead of an object', method: 'POST', path: '/api/v1/flags', body: [{ key: 'x' }], status: 400, code: 'validation_failed', message: /expected object, received array/ },

  // Flags
  { name: 'a flag key with capitals', method: 'POST', path: '/api/v1/flags', body: { key: 'New-Checkout' }, status: 400, code: 'validation_failed', message: /^key: /, details: (d) => expect(d.issues[0].path).toBe('key') },
  { name: 'a flag key of 129 characters', method: 'POST', path: '/api/v1/flags', body: { key: `k${'x'.repeat(128)}` }, status: 400, code: 'validation_failed', message: /^key: / },
  { name: 'an empty flag key', method: 'POST', path: '/api/v1/flags', body: { key: '' }, status: 400, code: 'validation_failed', message: /^key: / },
  { name: 'an unknown field', method: 'POST', path: '/api/v1/flags', body: { key: 'colourful', colour: 'red' }, status: 400, code: 'validation_failed', message: /^colour: unknown field "colour"/ },
  { name: 'an unknown kind', method: 'POST', path: '/api/v1/flags', body: { key: 'counter', kind: 'integer' }, status: 400, code: 'validation_failed', message: /kind is one of boolean, string, number, json/ },
  { name: 'a string flag without variations', method: 'POST', path: '/api/v1/flags', body: { key: 'theme', kind: 'string' }, status: 400, code: 'validation_failed', message: /^variations: a string flag needs its variations/ },
  { name: 'a boolean flag with other variations', method: 'POST', path: '/api/v1/flags', body: { key: 'bool', variations: [1, 2] }, status: 400, code: 'validation_failed', message: /^variations: boolean flags have exactly the variations \[false, true\]/ },
  { name: 'a tag with a space', method: 'POST', path: '/api/v1/flags', body: { key: 'tagged', tags: ['has space'] }, status: 400, code: 'validation_failed', message: /^tags\[0\]: a tag is/ },
  { name: 'a description that is not a string', method: 'POST', path: '/api/v1/flags', body: { key: 'described', description: 42 }, status: 400, code: 'validation_failed', message: /^description: / },
  { name: 'a flag key that is taken', method: 'POST', path: '/api/v1/flags', body: { key: 'checkout' }, status: 409, code: 'already_exists', message: /checkout/ },
  { name: 'archived=maybe on the flag list', method: 'GET', path: '/api/v1/flags?archived=maybe', status: 400, code: 'invalid_query', message: /^archived: expected one of false, true, all/ },
  { name: 'new variations that leave a state invalid', method: 'PATCH', path: '/api/v1/flags/banner', body: { variations: ['a', 'b'] }, status: 400, code: 'validation_failed', message: /^environments\.production\.offVariation: / },

  // A flag's state in one environment
  { name: '"on" that is not a boolean', method: 'PATCH', path: PROD_STATE, body: { on: 'yes' }, status: 400, code: 'validation_failed', message: /^on: / },
  { name: 'an offVariation out of range', method: 'PATCH', path: PROD_STATE, body: { offVariation: 5 }, status: 400, code: 'validation_failed', message: /^offVariation: / },
  { name: 'rollout weights that do not sum to 100000', method: 'PATCH', path: PROD_STATE, body: { fallthrough: { rollout: { bucketBy: 'key', weights: [50000, 40000] } } }, status: 400, code: 'validation_failed', message: /^fallthrough\.rollout\.weights: weights must sum to 100000, not 90000/ },
  { name: 'an unknown clause operator', method: 'PATCH', path: PROD_STATE, body: rule({ attribute: 'country', op: 'equals', values: ['ZA'] }), status: 400, code: 'validation_failed', message: /^rules\[0\]\.clauses\[0\]\.op: / },
  { name: 'a segmentMatch on a segment that does not exist', method: 'PATCH', path: PROD_STATE, body: rule({ attribute: '', op: 'segmentMatch', values: ['nobody'] }), status: 400, code: 'validation_failed', message: /^rules\[0\]\.clauses\[0\]\.values\[0\]: unknown segment "nobody"/ },
  { name: 'a regular expression that does not compile', method: 'PATCH', path: PROD_STATE, body: rule({ attribute: 'email', op: 'matches', values: ['(unclosed'] }), status: 400, code: 'validation_failed', message: /^rules\[0\]\.clauses\[0\]\.values\[0\]: invalid regular expression/ },
  { name: 'a target naming a variation that does not exist', method: 'PATCH', path: PROD_STATE, body: { targets: [{ variation: 7, values: ['user-1'] }] }, status: 400, code: 'validation_failed', message: /^targets\[0\]\.variation: / },
  { name: 'a PUT without If-Match', method: 'PUT', path: PROD_STATE, body: { on: true, offVariation: 0, targets: [], rules: [], fallthrough: { variation: 1 } }, status: 428, code: 'precondition_required', message: /If-Match/ },
  { name: 'a PUT that leaves out a field', method: 'PUT', path: PROD_STATE, headers: () => ({ 'If-Match': `"${stateVersion}"` }), body: { on: true, offVariation: 0, targets: [], rules: [] }, status: 400, code: 'validation_failed', message: /^fallthrough: / },
  { name: 'an If-Match that is not a version', method: 'PATCH', path: PROD_STATE, headers: { 'If-Match': 'yesterday' }, body: { on: true }, status: 400, code: 'validation_failed', message: /^If-Match: expected a version/ },
  { name: 'a stale If-Match', method: 'PATCH', path: PROD_STATE, headers: () => ({ 'If-Match': `"${stateVersion - 1}"` }), body: { on: true }, status: 409, code: 'version_conflict', message: /^flag "checkout" in production is at version \d+, not \d+: it changed since it was read; read it again$/, details: (d) => expect(d.currentVersion).toBe(stateVersion) },
  { name: 'a state change of an archived flag', method: 'PATCH', path: '/api/v1/flags/retired/environments/production', body: { on: true }, status: 409, code: 'archived', message: /archived/ },
  { name: 'the state of a flag that does not exist', method: 'PATCH', path: '/api/v1/flags/ghost/environments/production', body: { on: true }, status: 404, code: 'not_found', message: /flag "ghost" does not exist/ },
  { name: 'the state in an environment that does not exist', method: 'PATCH', path: '/api/v1/flags/checkout/environments/moon', body: { on: true }, status: 404, code: 'not_found', message: /environment "moon" does not exist/ },
  { name: 'a reason over 500 characters', method: 'PATCH', path: PROD_STATE, headers: { 'X-Flagstaff-Reason': 'r'.repeat(501) }, body: { on: true }, status: 400, code: 'validation_failed', message: /^X-Flagstaff-Reason: at most 500 characters/ },

  // Environments
  { name: 'an environment key with punctuation', method: 'POST', path: '/api/v1/environments', body: { key: 'Prod!' }, status: 400, code: 'validation_failed', message: /^key: an environment key is/ },
  { name: 'an environment that exists', method: 'POST', path: '/api/v1/environments', body: { key: 'production' }, status: 409, code: 'already_exists', message: /environment "production" already exists/ },

  // Segments
  { name: 'a segment key with spaces', method: 'POST', path: '/api/v1/environments/production/segments', body: { key: 'beta testers' }, status: 400, code: 'validation_failed', message: /^key: / },
  { name: 'a segment in an environment that does not exist', method: 'POST', path: '/api/v1/environments/moon/segments', body: { key: 'x' }, status: 404, code: 'not_found', message: /environment "moon"/ },
  { name: 'deleting a segment a flag still uses', method: 'DELETE', path: '/api/v1/environments/production/segments/beta', status: 409, code: 'segment_in_use', message: /segment "beta" is used by "checkout" in production/, details: (d) => expect(d.flags).toEqual(['checkout']) },
  { name: 'a PUT naming another segment in the body', method: 'PUT', path: '/api/v1/environments/production/segments/beta', headers: { 'If-Match': '"1"' }, body: { key: 'gamma' }, status: 400, code: 'validation_failed', message: /^key: the body names segment "gamma"/ },

  // Keys
  { name: 'a server key without an environment', method: 'POST', path: '/api/v1/keys', body: { kind: 'server' }, status: 400, code: 'validation_failed', message: /^env: a server key belongs to one environment/ },
  { name: 'an admin token tied to an environment', method: 'POST', path: '/api/v1/keys', body: { kind: 'admin', env: 'production' }, status: 400, code: 'validation_failed', message: /^env: admin tokens are not tied to an environment/ },
  { name: 'an unknown key kind', method: 'POST', path: '/api/v1/keys', body: { kind: 'root' }, status: 400, code: 'validation_failed', message: /kind is one of admin, server, client/ },
  { name: 'an unknown scope', method: 'POST', path: '/api/v1/keys', body: { kind: 'admin', scopes: ['everything'] }, status: 400, code: 'validation_failed', message: /a scope is one of read, write, admin/ },
  { name: 'a key for an environment that does not exist', method: 'POST', path: '/api/v1/keys', body: { kind: 'client', env: 'moon' }, status: 404, code: 'not_found', message: /environment "moon"/ },
  { name: 'revoking the last admin token', method: 'DELETE', path: '/api/v1/keys/:self', status: 409, code: 'last_admin_token', message: /last admin token/ },
  { name: 'revoking a key that does not exist', method: 'DELETE', path: '/api/v1/keys/key_000000000000', status: 404, code: 'not_found', message: /key "key_000000000000" does not exist/ },

  // Audit log queries
  { name: 'since that is not a time', method: 'GET', path: '/api/v1/audit?since=yesterday', status: 400, code: 'invalid_query', message: /^since: expected an ISO-8601 time or a duration/ },
  { name: 'a limit of 0', method: 'GET', path: '/api/v1/audit?limit=0', status: 400, code: 'invalid_query', message: /^limit: expected an integer from 1 to 200/ },
  { name: 'a cursor that no page gave', method: 'GET', path: '/api/v1/audit?cursor=bm9wZQ', status: 400, code: 'invalid_query', message: /^cursor: / },

  // Evaluate
  { name: 'evaluating in an environment that does not exist', method: 'POST', path: '/api/v1/evaluate', body: { env: 'moon', flag: 'checkout', context: { key: 'u' } }, status: 404, code: 'not_found', message: /environment "moon"/ },
  { name: 'evaluating with a context that is not an object', method: 'POST', path: '/api/v1/evaluate', body: { env: 'production', flag: 'checkout', context: 5 }, status: 400, code: 'validation_failed', message: /^context/ },

  // Routes
  { name: 'a route that does not exist', method: 'GET', path: '/api/v1/flagz', status: 404, code: 'not_found', message: /no route GET \/api\/v1\/flagz/ },
  { name: 'a method a route does not have', method: 'DELETE', path: '/api/v1/flags/checkout', status: 404, code: 'not_found', message: /no route DELETE/ },
];

let selfKeyId: string;

beforeAll(async () => {
  server = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0', FLAGSTAFF_BODY_LIMIT: String(BODY_LIMIT) } });
  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await server.api(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  await ok('POST', '/api/v1/environments/production/segments', { key: 'beta', included: ['user-1'] });
  await ok('POST', '/api/v1/flags', { key: 'checkout' });
  const state = await ok('PATCH', PROD_STATE, rule({ attribute: '', op: 'segmentMatch', values: ['beta'] }));
  stateVersion = state.version;
  await ok('POST', '/api/v1/flags', { key: 'banner', kind: 'string', variations: ['a', 'b', 'c'] });
  await ok('PATCH', '/api/v1/flags/banner/environments/production', { offVariation: 2 });
  await ok('POST', '/api/v1/flags', { key: 'retired' });
  await ok('POST', '/api/v1/flags/retired/archive');
  selfKeyId = (await ok('GET', '/api/v1/keys')).keys[0].id;
});

afterAll(async () => {
  await server?.stop();
});

describe('bad input', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('$name → $status $code, store unchanged', async (c) => {
    const before = await storeFingerprint(server);
    const headers = typeof c.headers === 'function' ? c.headers() : (c.headers ?? {});
    const res = await server.api(c.method, c.path.replace(':self', selfKeyId), c.body, headers);

    expect(res.status).toBe(c.status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Object.keys(res.body)).toEqual(['error']);
    expect(res.body.error.code).toBe(c.code);
    expect(res.body.error.message).toMatch(c.message);
    c.details?.(res.body.error.details);
    expect(await storeFingerprint(server)).toBe(before);
  });

  it('refuses a body over the limit that declares no Content-Length (chunked), store unchanged', async () => {
    const before = await storeFingerprint(server);
    const chunk = new TextEncoder().encode(`{"key":"streamed","description":"${'x'.repeat(BODY_LIMIT)}"}`);
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await fetch(`${server.url}/api/v1/flags`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.adminToken}`, 'Content-Type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).error.code).toBe('payload_too_large');
    expect(await storeFingerprint(server)).toBe(before);
  });

  it('lists every problem of a body, each with its path', async () => {
    const res = await server.api('PATCH', PROD_STATE, { on: 'yes', offVariation: -1 });
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['offVariation', 'on']);
    expect(res.body.error.message).toMatch(/\(and 1 more\)$/);
  });
});
