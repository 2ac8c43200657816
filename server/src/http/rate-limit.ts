// Token buckets per credential (or per client address without one), so that one runaway script or
// a credential-guessing flood cannot starve everyone else. Defaults are generous: 1,200 requests a
// minute, with bursts up to the same number.
import type { MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { ApiError } from '../errors.js';
import { hashSecret } from '../secrets.js';

interface Bucket {
  tokens: number;
  at: number;
}

/** Buckets kept before full (idle) ones are dropped. */
const MAX_BUCKETS = 10_000;

export function rateLimit(perMinute: number, clock: () => number = Date.now): MiddlewareHandler {
  const buckets = new Map<string, Bucket>();
  const perMs = perMinute / 60_000;

  const refill = (bucket: Bucket, now: number) => {
    bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
  };

  return async (c, next) => {
    if (perMinute <= 0) return next();
    const authorization = c.req.header('Authorization');
    // Hash the credential: a bucket key must never be a usable secret sitting in memory dumps.
    const id = authorization
      ? `cred:${hashSecret(authorization).toString('base64url')}`
      : `ip:${getConnInfo(c).remote.address ?? 'unknown'}`;
    const now = clock();
    let bucket = buckets.get(id);
    if (!bucket) {
      if (buckets.size >= MAX_BUCKETS) {
        for (const [key, b] of buckets) {
          refill(b, now);
          if (b.tokens >= perMinute) buckets.delete(key);
        }
      }
      bucket = { tokens: perMinute, at: now };
      buckets.set(id, bucket);
    }
    refill(bucket, now);
    if (bucket.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
      c.header('Retry-After', String(retryAfter));
      throw new ApiError('rate_limited', `too many requests: retry in ${retryAfter} s`, { retryAfterSeconds: retryAfter });
    }
    bucket.tokens -= 1;
    return next();
  };
}
