// Outbound requests (send.ts): which URLs are refused before anything connects, redirects not followed,
// the timeout, Retry-After, and the worker's backoff arithmetic.
import { afterEach, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from '../testing/receiver.js';
import { post, refusedUrl, retryAfterMs } from './send.js';
import { nextDelayMs } from './worker.js';

const receivers: Receiver[] = [];
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});

describe('refusedUrl', () => {
  it.each([
    ['https://hooks.slack.com/services/T/B/X', false, null],
    ['http://203.0.113.7/hook', false, null],
    ['http://169.254.169.254/latest/meta-data/', false, 'link-local'],
    ['http://[fd00:ec2::254]/', false, 'link-local'],
    ['http://[fe80::1]/', false, 'link-local'],
    ['http://metadata.google.internal/', false, 'metadata'],
    ['http://METADATA.google.internal./', false, 'metadata'],
    ['http://127.0.0.1:8420/', false, 'loopback'],
    ['http://[::1]/', false, 'loopback'],
    ['http://[::ffff:169.254.169.254]/', false, 'link-local'],
    ['http://10.1.2.3/', false, 'private'],
    ['http://0.0.0.0/', false, 'private'],
    ['http://localhost:3000/', false, 'local'],
    ['http://127.0.0.1:8420/', true, null],
    ['http://169.254.169.254/', true, null],
    ['file:///etc/passwd', true, 'only http and https'],
    ['not a url', false, 'not a URL'],
  ])('%s (allow private: %s) → %s', (url, allowPrivate, why) => {
    const refused = refusedUrl(url, allowPrivate);
    if (why === null) expect(refused).toBeNull();
    else expect(refused).toContain(why);
  });
});

describe('post', () => {
  it('refuses a loopback receiver without the setting, and never connects to it', async () => {
    const r = await startReceiver();
    receivers.push(r);
    const result = await post(r.url, '{}', {}, { timeoutMs: 1000, allowPrivate: false });
    expect(result).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining('refused') });
    expect(r.received).toHaveLength(0);
  });

  it('does not follow a redirect', async () => {
    const target = await startReceiver();
    const r = await startReceiver(() => ({ status: 302, headers: { Location: target.url } }));
    receivers.push(target, r);
    const result = await post(r.url, '{}', {}, { timeoutMs: 1000, allowPrivate: true });
    expect(result).toMatchObject({ ok: false, status: 302, retryable: false });
    expect(target.received).toHaveLength(0);
  });

  it('gives up on a receiver that never answers after the timeout, as retryable', async () => {
    const r = await startReceiver(() => 'hang');
    receivers.push(r);
    const started = performance.now();
    const result = await post(r.url, '{}', {}, { timeoutMs: 200, allowPrivate: true });
    expect(result).toMatchObject({ ok: false, status: null, retryable: true, error: 'no answer within 200 ms' });
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses to send more than the size cap', async () => {
    const r = await startReceiver();
    receivers.push(r);
    const result = await post(r.url, 'x'.repeat(65 * 1024), {}, { timeoutMs: 1000, allowPrivate: true });
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(r.received).toHaveLength(0);
  });
});

describe('retry timing', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-12-04T10:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Fri, 04 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs(undefined, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });

  it('doubles the delay per attempt with jitter between half and all of it, capped; Retry-After wins', () => {
    expect([1, 2, 3, 4].map((a) => nextDelayMs(a, 1000, 60_000, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect([1, 2, 3, 4].map((a) => nextDelayMs(a, 1000, 60_000, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect(nextDelayMs(30, 1000, 60_000, () => 1)).toBe(60_000);
    expect(nextDelayMs(1, 1000, 60_000, () => 0, 30_000)).toBe(30_000);
  });
});
