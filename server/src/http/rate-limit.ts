// Token buckets per credential (or per client address without one), so that one runaway script or
// a credential-guessing flood cannot starve everyone else. Defaults are generous: 1,200 requests a
// minute, with bursts up to the same number.
//
// A bucket per credential alone would not stop guessing: every made-up credential would arrive with a
// full bucket of its own. So refusals (401) are also counted per client address, and once an address has
// used up its refusals, credentials that have never been accepted are refused from it without being
// tried. Credentials that work keep working from that address: a service behind the same NAT as a
// guesser is not locked out. This also bounds what refused webhooks can write to the audit log.
import type { MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { ApiError } from '../errors.js';
import { hashSecret } from '../secrets.js';

interface Bucket {
  tokens: number;
  at: number;
  /** A request with this credential was answered with anything but 401: it exists. */
  accepted?: boolean;
}

/** Buckets kept before full (idle) ones are dropped. */
const MAX_BUCKETS = 10_000;

/** Refused credentials an address may present per minute, for a limit of `perMinute` requests. */
export const refusalsPerMinute = (perMinute: number): number => Math.max(10, Math.ceil(perMinute / 20));

/** Buckets of `capacity` tokens, refilled at `capacity` a minute, kept under MAX_BUCKETS. */
function bucketsOf(capacity: number) {
  const buckets = new Map<string, Bucket>();
  const perMs = capacity / 60_000;
  const refill = (bucket: Bucket, now: number) => {
    bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    return bucket;
  };
  return {
    /** The bucket of `id`, refilled to `now`; created full when missing. */
    take(id: string, now: number): Bucket {
      const bucket = buckets.get(id);
      if (bucket) return refill(bucket, now);
      if (buckets.size >= MAX_BUCKETS) {
        for (const [key, b] of buckets) if (refill(b, now).tokens >= capacity && !b.accepted) buckets.delete(key);
      }
      const fresh = { tokens: capacity, at: now };
      buckets.set(id, fresh);
      return fresh;
    },
    /** The bucket of `id` refilled to `now`, if it has one. */
    peek(id: string, now: number): Bucket | undefined {
      const bucket = buckets.get(id);
      return bucket && refill(bucket, now);
    },
    /** Seconds until `bucket` holds a whole token again. */
    wait: (bucket: Bucket) => Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)),
  };
}

function limited(retryAfter: number): ApiError {
  return new ApiError('rate_limited', `too many requests: retry in ${retryAfter} s`, { retryAfterSeconds: retryAfter });
}

export function rateLimit(perMinute: number, clock: () => number = Date.now): MiddlewareHandler {
  const requests = bucketsOf(perMinute);
  const refusals = bucketsOf(refusalsPerMinute(perMinute));

  return async (c, next) => {
    if (perMinute <= 0) return next();
    const authorization = c.req.header('Authorization');
    const address = `ip:${getConnInfo(c).remote.address ?? 'unknown'}`;
    // Hash the credential: a bucket key must never be a usable secret sitting in memory dumps.
    const id = authorization ? `cred:${hashSecret(authorization).toString('base64url')}` : address;
    const now = clock();
    const bucket = requests.take(id, now);
    const refused = bucket.accepted ? undefined : refusals.peek(address, now);
    for (const spent of [bucket, refused]) {
      if (spent !== undefined && spent.tokens < 1) {
        const retryAfter = (spent === bucket ? requests : refusals).wait(spent);
        c.header('Retry-After', String(retryAfter));
        throw limited(retryAfter);
      }
    }
    bucket.tokens -= 1;
    await next();
    if (c.res.status === 401) refusals.take(address, now).tokens -= 1;
    else bucket.accepted = true;
  };
}
