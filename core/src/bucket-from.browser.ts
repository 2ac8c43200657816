// bucket-from.ts for browsers (core's package.json maps it here under the "browser" condition): the same
// bucket by the one-shot murmur3 over `seed + ":" + value`. Hashing the seed once per flag, as servers do,
// saves nanoseconds per evaluation but needs the hash's running state, which costs bytes in a browser.
// Why it is written this way, and what must not be "tidied": docs/decisions/005-browser-twin-files.md.
import { BUCKETS, murmur3 } from './murmur3.js';

/** What bucketFrom continues from: the seed and its separator, unhashed. */
export const bucketSeed = (seed: string): string => `${seed}:`;

export const bucketFrom = (prefix: string, rest: string): number => murmur3(prefix + rest) % BUCKETS;
