import { afterAll, describe, expect, it } from 'vitest';
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
    const res = await t.request('/ofrep/v1/evaluate/flags/deep', { method: 'POST', token: null, headers: { Authorization: t.keys.server }, body: `{"context":{"a":${arrays(5000)}}}` });
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
