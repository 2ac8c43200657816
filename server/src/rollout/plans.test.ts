import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alice, as, bob, booleanRollout, planFixture, type PlanFixture } from './testing.js';
import { createLogger } from '../log.js';
import { LocalChangeFeed } from '../store/changes.js';
import { openDatabase } from '../store/db.js';
import { updateFlagState } from '../store/flag-states.js';
import { abortPlanFor } from '../store/rollout-plans.js';
import { Snapshots } from '../store/snapshots.js';
import { Writer, type Tx } from '../store/write.js';

let fx: PlanFixture;
const plan = (overrides: Record<string, unknown> = {}) =>
  fx.rollouts.create({ flag: 'checkout', env: 'production', steps: [5, 25, 50, 100], holdSeconds: 60, ...overrides }, as(alice));
const fallthrough = () => fx.store.flagStates.get('checkout', 'production').fallthrough;
const audit = (actor?: string) =>
  fx.store.audit.query({ flag: 'checkout', env: 'production', limit: 100, ...(actor ? { actor } : {}) }).entries;

beforeEach(() => {
  fx = planFixture();
  fx.store.flags.create({ key: 'checkout' }, as(alice));
});
afterEach(() => fx.close());

describe('creating a plan', () => {
  it('applies the first step at once, by its creator, and schedules the next one hold later', () => {
    const created = plan();
    expect(created).toMatchObject({
      env: 'production',
      flag: 'checkout',
      state: 'active',
      currentStep: 0,
      percent: 5,
      variation: true,
      from: false,
    });
    expect(Date.parse(created.nextStepAt!) - Date.parse(created.createdAt)).toBe(60_000);
    expect(fallthrough()).toEqual(booleanRollout(5));
    expect(audit().map((e) => [e.action, e.actor.name])).toEqual([
      ['rollout_plan.create', 'alice'],
      ['flag_state.update', 'alice'],
    ]);
  });

  it.each([
    ['a second open plan for the same flag and environment', () => plan(), 'already_exists'],
    ['an unknown flag', () => plan({ flag: 'nope' }), 'not_found'],
    ['an unknown environment', () => plan({ env: 'nope' }), 'not_found'],
    ['a variation the flag does not have', () => plan({ variation: 'blue' }), 'validation_failed'],
    ['the same variation for everybody else', () => plan({ from: true }), 'validation_failed'],
  ])('refuses %s', (_case, attempt, code) => {
    if (code === 'already_exists') plan();
    expect(attempt).toThrow(expect.objectContaining({ code }));
  });

  it('refuses to start below what an enabled flag already serves: nobody who has the feature loses it', () => {
    fx.store.flagStates.patch('checkout', 'production', { on: true, fallthrough: booleanRollout(30) }, as(bob));
    expect(() => plan()).toThrow(
      expect.objectContaining({ code: 'validation_failed', message: expect.stringMatching(/already serves true to 30 %/) }),
    );
    expect(plan({ steps: [30, 60, 100] }).percent).toBe(30);
  });

  it('allows a new plan once the previous one is finished', () => {
    const first = plan();
    fx.rollouts.abort(first.id, as(alice));
    expect(plan().id).not.toBe(first.id);
  });
});

describe('pause, resume, abort', () => {
  it('pauses with the reason and who did it, and resumes one full hold later', () => {
    const created = plan();
    const paused = fx.rollouts.pause(created.id, as(bob, { reason: 'error rate up' }));
    expect(paused).toMatchObject({ state: 'paused', nextStepAt: null, reason: 'error rate up', stateChangedBy: bob, version: 2 });
    const resumed = fx.rollouts.resume(created.id, as(alice));
    expect(resumed).toMatchObject({ state: 'active', currentStep: 0, version: 3 });
    expect(Date.parse(resumed.nextStepAt!) - Date.parse(resumed.updatedAt)).toBe(60_000);
    expect(
      audit()
        .slice(0, 2)
        .map((e) => [e.action, e.actor.name, e.reason]),
    ).toEqual([
      ['rollout_plan.resume', 'alice', undefined],
      ['rollout_plan.pause', 'bob', 'error rate up'],
    ]);
  });

  it('refuses to resume when the flag now serves more than the next step: resuming would take it away from some', () => {
    const created = plan();
    fx.store.flagStates.patch('checkout', 'production', { on: true, fallthrough: booleanRollout(40) }, as(bob));
    fx.rollouts.reconcile(created.id);
    expect(() => fx.rollouts.resume(created.id, as(alice))).toThrow(
      expect.objectContaining({
        code: 'validation_failed',
        message: expect.stringMatching(/serves 40 % now, more than the plan's next step \(25 %\)/),
      }),
    );
    fx.store.flagStates.patch('checkout', 'production', { fallthrough: booleanRollout(20) }, as(bob));
    expect(fx.rollouts.resume(created.id, as(alice)).state).toBe('active');
  });

  it('aborts and leaves the flag at the percentage it reached', () => {
    const created = plan();
    expect(fx.rollouts.abort(created.id, as(bob, { reason: 'not needed' }))).toMatchObject({ state: 'aborted', reason: 'not needed' });
    expect(fallthrough()).toEqual(booleanRollout(5));
  });

  it('refuses a stale If-Match with version_conflict and changes nothing', () => {
    const created = plan();
    fx.rollouts.pause(created.id, as(bob));
    expect(() => fx.rollouts.resume(created.id, as(alice, { ifMatch: created.version }))).toThrow(
      expect.objectContaining({ code: 'version_conflict', details: { currentVersion: 2 } }),
    );
    expect(fx.store.rolloutPlans.get(created.id).state).toBe('paused');
  });

  it.each(['pause', 'resume', 'abort'] as const)('refuses to %s a finished plan with plan_finished', (action) => {
    const created = plan();
    fx.rollouts.abort(created.id, as(alice));
    if (action === 'abort') {
      expect(fx.rollouts.abort(created.id, as(alice)).state).toBe('aborted');
      return;
    }
    expect(() => fx.rollouts[action](created.id, as(alice))).toThrow(expect.objectContaining({ code: 'plan_finished' }));
  });
});

describe('reconcile: others changing the flag under an active plan', () => {
  it('pauses the plan when someone takes over its rollout, naming them, and keeps their change', () => {
    const created = plan();
    fx.store.flagStates.patch('checkout', 'production', { fallthrough: booleanRollout(10) }, as(bob));
    const paused = fx.rollouts.reconcile(created.id);
    expect(paused).toMatchObject({ state: 'paused', reason: expect.stringMatching(/^rollout changed by bob \(version \d+ → \d+\)/) });
    expect(fallthrough()).toEqual(booleanRollout(10));
  });

  it('carries on after harmless changes (the flag turned on, a target), without a new plan version', () => {
    const created = plan();
    fx.store.flagStates.patch('checkout', 'production', { on: true }, as(bob));
    fx.store.flagStates.patch('checkout', 'production', { targets: [{ variation: 1, values: ['user-1'] }] }, as(bob));
    expect(fx.rollouts.reconcile(created.id)).toBeNull();
    expect(fx.store.rolloutPlans.get(created.id)).toMatchObject({ state: 'active', version: created.version });
    expect(
      audit()
        .filter((e) => e.action.startsWith('rollout_plan.'))
        .map((e) => e.action),
    ).toEqual(['rollout_plan.create']);
  });

  it('is not triggered by the plan’s own steps', () => {
    const created = plan();
    expect(fx.rollouts.reconcile(created.id)).toBeNull();
  });
});

describe('abortPlanFor (a kill rule rolling back)', () => {
  const hook = { kind: 'hook', id: 'hook_1', name: 'alertmanager' } as const;
  // What the kill-rule side does: its own write transaction (here on a second connection to the same file).
  const killWrite = <T>(fn: (tx: Tx) => T): T => {
    const { db, sqlite } = openDatabase(fx.dbPath);
    try {
      return new Writer(
        db,
        new Snapshots(),
        new LocalChangeFeed(),
        createLogger('error', () => {}),
        Date.now,
      ).write(as(hook), fn);
    } finally {
      sqlite.close();
    }
  };

  it('aborts the open plan inside the caller’s transaction and records why', () => {
    const created = plan();
    const aborted = killWrite((tx) => {
      updateFlagState(tx, 'checkout', 'production', (state) => ({ ...state, fallthrough: booleanRollout(0) }));
      return abortPlanFor(tx, 'production', 'checkout', 'alert HighErrorRate fired');
    });
    expect(aborted).toMatchObject({ id: created.id, state: 'aborted', reason: 'alert HighErrorRate fired', stateChangedBy: hook });
    expect(fx.store.rolloutPlans.get(created.id).state).toBe('aborted');
    expect(audit('hook_1').map((e) => e.action)).toEqual(['rollout_plan.abort', 'flag_state.update']);
  });

  it('rolls back with the kill rule’s transaction when it fails', () => {
    const created = plan();
    expect(() =>
      killWrite((tx) => {
        abortPlanFor(tx, 'production', 'checkout', 'alert fired');
        throw new Error('the rollback failed');
      }),
    ).toThrow('the rollback failed');
    expect(fx.store.rolloutPlans.get(created.id).state).toBe('active');
  });

  it('returns null when the flag has no open plan', () => {
    expect(killWrite((tx) => abortPlanFor(tx, 'production', 'checkout', 'alert fired'))).toBeNull();
  });
});
