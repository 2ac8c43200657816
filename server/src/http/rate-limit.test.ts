// Token buckets per credential, and refusals per client address (rate-limit.ts): a flood is answered with
// 429 and Retry-After, one caller does not starve another, and guessing credentials runs out — first
// through the whole app in-process, then the middleware alone on a clock the test moves.
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { ApiError } from '../errors.js';
import { testApp } from '../testing/app.js';
import { rateLimit, refusalsPerMinute } from './rate-limit.js';

describe('rate limiting', () => {
  it('answers a flood of requests with 429 and Retry-After', async () => {
    const limited = testApp({ env: { FLAGSTAFF_RATE_LIMIT: '5' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await limited.api('GET', '/api/v1/environments')).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      const res = await limited.api('GET', '/api/v1/environments');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(res.body.error.code).toBe('rate_limited');
      // Limits are per credential: another caller is not starved.
      expect((await limited.api('GET', '/api/v1/environments', undefined, { Authorization: '' })).status).toBe(401);
    } finally {
      limited.close();
    }
  });

  it('refuses new credentials from an address that has used up its refusals; credentials that work still work', async () => {
    // 100 requests a minute per credential; refusals per address: max(10, 100 / 20) = 10 a minute.
    const limited = testApp({ env: { FLAGSTAFF_RATE_LIMIT: '100' } });
    try {
      const guess = (i: number) => limited.api('GET', '/api/v1/flags', undefined, { Authorization: `Bearer fsa_guess${i}` });
      const hook = (i: number) =>
        limited.api('POST', '/hooks/v1/alerts/generic', { alert: 'x', status: 'firing' }, { Authorization: `Bearer fsh_guess${i}` });
      expect((await limited.api('GET', '/api/v1/flags')).status).toBe(200);
      const newKey = (await limited.api('POST', '/api/v1/keys', { kind: 'admin', scopes: ['read'], name: 'late' })).body.key;

      // Every made-up credential would get a full bucket of its own: the address's refusals are what run out.
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await guess(i)).status);
      for (let i = 6; i < 12; i++) statuses.push((await hook(i)).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 401, 401, 401, 429, 429]);
      const refused = await guess(99);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

      // The admin token was accepted before: it is not held back. A key never used from here waits.
      expect((await limited.api('GET', '/api/v1/flags')).status).toBe(200);
      expect((await limited.api('GET', '/api/v1/flags', undefined, { Authorization: `Bearer ${newKey}` })).status).toBe(429);
      // Ten refused hook requests at most: the flood did not write an audit row per request.
      const audit = await limited.api('GET', '/api/v1/audit?action=hook.rejected&limit=100');
      expect(audit.body.entries).toHaveLength(4);
    } finally {
      limited.close();
    }
  });
});

describe('the middleware on its own clock', () => {
  /** rateLimit before two routes, one that answers 401; requests come from `address`. */
  function limitedApp(perMinute: number) {
    let now = 1_000_000;
    const app = new Hono();
    app.use(
      '*',
      rateLimit(perMinute, () => now),
    );
    app.get('/ok', (c) => c.text('ok'));
    app.get('/refused', (c) => c.text('no', 401));
    app.onError((error, c) => c.json((error as ApiError).toBody(), (error as ApiError).status));
    const get = (path: string, authorization?: string, address = '10.0.0.1') =>
      Promise.resolve(
        app.request(
          path,
          { headers: authorization ? { Authorization: authorization } : {} },
          { incoming: { socket: { remoteAddress: address } } },
        ),
      );
    return { get, advance: (ms: number) => void (now += ms) };
  }
  const statuses = async (responses: Promise<Response>[]) => (await Promise.all(responses)).map((r) => r.status);

  it.each([
    [1, 10],
    [20, 10],
    [200, 10],
    [201, 11],
    [1200, 60],
  ])('lets an address present %i → %i refused credentials a minute', (perMinute, refusals) => {
    expect(refusalsPerMinute(perMinute)).toBe(refusals);
  });

  it('refills a bucket at its rate a minute, saying in Retry-After when the next token comes', async () => {
    const { get, advance } = limitedApp(6); // one token every 10 s
    const seq = [];
    for (let i = 0; i < 7; i++) seq.push((await get('/ok', 'Bearer a')).status);
    expect(seq).toEqual([200, 200, 200, 200, 200, 200, 429]);
    const limited = await get('/ok', 'Bearer a');
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '10']);
    expect(((await limited.json()) as { error: unknown }).error).toEqual({
      code: 'rate_limited',
      message: 'too many requests: retry in 10 s',
      details: { retryAfterSeconds: 10 },
    });
    advance(9_999);
    expect((await get('/ok', 'Bearer a')).status).toBe(429);
    advance(1);
    expect(await statuses([get('/ok', 'Bearer a'), get('/ok', 'Bearer a')])).toEqual([200, 429]);
  });

  it('keeps a bucket per credential, and one per address for requests without one', async () => {
    const { get } = limitedApp(2);
    expect(await statuses([get('/ok', 'Bearer a'), get('/ok', 'Bearer a'), get('/ok', 'Bearer a')])).toEqual([200, 200, 429]);
    expect(await statuses([get('/ok', 'Bearer b'), get('/ok'), get('/ok'), get('/ok')])).toEqual([200, 200, 200, 429]);
    expect((await get('/ok', undefined, '10.0.0.2')).status).toBe(200);
  });

  it('counts refusals per address: a credential never accepted there waits, one that was is let through', async () => {
    const { get, advance } = limitedApp(1200); // 60 refusals a minute
    expect((await get('/ok', 'Bearer good')).status).toBe(200);
    const guesses = [];
    for (let i = 0; i < 61; i++) guesses.push((await get('/refused', `Bearer guess-${i}`)).status);
    expect(guesses.slice(0, 60).every((s) => s === 401)).toBe(true);
    expect(guesses[60]).toBe(429);
    expect((await get('/ok', 'Bearer good')).status).toBe(200);
    expect((await get('/ok', 'Bearer new')).status).toBe(429);
    // Another address has its own refusals; and one second later this one has one refusal back.
    expect((await get('/ok', 'Bearer new', '10.0.0.2')).status).toBe(200);
    advance(1_000);
    expect((await get('/ok', 'Bearer newer')).status).toBe(200);
  });

  it('does nothing when the limit is 0', async () => {
    const { get } = limitedApp(0);
    const seq = [];
    for (let i = 0; i < 50; i++) seq.push((await get('/refused', `Bearer guess-${i}`)).status);
    expect(new Set(seq)).toEqual(new Set([401]));
  });
});
