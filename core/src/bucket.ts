// Bucketing (DESIGN.md, "Bucketing"; docs/bucketing.md): every SDK and the server must put a context in
// the same bucket, so this is the only place the formula lives.
import { bucketFrom, bucketSeed } from './bucket-from.js';
import { BUCKETS } from './murmur3.js';

/** Buckets per rollout: weights are in thousandths of a percent and sum to this. */
export { BUCKETS };

/** A flag's seed as preparation keeps it for bucketWith: on servers hashed once, so each evaluation hashes only the context's value. */
export type BucketSeed = ReturnType<typeof bucketSeed>;

export { bucketSeed, bucketFrom as bucketWith };

/** bucket = murmur3_x86_32(utf8(seed + ":" + value), 0) % 100000 */
export const bucketOf = (seed: string, value: string): number => bucketFrom(bucketSeed(seed), value);

/**
 * The string an attribute value is bucketed by: strings as they are, finite numbers as `String(n)`.
 * Anything else (missing, null, booleans, objects, arrays, NaN) is treated as missing: bucket 0.
 */
export function bucketInput(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
