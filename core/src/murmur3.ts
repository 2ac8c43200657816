// MurmurHash3 x86 32-bit over the UTF-8 bytes of JavaScript strings: the same number as the `murmurhash`
// package's v3 for every string, lone surrogates included (TextEncoder writes U+FFFD for them), which
// bucket.test.ts proves over a large random sample. This is the general form, kept small because browsers
// download it; it encodes with TextEncoder, which allocates, so bucketing's hot path for the ASCII values
// nearly every rollout buckets by is bucket-from.ts, which encodes nothing.
//
// Two entry points over the same block and ending steps: `murmur3` hashes a string in one go (the
// checksum, and bucketing in browsers); `murmur3Prefix` + `murmur3From` carry the running state, so that
// a server hashes a flag's `seed + ":"` once, not per evaluation. Browsers bundle only the first.

/** The hash's running state, so that a fixed prefix (a flag's `seed + ":"`) is hashed once, not per call. */
export interface HashState {
  readonly h: number;
  /** Bytes of the current, incomplete block, little-endian. */
  readonly tail: number;
  readonly tailBytes: number;
  /** Bytes hashed so far. */
  readonly length: number;
}

/** Rollout buckets: bucket = hash % BUCKETS (DESIGN.md, "Bucketing"). */
export const BUCKETS = 100_000;

/** MurmurHash3's multiplication constants (bucket-from.ts writes the mixing out with them). */
export const C1 = 0xcc9e2d51;
export const C2 = 0x1b873593;

const scramble = (k: number): number => {
  k = Math.imul(k, C1);
  return Math.imul((k << 15) | (k >>> 17), C2);
};

/** `h` with one complete 4-byte block (little-endian) mixed in. */
function mixBlock(h: number, block: number): number {
  h ^= scramble(block);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** The last, incomplete block (scramble(0) is 0, so an empty one changes nothing), the length, the avalanche. */
function finish(h: number, tail: number, length: number): number {
  h ^= scramble(tail) ^ length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const utf8 = new TextEncoder();

/** The state after the UTF-8 bytes of `text`. */
function feed(state: HashState, text: string): HashState {
  let { h, tail, tailBytes, length } = state;
  for (const byte of utf8.encode(text)) {
    tail |= byte << (tailBytes << 3);
    length++;
    if (++tailBytes === 4) {
      h = mixBlock(h, tail);
      tail = tailBytes = 0;
    }
  }
  return { h, tail, tailBytes, length };
}

/** The state after hashing `prefix` with `seed`, to continue from with {@link murmur3From}. */
export const murmur3Prefix = (prefix: string, seed = 0): HashState => feed({ h: seed | 0, tail: 0, tailBytes: 0, length: 0 }, prefix);

/**
 * murmur3_x86_32(utf8(prefix + rest), seed), where `state` came from `murmur3Prefix(prefix, seed)` —
 * provided the prefix does not end in the middle of a surrogate pair (bucketing's ends with ":").
 */
export function murmur3From(state: HashState, rest: string): number {
  const { h, tail, length } = feed(state, rest);
  return finish(h, tail, length);
}

/** murmur3_x86_32(utf8(text), seed): the same number as `murmurhash.v3(text, seed)`. */
export function murmur3(text: string, seed = 0): number {
  const bytes = utf8.encode(text);
  let h = seed | 0;
  let tail = 0;
  for (let i = 0; i < bytes.length; i++) {
    tail |= bytes[i]! << ((i & 3) << 3);
    if ((i & 3) === 3) {
      h = mixBlock(h, tail);
      tail = 0;
    }
  }
  return finish(h, tail, bytes.length);
}
