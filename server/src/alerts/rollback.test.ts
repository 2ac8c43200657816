import { describe, expect, it } from 'vitest';
import type { FlagStateInput } from '../store/resources.js';
import { rolledBack } from './rollback.js';

const state = (fields: Partial<FlagStateInput>): FlagStateInput => ({
  on: true,
  offVariation: 0,
  targets: [],
  rules: [],
  fallthrough: { variation: 1 },
  ...fields,
});

describe('rolledBack (rollout to 0%)', () => {
  it.each<[string, Partial<FlagStateInput>, Partial<FlagStateInput>]>([
    [
      'a 25% fallthrough rollout goes to 0%, bucketBy kept',
      { fallthrough: { rollout: { bucketBy: 'org', weights: [75_000, 25_000] } } },
      { fallthrough: { rollout: { bucketBy: 'org', weights: [100_000, 0] } } },
    ],
    [
      'a fallthrough serving the feature to everyone serves the off variation',
      { fallthrough: { variation: 1 } },
      { fallthrough: { variation: 0 } },
    ],
    [
      'a multivariate rollout moves every share to the off variation',
      { offVariation: 2, fallthrough: { rollout: { bucketBy: 'key', weights: [30_000, 30_000, 40_000] } } },
      { offVariation: 2, fallthrough: { rollout: { bucketBy: 'key', weights: [0, 0, 100_000] } } },
    ],
  ])('%s', (_, before, after) => {
    expect(rolledBack(state(before))).toEqual(state(after));
  });

  it('keeps the flag on, its targets and fixed-variation rules; zeroes rule rollouts', () => {
    const before = state({
      targets: [{ variation: 1, values: ['qa-1'] }],
      rules: [
        { id: 'staff', clauses: [{ attribute: 'email', op: 'endsWith', values: ['@example.com'] }], serve: { variation: 1 } },
        {
          id: 'beta',
          clauses: [{ attribute: 'beta', op: 'in', values: [true] }],
          serve: { rollout: { bucketBy: 'key', weights: [50_000, 50_000] } },
        },
      ],
    });
    const after = rolledBack(before);
    expect(after.on).toBe(true);
    expect(after.targets).toEqual(before.targets);
    expect(after.rules[0]).toEqual(before.rules[0]);
    expect(after.rules[1]!.serve).toEqual({ rollout: { bucketBy: 'key', weights: [100_000, 0] } });
  });
});
