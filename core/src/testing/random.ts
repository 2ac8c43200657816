// A seeded generator for the tests that draw many random inputs: a failure names its seed, so the exact
// inputs can be replayed.

/** mulberry32: small, fast, and good enough to spread test inputs. Numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
