// The headers of a write (write-meta.ts): If-Match (the version it was based on; required on PUT) and
// X-Flagstaff-Reason (why, for the audit log) — read into WriteMeta, or refused with the header's name.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { ApiError } from '../errors.js';
import type { AppEnv } from './context.js';
import { MAX_REASON_LENGTH, parseIfMatch, parseReason, setVersionTag, writeMeta } from './write-meta.js';

/** The validation issues `fn` throws. */
function issues(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    expect((error as ApiError).code).toBe('validation_failed');
    return (error as ApiError).details?.issues;
  }
  throw new Error('expected a refusal');
}

describe('If-Match', () => {
  it.each<[string | undefined, number | undefined]>([
    ['"12"', 12],
    ['12', 12],
    ['W/"12"', 12],
    [' "7" ', 7],
    ['*', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('reads %j as %j', (header, version) => {
    expect(parseIfMatch(header)).toBe(version);
  });

  it.each(['yesterday', '"-1"', '"1.5"', '"1234567890123456"', '"1", "2"'])('refuses %j, naming the header', (header) => {
    expect(issues(() => parseIfMatch(header))).toEqual([{ path: 'If-Match', message: `expected a version such as "12", not ${header}` }]);
  });
});

describe('X-Flagstaff-Reason', () => {
  it.each<[string | undefined, string | undefined]>([
    ['Go live', 'Go live'],
    [encodeURIComponent('Go live — ticket #42'), 'Go live — ticket #42'],
    ['  ', undefined],
    [undefined, undefined],
  ])('reads %j', (header, reason) => {
    expect(parseReason(header)).toBe(reason);
  });

  it('takes a reason of exactly the limit, and refuses one longer', () => {
    expect(parseReason('r'.repeat(MAX_REASON_LENGTH))).toHaveLength(MAX_REASON_LENGTH);
    expect(issues(() => parseReason('r'.repeat(MAX_REASON_LENGTH + 1)))).toEqual([
      { path: 'X-Flagstaff-Reason', message: 'at most 500 characters' },
    ]);
  });

  it('refuses percent-encoding that is not UTF-8', () => {
    expect(issues(() => parseReason('%E0%A4%A'))).toEqual([{ path: 'X-Flagstaff-Reason', message: 'not valid percent-encoded UTF-8' }]);
  });
});

describe('writeMeta', () => {
  const app = new Hono<AppEnv>();
  app.use('*', async (c, next) => {
    c.set('admin', { keyId: 'key_1', name: 'ci', scopes: ['write'] });
    await next();
  });
  app.put('/', (c) => {
    const meta = writeMeta(c, { requireIfMatch: true });
    setVersionTag(c, 3);
    return c.json(meta);
  });
  app.patch('/', (c) => c.json(writeMeta(c)));
  app.onError((error, c) => c.json((error as ApiError).toBody(), (error as ApiError).status));

  it('names the admin as the actor, with the reason and the version when given', async () => {
    const res = await app.request('/', { method: 'PATCH', headers: { 'If-Match': '"4"', 'X-Flagstaff-Reason': 'why' } });
    expect(await res.json()).toEqual({ actor: { kind: 'admin', id: 'key_1', name: 'ci' }, reason: 'why', ifMatch: 4 });
    expect(await (await app.request('/', { method: 'PATCH' })).json()).toEqual({ actor: { kind: 'admin', id: 'key_1', name: 'ci' } });
  });

  it('answers 428 to a PUT without If-Match, and takes * as "overwrite whatever is there"', async () => {
    const missing = await app.request('/', { method: 'PUT' });
    expect([missing.status, ((await missing.json()) as { error: { code: string } }).error.code]).toEqual([428, 'precondition_required']);
    const star = await app.request('/', { method: 'PUT', headers: { 'If-Match': '*' } });
    expect([star.status, star.headers.get('etag')]).toEqual([200, '"3"']);
    expect(await star.json()).not.toHaveProperty('ifMatch');
  });
});
