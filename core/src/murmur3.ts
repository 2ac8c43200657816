// MurmurHash3 x86 32-bit over the UTF-8 bytes of JavaScript strings, without building those bytes.
// The `murmurhash` package (v3) encodes with TextEncoder first, which allocates per call; bucketing runs on
// every evaluation of a rollout, so this version encodes code units on the fly into the 4-byte block.
// It must give the package's answer for every string, lone surrogates included (TextEncoder turns them
// into U+FFFD): bucket.test.ts proves it over a large random sample.

/** The hash's running state, so that a fixed prefix (a flag's `seed + ":"`) is hashed once, not per call. */
export interface HashState {
  h: number;
  /** Bytes of the current, incomplete block, little-endian. */
  tail: number;
  tailBytes: number;
  /** Bytes hashed so far. */
  length: number;
}

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function scramble(k: number): number {
  k = Math.imul(k, C1);
  return Math.imul((k << 15) | (k >>> 17), C2);
}

/** Mixes one complete 4-byte block into the hash. */
function mix(h: number, block: number): number {
  h ^= scramble(block);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** Mixes in the last, incomplete block and the length, then avalanches. Signed: callers take `>>> 0`. */
function finish(h: number, tail: number, tailBytes: number, length: number): number {
  if (tailBytes > 0) h ^= scramble(tail);
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Rollout buckets: bucket = hash % BUCKETS (DESIGN.md, "Bucketing"). */
export const BUCKETS = 100_000;
// A private copy for the hot path: V8 folds a module's own constants but not its exported bindings, and
// dividing by a variable is a slow float modulo.
const BUCKET_COUNT = 100_000;

/**
 * Hashes `text` on from `from`. With `into`, stores the running state there and returns 0; without,
 * returns the final hash, or with `toBucket` the hash % BUCKETS. One loop for all, with the state in
 * locals: this is the hot path. The reduction happens here, by a constant, on purpose: V8 divides by a
 * constant with a multiplication but by a variable with a slow float modulo, and a full 32-bit hash
 * returned from a call is boxed as a heap number (an allocation), while a bucket is a small integer.
 */
function run(from: HashState, text: string, into: HashState | null, toBucket: boolean): number {
  let h = from.h;
  let tail = from.tail;
  let tailBytes = from.tailBytes;
  const n = text.length;
  let i = 0;
  // ASCII, the common case (keys, ids, emails): one byte per character, in a loop kept minimal.
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) break;
    tail |= c << (tailBytes << 3);
    if (++tailBytes === 4) {
      h = mix(h, tail);
      tail = 0;
      tailBytes = 0;
    }
  }
  let length = from.length + i;
  // From the first non-ASCII character on, each code point's UTF-8 bytes, first byte lowest.
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    let bytes: number;
    let count: number;
    if (c < 0x80) {
      bytes = c;
      count = 1;
    } else if (c < 0x800) {
      bytes = (0xc0 | (c >> 6)) | ((0x80 | (c & 0x3f)) << 8);
      count = 2;
    } else if (c < 0xd800 || c > 0xdfff) {
      bytes = (0xe0 | (c >> 12)) | ((0x80 | ((c >> 6) & 0x3f)) << 8) | ((0x80 | (c & 0x3f)) << 16);
      count = 3;
    } else {
      const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        bytes =
          (0xf0 | (cp >> 18)) |
          ((0x80 | ((cp >> 12) & 0x3f)) << 8) |
          ((0x80 | ((cp >> 6) & 0x3f)) << 16) |
          ((0x80 | (cp & 0x3f)) << 24);
        count = 4;
        i++;
      } else {
        // A lone surrogate is not valid UTF-16; TextEncoder writes U+FFFD (EF BF BD) for it, and so do we.
        bytes = 0xbdbfef;
        count = 3;
      }
    }
    length += count;
    while (count-- > 0) {
      tail |= (bytes & 0xff) << (tailBytes << 3);
      bytes >>>= 8;
      if (++tailBytes === 4) {
        h = mix(h, tail);
        tail = 0;
        tailBytes = 0;
      }
    }
  }
  if (into !== null) {
    into.h = h;
    into.tail = tail;
    into.tailBytes = tailBytes;
    into.length = length;
    return 0;
  }
  h = finish(h, tail, tailBytes, length);
  return toBucket ? (h >>> 0) % BUCKET_COUNT : h >>> 0;
}

const start = (seed: number): HashState => ({ h: seed | 0, tail: 0, tailBytes: 0, length: 0 });

/** The state after hashing `prefix` with `seed`, to continue from with {@link murmur3From}. */
export function murmur3Prefix(prefix: string, seed = 0): HashState {
  const state = start(seed);
  run(state, prefix, state, false);
  return state;
}

/**
 * murmur3_x86_32(utf8(prefix + rest), seed), where `state` came from `murmur3Prefix(prefix, seed)` —
 * provided the prefix does not end in the middle of a surrogate pair (bucketing's ends with ":").
 */
export function murmur3From(state: HashState, rest: string): number {
  return run(state, rest, null, false);
}

/**
 * murmur3From(state, rest) % BUCKETS, without boxing the hash on the way. Bucketed values are nearly
 * always ASCII (ids, e-mails), so this is a loop for ASCII alone, small enough for V8 to inline into the
 * evaluator (about 7 ns less per evaluation than calling run(), measured); at the first other character
 * it starts over the general way, from the same untouched state.
 */
export function bucketFrom(state: HashState, rest: string): number {
  let h = state.h;
  let tail = state.tail;
  let tailBytes = state.tailBytes;
  const n = rest.length;
  for (let i = 0; i < n; i++) {
    const c = rest.charCodeAt(i);
    if (c >= 0x80) return run(state, rest, null, true);
    tail |= c << (tailBytes << 3);
    if (++tailBytes === 4) {
      // mix(h, tail). It and the ending below are written out: as calls they gave back most of the gain.
      const k = Math.imul(tail, C1);
      h ^= Math.imul((k << 15) | (k >>> 17), C2);
      h = (h << 13) | (h >>> 19);
      h = (Math.imul(h, 5) + 0xe6546b64) | 0;
      tail = 0;
      tailBytes = 0;
    }
  }
  // finish(h, tail, tailBytes, length), written out.
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

/** murmur3_x86_32(utf8(text), seed): the same number as `murmurhash.v3(text, seed)`. */
export function murmur3(text: string, seed = 0): number {
  return run(start(seed), text, null, false);
}
