// Does a webhook request carry its hook's secret? Bearer hooks: `Authorization: Bearer <secret>` or basic
// auth with the secret as password (any user name) — what Alertmanager and Datadog can send. HMAC hooks:
// HMAC-SHA256 over `timestamp + ":" + body`, lowercase hex, and a timestamp no more than five minutes
// away, so a captured request cannot be replayed later. Every comparison is constant-time.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { HookAuth } from '@flagstaff/core/admin';
import { hashSecret } from '../secrets.js';

export const MAX_SIGNATURE_AGE_MS = 5 * 60_000;

export interface HookCredentials {
  auth: HookAuth;
  /** SHA-256 of the secret. */
  secretHash: Buffer;
  /** The secret itself, kept only by HMAC hooks. */
  signingSecret: string | null;
}

export interface PresentedCredentials {
  authorization?: string;
  signature?: string;
  timestamp?: string;
}

/** The secret of `Authorization: Bearer <s>`, `Authorization: <s>` or `Authorization: Basic base64(user:<s>)`. */
export function presentedSecret(authorization: string | undefined): string | undefined {
  const value = authorization?.trim();
  if (!value) return undefined;
  const basic = /^basic\s+(\S+)$/i.exec(value);
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? undefined : decoded.slice(colon + 1);
  }
  const bearer = /^bearer\s+(\S+)$/i.exec(value);
  return bearer ? bearer[1] : value;
}

export function signatureOf(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}:${body}`, 'utf8').digest('hex');
}

/** Null when the request is the hook's; otherwise why not (for the 401 and the audit log, never the secret). */
export function checkCredentials(hook: HookCredentials, presented: PresentedCredentials, body: string, now: number): string | null {
  if (hook.auth === 'bearer') {
    const secret = presentedSecret(presented.authorization);
    if (secret === undefined)
      return 'missing credentials: send Authorization: Bearer <hook secret>, or basic auth with the secret as password';
    // Both sides are SHA-256 digests: equal lengths, so timingSafeEqual cannot throw.
    return timingSafeEqual(hashSecret(secret), hook.secretHash) ? null : 'wrong hook secret';
  }

  if (hook.signingSecret === null) return 'this hook has no signing secret';
  const signature = presented.signature?.trim().replace(/^sha256=/i, '');
  if (!signature) return 'missing signature header';
  const timestamp = presented.timestamp?.trim();
  if (!timestamp) return 'missing timestamp header: signatures must be timestamped to stop replays';
  if (!/^\d{1,12}$/.test(timestamp)) return 'the timestamp is not Unix seconds';
  if (Math.abs(now - Number(timestamp) * 1000) > MAX_SIGNATURE_AGE_MS)
    return 'the signature timestamp is more than 5 minutes away from now (replayed?)';
  // timingSafeEqual throws on different lengths: anything but 64 hex digits is simply wrong.
  if (!/^[0-9a-f]{64}$/i.test(signature)) return 'wrong signature';
  const expected = Buffer.from(signatureOf(hook.signingSecret, timestamp, body), 'hex');
  return timingSafeEqual(Buffer.from(signature, 'hex'), expected) ? null : 'wrong signature';
}
