// What rollout plans do (docs/rollouts.md): create one, pause, resume, abort, and — for the scheduler —
// apply the next step when it is due, or wait, or pause when someone else changed the flag. The rules are
// here and in plan.ts; every read and write goes through the store (store/rollout-plans.ts and its rows),
// and each of these is one transaction there.
import { shareOf, twoWayRollout } from '@flagstaff/core';
import { ApiError, validationFailed } from '../errors.js';
import { requireEnv } from '../store/environments.js';
import { updateFlagState } from '../store/flag-states.js';
import { refuseArchived, requireFlag } from '../store/flags.js';
import type { WriteMeta } from '../store/resources.js';
import {
  flagStateRow,
  insertPlan,
  openPlanOf,
  refuseFinished,
  requirePlan,
  setPlanState,
  toPlan,
  updatePlan,
  updateScheduleAt,
  type RolloutPlan,
} from '../store/rollout-plan-rows.js';
import type { PlanQuery, RolloutPlanStore } from '../store/rollout-plans.js';
import { checkVersion } from '../store/write.js';
import { afterStep, judgeForeignChanges, planActor, planSplit, planSteps, toPercent, type CreatePlanBody } from './plan.js';

/** What the scheduler learns from one attempt to move a plan along. */
export type StepOutcome =
  | { kind: 'stepped'; plan: RolloutPlan }
  /** Someone else changed the flag since the plan's last step: the plan paused instead of overwriting it. */
  | { kind: 'paused'; plan: RolloutPlan }
  /** Nothing was due (another instance or an API call got there first). */
  | { kind: 'not_due' }
  /** The flag is off: the step waits another hold. */
  | { kind: 'waiting' };

export class Rollouts {
  constructor(private readonly plans: RolloutPlanStore) {}

  list(query: PlanQuery = {}): RolloutPlan[] {
    return this.plans.list(query);
  }

  get(id: number): RolloutPlan {
    return this.plans.get(id);
  }

  /** Told after every committed change to a plan's schedule (the scheduler re-arms its timer). */
  onChange(listener: () => void): () => void {
    return this.plans.onChange(listener);
  }

  nextDueAt(): number | null {
    return this.plans.nextDueAt();
  }

  dueIds(now: number): number[] {
    return this.plans.dueIds(now);
  }

  openPlanId(env: string, flagKey: string): number | undefined {
    return this.plans.openPlanId(env, flagKey);
  }

  /** A new plan; its first step is applied at once, by the creator, in the same transaction. */
  create(input: CreatePlanBody, meta: WriteMeta): RolloutPlan {
    const planned = planSteps(input.steps, input.holdSeconds);
    if (!planned.ok) throw validationFailed(planned.issues);
    const steps = planned.steps;
    return this.plans.write(meta, (tx) => {
      const flag = requireFlag(tx.db, input.flag);
      const env = requireEnv(tx.db, input.env);
      refuseArchived(flag);
      const open = openPlanOf(tx.db, env.id, flag.id);
      if (open) {
        throw new ApiError(
          'already_exists',
          `flag "${flag.key}" in ${env.key} already has a ${open.plan.state} rollout plan (${open.plan.id}): abort it first`,
          { planId: open.plan.id },
        );
      }
      const state = flagStateRow(tx.db, flag.id, env.id);
      const split = planSplit(flag, state, input, steps[0]!.thousandths);
      if (!split.ok) throw validationFailed(split.issues);
      const { variation: chosen, baseline, bucketBy } = split;
      const applied = updateFlagState(tx, flag.key, env.key, (current) => ({
        ...current,
        fallthrough: twoWayRollout(flag.variations.length, chosen, baseline, steps[0]!.thousandths, bucketBy),
      }));
      const schedule = afterStep(steps, 0, tx.now);
      const row = insertPlan(tx, {
        envId: env.id,
        flagId: flag.id,
        state: schedule.state,
        steps,
        currentStep: 0,
        nextStepAt: schedule.nextStepAt,
        variation: chosen,
        baseline,
        bucketBy,
        flagVersion: applied.version,
        createdBy: meta.actor,
        version: 1,
        createdAt: tx.now,
        updatedAt: tx.now,
      });
      const plan = toPlan(row, env, flag);
      tx.audit({ action: 'rollout_plan.create', env: env.key, resource: { kind: 'flag', key: flag.key }, after: plan });
      return plan;
    });
  }

  pause(id: number, meta: WriteMeta): RolloutPlan {
    return this.plans.write(meta, (tx) => {
      const found = requirePlan(tx.db, id);
      checkVersion(found.plan.version, meta.ifMatch, `rollout plan ${id}`);
      if (found.plan.state === 'paused') return toPlan(found.plan, found.env, found.flag);
      refuseFinished(found.plan, 'paused');
      return setPlanState(tx, found, 'pause', { state: 'paused', nextStepAt: null }, meta.actor, meta.reason ?? null);
    });
  }

  /**
   * Resumes a paused plan: the next step is due one full hold from now, and the flag state as it is now
   * (changed by hand, perhaps) is what the plan builds on.
   */
  resume(id: number, meta: WriteMeta): RolloutPlan {
    return this.plans.write(meta, (tx) => {
      const found = requirePlan(tx.db, id);
      checkVersion(found.plan.version, meta.ifMatch, `rollout plan ${id}`);
      if (found.plan.state === 'active') return toPlan(found.plan, found.env, found.flag);
      refuseFinished(found.plan, 'resumed');
      const flagState = flagStateRow(tx.db, found.flag.id, found.env.id);
      // Someone may have raised the rollout by hand while the plan was paused: its next step must not lower it.
      const next = found.plan.steps[found.plan.currentStep + 1]!;
      const servedNow = flagState.on ? shareOf(flagState.fallthrough, found.plan.variation) : 0;
      if (servedNow > next.thousandths) {
        throw validationFailed([
          {
            path: 'steps',
            message: `the flag serves ${toPercent(servedNow)} % now, more than the plan's next step (${toPercent(next.thousandths)} %): lower the rollout or abort the plan`,
          },
        ]);
      }
      const { state, nextStepAt } = afterStep(found.plan.steps, found.plan.currentStep, tx.now);
      const flagVersion = flagState.version;
      return setPlanState(tx, found, 'resume', { state, nextStepAt, flagVersion }, meta.actor, meta.reason ?? null);
    });
  }

  /** Stops the plan for good; the flag keeps the percentage it has (roll back with `flagstaff rollout KEY 0`). */
  abort(id: number, meta: WriteMeta): RolloutPlan {
    return this.plans.write(meta, (tx) => {
      const found = requirePlan(tx.db, id);
      checkVersion(found.plan.version, meta.ifMatch, `rollout plan ${id}`);
      if (found.plan.state === 'aborted') return toPlan(found.plan, found.env, found.flag);
      refuseFinished(found.plan, 'aborted');
      return setPlanState(tx, found, 'abort', { state: 'aborted', nextStepAt: null }, meta.actor, meta.reason ?? null);
    });
  }

  /**
   * Applies plan `id`'s next step if it is due — exactly one step, however late — or pauses the plan if
   * someone else changed the flag since its last step (a plan never overwrites a person's change), or waits
   * another hold while the flag is off.
   */
  advance(id: number, now: number): StepOutcome {
    const found = this.plans.find(id);
    const { plan, env, flag } = found;
    if (plan.state !== 'active' || plan.nextStepAt === null || plan.nextStepAt > now) return { kind: 'not_due' };
    const changed = this.reconcile(id);
    if (changed) return { kind: 'paused', plan: changed };
    if (!this.plans.flagState(found).on) return this.#waitWhileOff(id, plan.version, plan.steps[plan.currentStep]!.holdMs);

    const index = plan.currentStep + 1;
    const step = plan.steps[index]!;
    const reason = `rollout plan ${id}: step ${index + 1} of ${plan.steps.length}, ${toPercent(step.thousandths)} %`;
    return this.plans.write({ actor: planActor(id), reason }, (tx) => {
      // Re-read inside the transaction: another instance sharing the database may have taken this step.
      const current = requirePlan(tx.db, id).plan;
      if (current.version !== plan.version) return { kind: 'not_due' };
      const applied = updateFlagState(tx, flag.key, env.key, (state) => ({
        ...state,
        fallthrough: twoWayRollout(flag.variations.length, plan.variation, plan.baseline, step.thousandths, plan.bucketBy),
      }));
      const schedule = afterStep(plan.steps, index, tx.now);
      const updated = updatePlan(tx, id, {
        ...schedule,
        currentStep: index,
        flagVersion: applied.version,
        version: plan.version + 1,
        updatedAt: tx.now,
      });
      return { kind: 'stepped', plan: toPlan(updated, env, flag) } as const;
    });
  }

  /**
   * Catches up with what others did to the flag since the plan last wrote it: pauses the plan when they took
   * over its rollout or pulled the flag (plan.ts, judgeForeignChanges), and otherwise accepts the flag's
   * current version. Returns the paused plan, or null when the plan carries on.
   */
  reconcile(id: number): RolloutPlan | null {
    const found = this.plans.find(id);
    const { plan, env, flag } = found;
    if (plan.state !== 'active') return null;
    const current = this.plans.flagState(found).version;
    if (current === plan.flagVersion && !flag.archived) return null;
    const verdict = flag.archived
      ? { pause: 'flag archived' }
      : judgeForeignChanges(this.plans.stateChangesSince(env.key, flag.key, plan.flagVersion), {
          flagVersion: plan.flagVersion,
          currentVersion: current,
        });
    if ('adopt' in verdict) {
      // Bookkeeping, not a change of the plan: no version bump (If-Match holders keep theirs), no audit entry.
      this.plans.write({ actor: planActor(id) }, (tx) => {
        const restart = verdict.turnedOn ? { nextStepAt: tx.now + plan.steps[plan.currentStep]!.holdMs } : {};
        updateScheduleAt(tx, id, plan.version, { flagVersion: current, ...restart });
      });
      return null;
    }
    const by = verdict.by ?? this.plans.lastChangeBy(env.key, flag.key)?.name ?? 'someone else';
    const reason = `${verdict.pause} by ${by} (version ${plan.flagVersion} → ${current}); resume to continue from here`;
    return this.plans.write({ actor: planActor(id), reason }, (tx) => {
      const fresh = requirePlan(tx.db, id);
      if (fresh.plan.version !== plan.version) return null;
      return setPlanState(tx, fresh, 'pause', { state: 'paused', nextStepAt: null }, planActor(id), reason);
    });
  }

  /** Pauses an active plan whose step could not be applied (the flag's variations changed under it, say). */
  pauseAfterFailure(id: number, message: string): RolloutPlan | null {
    const reason = `the next step failed: ${message}`;
    return this.plans.write({ actor: planActor(id), reason }, (tx) => {
      const found = requirePlan(tx.db, id);
      if (found.plan.state !== 'active') return null;
      return setPlanState(tx, found, 'pause', { state: 'paused', nextStepAt: null }, planActor(id), reason);
    });
  }

  /**
   * Nobody sees a step while the flag is off, so none is applied: the current step holds again, and turning
   * the flag on restarts its hold (reconcile). Bookkeeping: no version bump, no audit entry.
   */
  #waitWhileOff(id: number, version: number, holdMs: number): StepOutcome {
    this.plans.write({ actor: planActor(id) }, (tx) => {
      updateScheduleAt(tx, id, version, { nextStepAt: tx.now + holdMs });
    });
    return { kind: 'waiting' };
  }
}
