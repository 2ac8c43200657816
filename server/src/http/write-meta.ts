// The headers every write may carry: `If-Match` (the version it was based on) and
// `X-Flagstaff-Reason` (why, for the audit log).
import type { Context } from 'hono';
import { actorOf } from '../auth.js';
import { ApiError, validationFailed } from '../errors.js';
import type { WriteMeta } from '../store/index.js';
import type { AppEnv } from './context.js';

export const MAX_REASON_LENGTH = 500;

/** `"12"`, `12`, `W/"12"` → 12; absent or `*` → undefined. */
export function parseIfMatch(header: string | undefined): number | undefined {
  const value = header?.trim();
  if (value === undefined || value === '' || value === '*') return undefined;
  const match = /^(?:W\/)?"?(\d{1,15})"?$/.exec(value);
  if (!match) throw validationFailed([{ path: 'If-Match', message: `expected a version such as "12", not ${value}` }]);
  return Number(match[1]);
}

export function parseReason(header: string | undefined): string | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  let reason: string;
  try {
    reason = decodeURIComponent(header.trim());
  } catch {
    throw validationFailed([{ path: 'X-Flagstaff-Reason', message: 'not valid percent-encoded UTF-8' }]);
  }
  if (reason.length > MAX_REASON_LENGTH) {
    throw validationFailed([{ path: 'X-Flagstaff-Reason', message: `at most ${MAX_REASON_LENGTH} characters` }]);
  }
  return reason;
}

/** WriteMeta of an admin request. `requireIfMatch` makes a missing `If-Match` a 428 (PUT). */
export function writeMeta(c: Context<AppEnv>, options: { requireIfMatch?: boolean } = {}): WriteMeta {
  const ifMatch = parseIfMatch(c.req.header('If-Match'));
  if (options.requireIfMatch && c.req.header('If-Match') === undefined) {
    throw new ApiError('precondition_required', 'send If-Match: "<version>" with the version you read, or "*" to overwrite');
  }
  const reason = parseReason(c.req.header('X-Flagstaff-Reason'));
  return { actor: actorOf(c.get('admin')), ...(reason !== undefined ? { reason } : {}), ...(ifMatch !== undefined ? { ifMatch } : {}) };
}

/** Sets `ETag: "<version>"`, the value writes send back as `If-Match`. */
export function setVersionTag(c: Context, version: number): void {
  c.header('ETag', `"${version}"`);
}
