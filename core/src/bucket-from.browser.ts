// bucket-from.ts for browsers (core's package.json maps it here under the "browser" condition): the same
// bucket by the general murmur3, without the inlined ASCII fast path, which only a server needs.
import { BUCKETS, murmur3From, type HashState } from './murmur3.js';

export const bucketFrom = (state: HashState, rest: string): number => murmur3From(state, rest) % BUCKETS;
