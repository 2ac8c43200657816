// Request bodies (body.ts): JSON only, within the size limit, nested within MAX_BODY_DEPTH, parsed and
// validated before any route logic runs — each refusal in the error shape, changing nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRefused, storeFingerprint, type BadInput } from '../../../test/helpers/bad-input.js';
import { testApp } from '../testing/app.js';
import { MAX_BODY_DEPTH, nestsDeeperThan } from './body.js';

const arrays = (depth: number) => `${'['.repeat(depth)}1${']'.repeat(depth)}`;
const objects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('nestsDeeperThan', () => {
  it.each<[string, string, number, boolean]>([
    ['a scalar', '1', 0, false],
    ['arrays at the limit', arrays(3), 3, false],
    ['arrays past the limit', arrays(4), 3, true],
    ['objects past the limit', objects(4), 3, true],
    ['siblings, each within the limit', '[[1],[2],{"a":[3]}]', 3, false],
    ['one sibling past the limit', '[[1],[2],{"a":[3]}]', 2, true],
    ['brackets inside strings', '["[[[[", "{{{{"]', 1, false],
    ['an escaped quote inside a string', '["\\"[[[["]', 1, false],
    ['an escaped backslash before the closing quote', '["\\\\", [[1]]]', 2, true],
  ])('%s', (_, text, limit, deeper) => {
    expect(nestsDeeperThan(text, limit)).toBe(deeper);
  });
});

describe('request bodies', () => {
  const t = testApp({ env: { FLAGSTAFF_BODY_LIMIT: String(64 * 1024) } });
  afterAll(() => t.close());

  it.each([
    ['a flag definition', '/api/v1/flags', (deep: string) => `{"key":"deep","kind":"json","variations":[${deep}]}`],
    ['a flag state', '/api/v1/flags/deep/environments/production', (deep: string) => `{"rules":${deep}}`],
    ['an evaluation', '/api/v1/evaluate', (deep: string) => `{"env":"production","flag":"deep","context":{"a":${deep}}}`],
  ])('refuses %s nested 5,000 deep with 400, not a stack overflow', async (_, path, body) => {
    for (const deep of [arrays(5000), objects(5000)]) {
      const res = await t.request(path, { method: path.includes('environments') ? 'PATCH' : 'POST', body: body(deep) });
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { error: unknown }).error).toMatchObject({
        code: 'validation_failed',
        message: `the body nests arrays and objects deeper than ${MAX_BODY_DEPTH} levels`,
      });
    }
    expect(t.logged.filter((line) => line.includes('unhandled error'))).toEqual([]);
  });

  it('refuses a deep OFREP body with OFREP’s PARSE_ERROR', async () => {
    const res = await t.request('/ofrep/v1/evaluate/flags/deep', {
      method: 'POST',
      token: null,
      headers: { Authorization: t.keys.server },
      body: `{"context":{"a":${arrays(5000)}}}`,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ key: 'deep', errorCode: 'PARSE_ERROR' });
  });

  it('accepts a body nested to the limit (validation then judges it)', async () => {
    // A JSON variation nested 60 deep sits at depth 62 of the body: within core's own limit of 64.
    const res = await t.request('/api/v1/flags', { method: 'POST', body: `{"key":"nested","kind":"json","variations":[${objects(60)}]}` });
    expect(res.status).toBe(201);
  });

  it('names the setting in a 413', async () => {
    const res = await t.request('/api/v1/flags', { method: 'POST', json: { key: 'big', description: 'x'.repeat(64 * 1024) } });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: unknown }).error).toEqual({
      code: 'payload_too_large',
      message: "request bodies are limited to 65536 bytes (the server's FLAGSTAFF_BODY_LIMIT sets this)",
    });
  });
});

describe('the body itself', () => {
  const BODY_LIMIT = 4096;
  const server = testApp({ env: { FLAGSTAFF_BODY_LIMIT: String(BODY_LIMIT) } });
  afterAll(() => server.close());
  beforeAll(async () => {
    expect((await server.api('POST', '/api/v1/flags', { key: 'checkout' })).status).toBe(201);
  });

  const cases: BadInput[] = [
    {
      name: 'a body that is not JSON',
      method: 'POST',
      path: '/api/v1/flags',
      body: '{"key": "x",',
      status: 400,
      code: 'invalid_json',
      message: /not valid JSON/,
    },
    {
      name: 'a body that is not application/json',
      method: 'POST',
      path: '/api/v1/flags',
      body: 'key=x',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      status: 415,
      code: 'unsupported_media_type',
      message: /Content-Type: application\/json/,
    },
    {
      name: 'a body over the limit',
      method: 'POST',
      path: '/api/v1/flags',
      body: { key: 'big', description: 'x'.repeat(BODY_LIMIT) },
      status: 413,
      code: 'payload_too_large',
      message: new RegExp(`limited to ${BODY_LIMIT} bytes`),
    },
    {
      name: 'no body where one is required',
      method: 'POST',
      path: '/api/v1/flags',
      status: 400,
      code: 'validation_failed',
      message: /a JSON body is required/,
      details: (d) => expect(d.issues).toEqual([{ path: '', message: 'a JSON body is required' }]),
    },
    {
      name: 'a body of only whitespace',
      method: 'POST',
      path: '/api/v1/flags',
      body: ' \n ',
      status: 400,
      code: 'validation_failed',
      message: /a JSON body is required/,
    },
    {
      name: 'a JSON array instead of an object',
      method: 'POST',
      path: '/api/v1/flags',
      body: [{ key: 'x' }],
      status: 400,
      code: 'validation_failed',
      message: /expected object, received array/,
    },
  ];

  it.each(cases)('$name → $status $code, store unchanged', (c) => expectRefused(server, c));

  it('refuses a body sent without any Content-Type', async () => {
    // Bytes, not a string: testApp's request() would add a JSON Content-Type to a string.
    const bytes = new TextEncoder().encode('{"key":"untyped"}');
    const res = await server.request('/api/v1/flags', { method: 'POST', headers: { 'Content-Length': String(bytes.length) }, body: bytes });
    expect([res.status, await res.json()]).toEqual([
      415,
      { error: { code: 'unsupported_media_type', message: 'send JSON with Content-Type: application/json' } },
    ]);
    expect((await server.api('GET', '/api/v1/flags/untyped')).status).toBe(404);
  });

  it.each(['application/json; charset=utf-8', 'application/merge-patch+json', 'APPLICATION/JSON'])(
    'accepts Content-Type %s',
    async (type) => {
      const res = await server.api('PATCH', '/api/v1/flags/checkout', { description: type }, { 'Content-Type': type });
      expect([res.status, res.body.description]).toEqual([200, type]);
    },
  );

  it('refuses a body over the limit that declares no Content-Length (chunked), store unchanged', async () => {
    const before = await storeFingerprint(server);
    const chunk = new TextEncoder().encode(`{"key":"streamed","description":"${'x'.repeat(BODY_LIMIT)}"}`);
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(chunk);
        controller.close();
      },
    });
    // As @hono/node-server hands over a chunked upload: Transfer-Encoding, no Content-Length, a stream.
    const res = await server.request('/api/v1/flags', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(((await res.json()) as any).error.code).toBe('payload_too_large');
    expect(await storeFingerprint(server)).toBe(before);
  });
});
