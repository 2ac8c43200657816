import { describe, expect, it } from 'vitest';
import { ALL, bucketRange, planRollout, type RolloutRequest } from './rollout.js';

const boolean = (current: RolloutRequest['current'], thousandths: number): RolloutRequest => ({
  kind: 'boolean',
  variations: [false, true],
  offVariation: 0,
  current,
  thousandths,
});

/** Does every bucket that served `variation` before still serve it? */
const keepsEveryone = (before: RolloutRequest['current'], after: RolloutRequest['current'], variation: number) => {
  const [oldStart, oldEnd] = bucketRange(before, variation);
  const [newStart, newEnd] = bucketRange(after, variation);
  return oldStart === oldEnd || (newStart <= oldStart && newEnd >= oldEnd);
};

describe('planRollout on a boolean flag', () => {
  it('puts true after false: weights [100000 - p, p], bucketed by key', () => {
    const { fallthrough, warnings } = planRollout(boolean({ variation: 1 }, 25_000));
    expect(fallthrough).toEqual({ rollout: { bucketBy: 'key', weights: [75_000, 25_000] } });
    expect(warnings).toEqual([]);
  });

  it('never takes the flag away from anyone as the percentage rises, step by step', () => {
    let current: RolloutRequest['current'] = { variation: 0 };
    for (const percent of [0, 0.5, 1, 5, 25, 50, 99.999, 100]) {
      const { fallthrough, warnings } = planRollout(boolean(current, percent * 1000));
      expect(keepsEveryone(current, fallthrough, 1)).toBe(true);
      expect(warnings).toEqual([]);
      current = fallthrough;
    }
    expect(current).toEqual({ rollout: { bucketBy: 'key', weights: [0, ALL] } });
  });

  it('keeps the bucketing attribute of the current rollout unless told otherwise', () => {
    const current = { rollout: { bucketBy: 'tenant', weights: [90_000, 10_000] } };
    expect(planRollout(boolean(current, 20_000)).fallthrough.rollout.bucketBy).toBe('tenant');
    const moved = planRollout({ ...boolean(current, 20_000), bucketBy: 'key' });
    expect(moved.fallthrough.rollout.bucketBy).toBe('key');
    expect(moved.warnings[0]).toMatch(/reshuffled/);
  });
});

describe('planRollout on a multi-variation flag', () => {
  const colours = (current: RolloutRequest['current'], thousandths: number, chosen?: number, baseline?: number): RolloutRequest => ({
    kind: 'string',
    variations: ['red', 'green', 'blue'],
    offVariation: 0,
    current,
    thousandths,
    chosen,
    baseline,
  });

  it('needs to be told which variation to roll out', () => {
    expect(() => planRollout(colours({ variation: 0 }, 10_000))).toThrow(/--variation/);
  });

  it('gives the rest to what the fallthrough serves today, and nothing to the other variations', () => {
    const { fallthrough, baseline } = planRollout(colours({ variation: 2 }, 10_000, 1));
    expect(baseline).toBe(2);
    expect(fallthrough.rollout.weights).toEqual([0, 10_000, 90_000]);
  });

  it('is monotonic whether the chosen variation comes before or after the baseline', () => {
    for (const [chosen, baseline] of [
      [1, 2],
      [1, 0],
      [2, 0],
      [0, 2],
    ]) {
      let current: RolloutRequest['current'] = { variation: baseline! };
      for (const percent of [1, 10, 50, 100]) {
        const { fallthrough } = planRollout(colours(current, percent * 1000, chosen));
        expect(keepsEveryone(current, fallthrough, chosen!)).toBe(true);
        current = fallthrough;
      }
    }
  });

  it('asks for --from when the fallthrough already splits between several variations', () => {
    const current = { rollout: { bucketBy: 'key', weights: [40_000, 30_000, 30_000] } };
    expect(() => planRollout(colours(current, 50_000, 1))).toThrow(/--from/);
    expect(planRollout(colours(current, 50_000, 1, 0)).fallthrough.rollout.weights).toEqual([50_000, 50_000, 0]);
  });

  it('warns when a new baseline would move users who had the variation', () => {
    const current = { rollout: { bucketBy: 'key', weights: [90_000, 10_000, 0] } };
    // green sat after red at [90000, 100000); with blue as the rest it moves to [0, 20000).
    const { warnings } = planRollout(colours(current, 20_000, 1, 2));
    expect(warnings[0]).toMatch(/not all kept/);
  });

  it('refuses to roll a variation out against itself', () => {
    expect(() => planRollout(colours({ variation: 0 }, 10_000, 1, 1))).toThrow(/different variation/);
  });
});
