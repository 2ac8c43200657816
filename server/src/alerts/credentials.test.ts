import { describe, expect, it } from 'vitest';
import { hashSecret } from '../secrets.js';
import { checkCredentials, presentedSecret, signatureOf, type HookCredentials } from './credentials.js';

const SECRET = 'fsh_0123456789abcdefghijklmnopqrstuv';
const NOW = Date.parse('2026-11-23T10:00:00Z');
const nowSeconds = String(NOW / 1000);
const BODY = '{"alerts":[]}';

const bearer: HookCredentials = { auth: 'bearer', secretHash: hashSecret(SECRET), signingSecret: null };
const hmac: HookCredentials = { auth: 'hmac', secretHash: hashSecret(SECRET), signingSecret: SECRET };
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('bearer hooks (Alertmanager, Datadog)', () => {
  it.each([
    ['Bearer', `Bearer ${SECRET}`],
    ['a bare secret', SECRET],
    ['basic auth, any user', basic('alertmanager', SECRET)],
  ])('accept the secret as %s', (_, authorization) => {
    expect(checkCredentials(bearer, { authorization }, BODY, NOW)).toBeNull();
  });

  it.each([
    ['no Authorization', undefined, /missing credentials/],
    ['another secret', 'Bearer fsh_wrong', /wrong hook secret/],
    ['basic auth with the secret as user name', basic(SECRET, 'x'), /wrong hook secret/],
    ['a signature instead of the secret', undefined, /missing credentials/],
  ])('refuse %s', (_, authorization, reason) => {
    expect(checkCredentials(bearer, { authorization, signature: signatureOf(SECRET, nowSeconds, BODY) }, BODY, NOW)).toMatch(reason);
  });
});

describe('HMAC hooks (Grafana, generic)', () => {
  const signed = (timestamp = nowSeconds, body = BODY) => ({ signature: signatureOf(SECRET, timestamp, body), timestamp });

  it('accept HMAC-SHA256 of "timestamp:body" in lowercase hex', () => {
    expect(checkCredentials(hmac, signed(), BODY, NOW)).toBeNull();
    expect(checkCredentials(hmac, { ...signed(), signature: `sha256=${signed().signature}` }, BODY, NOW)).toBeNull();
  });

  it('accept a timestamp up to 5 minutes either side of now', () => {
    expect(checkCredentials(hmac, signed(String(NOW / 1000 - 299)), BODY, NOW)).toBeNull();
    expect(checkCredentials(hmac, signed(String(NOW / 1000 + 299)), BODY, NOW)).toBeNull();
  });

  it.each([
    ['a replay older than 5 minutes', () => signed(String(NOW / 1000 - 301)), /more than 5 minutes/],
    [
      'a body changed after signing',
      () => ({ ...signed(), signature: signatureOf(SECRET, nowSeconds, '{"alerts":[1]}') }),
      /wrong signature/,
    ],
    ['a timestamp changed after signing', () => ({ ...signed(), timestamp: String(NOW / 1000 - 1) }), /wrong signature/],
    ['a short forged signature', () => ({ ...signed(), signature: 'abcd' }), /wrong signature/],
    ['a signature that is not hex', () => ({ ...signed(), signature: 'z'.repeat(64) }), /wrong signature/],
    ['no signature', () => ({ timestamp: nowSeconds }), /missing signature/],
    ['no timestamp', () => ({ signature: signed().signature }), /missing timestamp/],
    ['a timestamp in milliseconds', () => signed(String(NOW)), /not Unix seconds|more than 5 minutes/],
    ['the bearer secret instead of a signature', () => ({ authorization: `Bearer ${SECRET}` }), /missing signature/],
  ])('refuse %s (a 401, never a 500)', (_, presented, reason) => {
    expect(checkCredentials(hmac, presented(), BODY, NOW)).toMatch(reason);
  });
});

describe('presentedSecret', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['Bearer abc', 'abc'],
    ['bearer   abc', 'abc'],
    [basic('u', 'p:with:colons'), 'p:with:colons'],
    ['Basic bm9jb2xvbg==', undefined],
  ])('%j → %j', (header, secret) => expect(presentedSecret(header)).toBe(secret));
});
