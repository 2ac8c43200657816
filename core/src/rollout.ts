// A percentage rollout between two variations, as `flagstaff rollout` and rollout plans write it into a
// flag's fallthrough.
//
// Bucketing (DESIGN.md) gives variation i the buckets [sum(w[0..i-1]), sum(w[0..i])). Splitting users between
// exactly two variations — the one rolled out ("chosen") and the one everybody else keeps ("baseline") — with
// every other weight at 0, the chosen variation's range is
//   [100000 - p, 100000)   when chosen comes after baseline (true after false: the boolean case), or
//   [0, p)                 when chosen comes before baseline,
// so a larger p only widens the range: raising the percentage adds users and nobody who had the variation
// loses it — as long as chosen, baseline, bucketBy and the seed stay the same.
import type { Rollout, Serve } from './model.js';

/** Every bucket: weights are thousandths of a percent and sum to this. */
export const ALL_BUCKETS = 100_000;

/** `thousandths` of the users get `chosen`, the rest `baseline`; every other variation gets nobody. */
export function twoWayRollout(
  variationCount: number,
  chosen: number,
  baseline: number,
  thousandths: number,
  bucketBy: string,
): { rollout: Rollout } {
  const weights = Array.from({ length: variationCount }, () => 0);
  weights[chosen] = thousandths;
  weights[baseline] = ALL_BUCKETS - thousandths;
  return { rollout: { bucketBy, weights } };
}

/** The buckets [start, end) a serve gives to one variation (empty when start === end). */
export function bucketRange(serve: Serve, variation: number): [number, number] {
  if ('variation' in serve) return serve.variation === variation ? [0, ALL_BUCKETS] : [0, 0];
  const weights = serve.rollout.weights;
  const start = weights.slice(0, variation).reduce((sum, weight) => sum + weight, 0);
  return [start, start + (weights[variation] ?? 0)];
}

/** The share of users (thousandths of a percent) a serve gives to one variation. */
export function shareOf(serve: Serve, variation: number): number {
  const [start, end] = bucketRange(serve, variation);
  return end - start;
}
