import { describe, expect, it } from 'vitest';
import { afterStep, createPlanBody, judgeForeignChanges, planSplit, planSteps, type PlanStep } from './plan.js';

describe('planSteps', () => {
  it('turns percentages and one hold into exact thousandths and milliseconds', () => {
    expect(planSteps([5, 25, 50, 100], 3600)).toEqual({
      ok: true,
      steps: [
        { thousandths: 5_000, holdMs: 3_600_000 },
        { thousandths: 25_000, holdMs: 3_600_000 },
        { thousandths: 50_000, holdMs: 3_600_000 },
        { thousandths: 100_000, holdMs: 3_600_000 },
      ],
    });
  });

  it('lets each step name its own hold, and needs none for the last step', () => {
    expect(planSteps([{ percent: 0.5, holdSeconds: 60 }, { percent: 10, holdSeconds: 7200 }, { percent: 100 }], undefined)).toEqual({
      ok: true,
      steps: [
        { thousandths: 500, holdMs: 60_000 },
        { thousandths: 10_000, holdMs: 7_200_000 },
        { thousandths: 100_000, holdMs: 0 },
      ],
    });
  });

  it.each([
    ['a zero step', [0, 50], 60, 'steps[0]', /above 0/],
    ['a negative step', [-5, 50], 60, 'steps[0]', /above 0/],
    ['a step above 100', [50, 101], 60, 'steps[1]', /at most 100/],
    ['more than 3 decimals', [0.0001, 50], 60, 'steps[0]', /3 decimals/],
    ['a step that goes down', [50, 25], 60, 'steps[1]', /must increase/],
    ['a repeated step', [25, 25], 60, 'steps[1]', /must increase/],
    ['no hold at all', [5, 100], undefined, 'steps[0]', /holdSeconds/],
    ['a hold under a second', [5, 100], 0, 'steps[0]', /from 1 s/],
    ['a hold over 30 days', [5, 100], 31 * 86_400, 'steps[0]', /30 days/],
  ] as const)('refuses %s', (_case, steps, hold, path, message) => {
    const result = planSteps([...steps], hold);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('reports every bad step, not only the first', () => {
    const result = planSteps([0, 50, 40, 200], 60);
    expect(result.ok ? [] : result.issues.map((issue) => issue.path)).toEqual(['steps[0]', 'steps[2]', 'steps[3]']);
  });
});

describe('createPlanBody', () => {
  it('accepts the CLI shape and refuses unknown fields', () => {
    expect(createPlanBody.safeParse({ flag: 'f', env: 'production', steps: [5, 100], holdSeconds: 60 }).success).toBe(true);
    expect(createPlanBody.safeParse({ flag: 'f', env: 'production', steps: [5, 100], hold: 60 }).success).toBe(false);
    expect(createPlanBody.safeParse({ flag: 'f', env: 'production', steps: [] }).success).toBe(false);
  });
});

describe('afterStep', () => {
  const steps: PlanStep[] = [
    { thousandths: 5_000, holdMs: 1_000 },
    { thousandths: 25_000, holdMs: 2_000 },
    { thousandths: 100_000, holdMs: 0 },
  ];

  it.each([
    [0, 10_000, { state: 'active', nextStepAt: 11_000 }],
    [1, 10_000, { state: 'active', nextStepAt: 12_000 }],
    [2, 10_000, { state: 'completed', nextStepAt: null }],
  ] as const)('after step %i applied at %i: %o', (index, now, expected) => {
    expect(afterStep(steps, index, now)).toEqual(expected);
  });

  it('counts the next hold from when a late step was applied, so catching up never shortens a hold', () => {
    // Step 1 was due at 11_000 but the server was down until 50_000: step 2 waits its full hold from then.
    expect(afterStep(steps, 1, 50_000).nextStepAt).toBe(52_000);
  });
});

describe('planSplit', () => {
  const checkout = { key: 'checkout', kind: 'boolean' as const, variations: [false, true] };
  const colour = { key: 'colour', kind: 'string' as const, variations: ['red', 'green', 'blue'] };
  const off = { on: false, offVariation: 0, fallthrough: { variation: 1 } };

  it.each([
    ['true over false for a boolean flag', checkout, off, {}, { variation: 1, baseline: 0, bucketBy: 'key' }],
    ['false over true when asked', checkout, off, { variation: false }, { variation: 0, baseline: 1, bucketBy: 'key' }],
    [
      'the off variation as the baseline of a string flag',
      colour,
      { ...off, offVariation: 2 },
      { variation: 'green' },
      { variation: 1, baseline: 2, bucketBy: 'key' },
    ],
    [
      'an explicit baseline and bucketing',
      colour,
      off,
      { variation: 'green', from: 'red', bucketBy: 'org' },
      { variation: 1, baseline: 0, bucketBy: 'org' },
    ],
    [
      'the bucketing of the current rollout',
      checkout,
      { on: true, offVariation: 0, fallthrough: { rollout: { bucketBy: 'device', weights: [100_000, 0] } } },
      {},
      { variation: 1, baseline: 0, bucketBy: 'device' },
    ],
  ])('chooses %s', (_case, flag, state, input, expected) => {
    expect(planSplit(flag, state, input, 5_000)).toEqual({ ok: true, ...expected });
  });

  it.each([
    ['no variation for a string flag', colour, off, {}, 'variation'],
    ['a variation the flag does not have', colour, off, { variation: 'pink' }, 'variation'],
    ['the same variation for everybody else', colour, off, { variation: 'red' }, 'from'],
    ['a first step below what an enabled flag serves', checkout, { ...off, on: true }, {}, 'steps[0]'],
  ])('refuses %s', (_case, flag, state, input, path) => {
    const result = planSplit(flag, state, input, 5_000);
    expect(result.ok ? [] : result.issues.map((issue) => issue.path)).toEqual([path]);
  });

  it('does not count what a disabled flag would serve: nobody has it yet', () => {
    expect(planSplit(checkout, off, {}, 5_000).ok).toBe(true);
  });
});

describe('judgeForeignChanges', () => {
  const rollout = (percent: number) => ({ rollout: { bucketBy: 'key', weights: [100_000 - percent * 1000, percent * 1000] } });
  const state = (version: number, fields: { on?: boolean; fallthrough?: unknown; targets?: unknown[] } = {}) => ({
    version,
    on: true,
    fallthrough: rollout(5),
    targets: [],
    ...fields,
  });
  const change = (before: object | null, after: object | null, actor = 'bob') => ({ actor, before, after });

  it.each([
    ['turned on (its step becomes visible: the hold restarts)', [change(state(4, { on: false }), state(5))], 5, true],
    ['a target added', [change(state(4), state(5, { targets: [{ variation: 1, values: ['u'] }] }))], 5, false],
    ['several harmless changes', [change(state(4, { on: false }), state(5)), change(state(5), state(6, { targets: ['x'] }))], 6, true],
  ])('adopts the flag as it is after %s', (_case, changes, currentVersion, turnedOn) => {
    expect(judgeForeignChanges(changes, { flagVersion: 4, currentVersion })).toEqual({ adopt: true, turnedOn });
  });

  it.each([
    ['turned off', [change(state(4), state(5, { on: false }))], 5, { pause: 'flag turned off', by: 'bob' }],
    ['the rollout changed', [change(state(4), state(5, { fallthrough: rollout(10) }))], 5, { pause: 'rollout changed', by: 'bob' }],
    [
      'a harmless change, then the rollout changed',
      [change(state(4), state(5, { targets: ['x'] })), change(state(5), state(6, { fallthrough: { variation: 1 } }), 'carol')],
      6,
      { pause: 'rollout changed', by: 'carol' },
    ],
    ['an entry without before and after', [change(null, null)], 5, { pause: 'flag changed', by: 'bob' }],
    ['a version bump no state entry explains (a definition change)', [], 5, { pause: 'flag changed' }],
  ])('pauses after %s', (_case, changes, currentVersion, verdict) => {
    expect(judgeForeignChanges(changes, { flagVersion: 4, currentVersion })).toEqual(verdict);
  });
});
