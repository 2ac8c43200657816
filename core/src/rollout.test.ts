import { describe, expect, it } from 'vitest';
import type { Serve } from './model.js';
import { ALL_BUCKETS, bucketRange, shareOf, twoWayRollout } from './rollout.js';

describe('twoWayRollout', () => {
  it.each([
    ['true after false (boolean)', 2, 1, 0, 25_000, [75_000, 25_000]],
    ['an earlier variation than the baseline', 3, 0, 2, 10_000, [10_000, 0, 90_000]],
    ['nobody yet', 2, 1, 0, 0, [100_000, 0]],
    ['everybody', 2, 1, 0, ALL_BUCKETS, [0, 100_000]],
  ] as const)('%s', (_case, count, chosen, baseline, thousandths, weights) => {
    expect(twoWayRollout(count, chosen, baseline, thousandths, 'key')).toEqual({ rollout: { bucketBy: 'key', weights } });
  });

  it.each([
    [2, 1, 0],
    [3, 0, 2],
    [3, 2, 1],
  ] as const)('only ever widens the rolled-out range as the percentage rises (%i variations, %i over %i)', (count, chosen, baseline) => {
    let [start, end] = [0, 0];
    for (const percent of [0, 1, 5, 25, 50, 99.999, 100]) {
      const [nextStart, nextEnd] = bucketRange(twoWayRollout(count, chosen, baseline, percent * 1000, 'key'), chosen);
      if (end > start) expect(nextStart <= start && nextEnd >= end).toBe(true);
      [start, end] = [nextStart, nextEnd];
    }
  });
});

describe('shareOf', () => {
  it.each<[Serve, number, number]>([
    [{ variation: 1 }, 1, ALL_BUCKETS],
    [{ variation: 0 }, 1, 0],
    [{ rollout: { bucketBy: 'key', weights: [60_000, 30_000, 10_000] } }, 1, 30_000],
  ])('%o gives variation %i a share of %i', (serve, variation, share) => {
    expect(shareOf(serve, variation)).toBe(share);
  });
});
