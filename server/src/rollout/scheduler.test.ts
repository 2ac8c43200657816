import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../log.js';
import { RolloutScheduler } from './scheduler.js';
import { alice, as, bob, booleanRollout, planFixture, type PlanFixture } from './testing.js';

let fx: PlanFixture;
let scheduler: RolloutScheduler | undefined;

const startScheduler = () => {
  scheduler?.stop();
  scheduler = new RolloutScheduler({ plans: fx.rollouts, feed: fx.feed, log: createLogger('error', () => {}) });
  scheduler.start();
  return scheduler;
};
const createPlan = (steps = [5, 25, 100]) => fx.rollouts.create({ flag: 'checkout', env: 'production', steps, holdSeconds: 60 }, as(alice));
const fallthrough = () => fx.store.flagStates.get('checkout', 'production').fallthrough;
/** The check a published change schedules runs on the next turn of the (real) event loop. */
const afterChangeChecks = () => new Promise((resolve) => setImmediate(resolve));
const stepsTakenBy = (id: number) =>
  fx.store.audit.query({ flag: 'checkout', actor: `rollout-plan:${id}`, action: 'flag_state.update', limit: 100 }).entries.length;

/** A flag that is on and serves `false` to everyone: where a plan starts. */
const enabledFlag = (key: string, env = 'production') => {
  fx.store.flags.create({ key }, as(alice));
  fx.store.flagStates.patch(key, env, { on: true, fallthrough: { variation: 0 } }, as(alice));
};

beforeEach(() => {
  // Before the store opens, so that its clock is the fake one too. setImmediate stays real: it only defers
  // the check that follows a published change, and the tests wait for it.
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  fx = planFixture();
  enabledFlag('checkout');
});

afterEach(() => {
  scheduler?.stop();
  scheduler = undefined;
  fx.close();
  vi.useRealTimers();
});

describe('the rollout scheduler', () => {
  it('applies each step one hold after the previous one, until the plan completes', () => {
    const plan = createPlan();
    startScheduler();
    vi.advanceTimersByTime(59_999);
    expect(fallthrough()).toEqual(booleanRollout(5));
    vi.advanceTimersByTime(1);
    expect(fallthrough()).toEqual(booleanRollout(25));
    vi.advanceTimersByTime(60_000);
    expect(fallthrough()).toEqual(booleanRollout(100));
    expect(fx.store.rolloutPlans.get(plan.id)).toMatchObject({ state: 'completed', currentStep: 2, nextStepAt: null });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps one timer for many plans, armed for the earliest', () => {
    enabledFlag('search', 'staging');
    createPlan();
    fx.rollouts.create({ flag: 'search', env: 'staging', steps: [1, 100], holdSeconds: 30 }, as(alice));
    startScheduler();
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(30_000);
    expect(fx.store.flagStates.get('search', 'staging').fallthrough).toEqual(booleanRollout(100));
    expect(fallthrough()).toEqual(booleanRollout(5));
    expect(vi.getTimerCount()).toBe(1);
  });

  it('picks up a plan created while it runs', () => {
    startScheduler();
    expect(vi.getTimerCount()).toBe(0);
    createPlan();
    vi.advanceTimersByTime(60_000);
    expect(fallthrough()).toEqual(booleanRollout(25));
  });

  it('after a stop longer than several holds, applies exactly one step on start and waits a full hold for the next', () => {
    const plan = createPlan([5, 25, 50, 100]);
    vi.setSystemTime(Date.now() + 10 * 60_000); // down for ten holds
    fx.reopen();
    startScheduler();
    expect(fallthrough()).toEqual(booleanRollout(25));
    expect(stepsTakenBy(plan.id)).toBe(1);
    // A second restart at once finds nothing due: the step is not repeated.
    fx.reopen();
    startScheduler();
    expect(stepsTakenBy(plan.id)).toBe(1);
    vi.advanceTimersByTime(59_999);
    expect(fallthrough()).toEqual(booleanRollout(25));
    vi.advanceTimersByTime(1);
    expect(fallthrough()).toEqual(booleanRollout(50));
  });

  it.each([
    [
      'changes its rollout',
      () => fx.store.flagStates.patch('checkout', 'production', { fallthrough: booleanRollout(10) }, as(bob)),
      /^rollout changed by bob/,
    ],
    ['turns it off', () => fx.store.flagStates.patch('checkout', 'production', { on: false }, as(bob)), /^flag turned off by bob/],
    [
      'changes its seed (everyone reshuffled)',
      () => fx.store.flags.update('checkout', { seed: 'reshuffled' }, as(bob)),
      /^flag changed by bob/,
    ],
    ['archives it', () => fx.store.flags.setArchived('checkout', true, as(bob)), /^flag archived by bob/],
  ])('pauses the plan as soon as a person %s, and takes no further step', async (_case, change, reason) => {
    const plan = createPlan();
    startScheduler();
    change();
    await afterChangeChecks();
    expect(fx.store.rolloutPlans.get(plan.id)).toMatchObject({ state: 'paused', reason: expect.stringMatching(reason) });
    vi.advanceTimersByTime(10 * 60_000);
    expect(stepsTakenBy(plan.id)).toBe(0);
  });

  it.each([
    [
      'adds a target',
      () => fx.store.flagStates.patch('checkout', 'production', { targets: [{ variation: 1, values: ['user-1'] }] }, as(bob)),
    ],
    [
      'adds a rule',
      () =>
        fx.store.flagStates.patch(
          'checkout',
          'production',
          {
            rules: [{ id: 'staff', clauses: [{ attribute: 'email', op: 'endsWith', values: ['@example.com'] }], serve: { variation: 1 } }],
          },
          as(bob),
        ),
    ],
  ])('keeps stepping when a person %s', async (_case, change) => {
    const plan = createPlan();
    startScheduler();
    change();
    await afterChangeChecks();
    vi.advanceTimersByTime(60_000);
    expect(fx.store.rolloutPlans.get(plan.id)).toMatchObject({ state: 'active', percent: 25 });
    expect(fallthrough()).toEqual(booleanRollout(25));
  });

  it('waits while the flag is off, and steps one full hold after it is turned on', async () => {
    fx.store.flags.create({ key: 'dark' }, as(alice));
    const plan = fx.rollouts.create({ flag: 'dark', env: 'production', steps: [5, 25, 100], holdSeconds: 60 }, as(alice));
    const darkRollout = () => fx.store.flagStates.get('dark', 'production').fallthrough;
    startScheduler();
    vi.advanceTimersByTime(5 * 60_000); // five holds with the flag off: nobody has seen 5 % yet
    expect(fx.store.rolloutPlans.get(plan.id)).toMatchObject({ state: 'active', percent: 5 });
    vi.advanceTimersByTime(30_000);
    fx.store.flagStates.patch('dark', 'production', { on: true }, as(bob));
    await afterChangeChecks();
    vi.advanceTimersByTime(59_999);
    expect(darkRollout()).toEqual(booleanRollout(5));
    vi.advanceTimersByTime(1);
    expect(darkRollout()).toEqual(booleanRollout(25));
  });

  it('stops: no timer is left, and nothing moves afterwards', () => {
    createPlan();
    startScheduler().stop();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10 * 60_000);
    expect(fallthrough()).toEqual(booleanRollout(5));
  });
});
