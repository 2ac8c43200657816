// Bucketing's hot path (STYLE.md, habit 9): murmur3From(state, rest) % BUCKETS for the values nearly every
// rollout buckets by (ids, e-mails: ASCII), in a loop small enough for V8 to inline into the evaluator —
// about 7 ns less per evaluation than the general murmur3From, measured. At the first other character it
// starts over the general way, from the same untouched state. Browsers get bucket-from.browser.ts instead
// (core's package.json, "browser"): the general way alone, since there bytes count more than nanoseconds.
// Why it is written this way, and what must not be "tidied": docs/decisions/006 (and 005 for the browser twin).
import { BUCKETS, C1, C2, murmur3From, murmur3Prefix, type HashState } from './murmur3.js';

/** A flag's `seed + ":"`, hashed once at preparation: each evaluation continues from it. */
export const bucketSeed = (seed: string): HashState => murmur3Prefix(`${seed}:`);

// A private copy: V8 folds a module's own constants but not imported bindings, and dividing by a variable
// is a slow float modulo, where dividing by a constant is a multiplication.
const BUCKET_COUNT = 100_000;

export function bucketFrom(state: HashState, rest: string): number {
  let h = state.h;
  let tail = state.tail;
  let tailBytes = state.tailBytes;
  const n = rest.length;
  for (let i = 0; i < n; i++) {
    const c = rest.charCodeAt(i);
    if (c >= 0x80) return murmur3From(state, rest) % BUCKETS;
    tail |= c << (tailBytes << 3);
    if (++tailBytes === 4) {
      // One block mixed in, written out: as calls, mixing and the ending below gave back most of the gain.
      const k = Math.imul(tail, C1);
      h ^= Math.imul((k << 15) | (k >>> 17), C2);
      h = (h << 13) | (h >>> 19);
      h = (Math.imul(h, 5) + 0xe6546b64) | 0;
      tail = 0;
      tailBytes = 0;
    }
  }
  // The last, incomplete block and the length, then the avalanche. Reduced here, by a constant: a full
  // 32-bit hash returned from a call is boxed as a heap number (an allocation); a bucket is a small integer.
  if (tailBytes > 0) {
    const k = Math.imul(tail, C1);
    h ^= Math.imul((k << 15) | (k >>> 17), C2);
  }
  h ^= state.length + n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % BUCKET_COUNT;
}
