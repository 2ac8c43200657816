// Rollout plans (docs/rollouts.md): every write that moves one — create, a step, pause, resume, abort — and
// the reads the API and the scheduler need. A step changes the flag state through updateFlagState in the same transaction as the plan's
// `currentStep`, so the two never disagree, whatever crashes when.
import { and, asc, desc, eq, inArray, isNotNull, isNull, lte, notLike, or, sql, type SQL } from 'drizzle-orm';
import { shareOf, twoWayRollout } from '@flagstaff/core';
import { ApiError, validationFailed } from '../errors.js';
import {
  afterStep,
  judgeForeignChanges,
  planActor,
  planSplit,
  planSteps,
  toPercent,
  type CreatePlanBody,
  type ForeignChange,
  type PlanState,
  type RolloutPlan,
} from '../rollout/plan.js';
import type { Db } from './db.js';
import { requireEnv } from './environments.js';
import { updateFlagState } from './flag-states.js';
import { refuseArchived, requireFlag } from './flags.js';
import type { Actor, WriteMeta } from './resources.js';
import { flagStateRow, OPEN_STATES, openPlanOf, refuseFinished, requirePlan, selectPlans, setPlanState, toPlan } from './rollout-plan-rows.js';
import { auditLog, environments, flags, rolloutPlans } from './schema.js';
import { checkVersion, type Tx, type Writer } from './write.js';

export interface PlanQuery {
  env?: string;
  flag?: string;
  state?: PlanState;
}

/**
 * Aborts the open (active or paused) plan of `flagKey` in `env`, inside the caller's write transaction, and
 * records `reason`: what a kill rule with action `rollback` does after setting the rollout to 0 %. Returns
 * the aborted plan, or null when the flag had no open plan. `actor` becomes the plan's `stateChangedBy`; the
 * `rollout_plan.abort` audit entry, like every entry of the transaction, names the transaction's actor.
 */
export function abortPlanFor(tx: Tx, env: string, flagKey: string, reason: string, actor: Actor = tx.meta.actor): RolloutPlan | null {
  const envRow = requireEnv(tx.db, env);
  const flag = requireFlag(tx.db, flagKey);
  const found = openPlanOf(tx.db, envRow.id, flag.id);
  if (!found) return null;
  return setPlanState(tx, found, 'abort', { state: 'aborted', nextStepAt: null }, actor, reason);
}

/** What the scheduler learns from one attempt to move a plan along. */
export type StepOutcome =
  | { kind: 'stepped'; plan: RolloutPlan }
  /** Someone else changed the flag since the plan's last step: the plan paused instead of overwriting it. */
  | { kind: 'paused'; plan: RolloutPlan }
  /** Nothing was due (another instance or an API call got there first). */
  | { kind: 'not_due' }
  /** The flag is off: the step waits another hold. */
  | { kind: 'waiting' };

export class RolloutPlanStore {
  readonly #listeners = new Set<() => void>();

  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
  ) {}

  /** Told after every committed change to a plan's schedule (the scheduler re-arms its timer). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  list(query: PlanQuery = {}): RolloutPlan[] {
    const where: SQL[] = [];
    if (query.env !== undefined) where.push(eq(rolloutPlans.envId, requireEnv(this.db, query.env).id));
    if (query.flag !== undefined) where.push(eq(flags.key, query.flag));
    if (query.state !== undefined) where.push(eq(rolloutPlans.state, query.state));
    return selectPlans(this.db, and(...where))
      .orderBy(desc(rolloutPlans.id))
      .all()
      .map(({ plan, env, flag }) => toPlan(plan, env, flag));
  }

  get(id: number): RolloutPlan {
    const { plan, env, flag } = requirePlan(this.db, id);
    return toPlan(plan, env, flag);
  }

  /** A new plan; its first step is applied at once, by the creator, in the same transaction. */
  create(input: CreatePlanBody, meta: WriteMeta): RolloutPlan {
    const planned = planSteps(input.steps, input.holdSeconds);
    if (!planned.ok) throw validationFailed(planned.issues);
    const steps = planned.steps;
    return this.#write(meta, (tx) => {
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
      const row = tx.db
        .insert(rolloutPlans)
        .values({
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
        })
        .returning()
        .get();
      const plan = toPlan(row, env, flag);
      tx.audit({ action: 'rollout_plan.create', env: env.key, resource: { kind: 'flag', key: flag.key }, after: plan });
      return plan;
    });
  }

  pause(id: number, meta: WriteMeta): RolloutPlan {
    return this.#write(meta, (tx) => {
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
    return this.#write(meta, (tx) => {
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
    return this.#write(meta, (tx) => {
      const found = requirePlan(tx.db, id);
      checkVersion(found.plan.version, meta.ifMatch, `rollout plan ${id}`);
      if (found.plan.state === 'aborted') return toPlan(found.plan, found.env, found.flag);
      refuseFinished(found.plan, 'aborted');
      return setPlanState(tx, found, 'abort', { state: 'aborted', nextStepAt: null }, meta.actor, meta.reason ?? null);
    });
  }

  /** When the earliest active plan is due; null when none is waiting. */
  nextDueAt(): number | null {
    const row = this.db
      .select({ at: rolloutPlans.nextStepAt })
      .from(rolloutPlans)
      .where(and(eq(rolloutPlans.state, 'active'), isNotNull(rolloutPlans.nextStepAt)))
      .orderBy(asc(rolloutPlans.nextStepAt))
      .limit(1)
      .get();
    return row?.at ?? null;
  }

  /** Ids of the active plans whose next step is due at `now`, earliest first. */
  dueIds(now: number): number[] {
    return this.db
      .select({ id: rolloutPlans.id, at: rolloutPlans.nextStepAt })
      .from(rolloutPlans)
      .where(and(eq(rolloutPlans.state, 'active'), lte(rolloutPlans.nextStepAt, now)))
      .orderBy(asc(rolloutPlans.nextStepAt))
      .all()
      .map((row) => row.id);
  }

  /** The open plan of a flag, by keys; undefined when it has none (a cheap check for every flag change). */
  openPlanId(env: string, flagKey: string): number | undefined {
    const found = selectPlans(this.db, and(eq(environments.key, env), eq(flags.key, flagKey), inArray(rolloutPlans.state, OPEN_STATES))).get();
    return found?.plan.id;
  }

  /**
   * Applies plan `id`'s next step if it is due — exactly one step, however late — or pauses the plan if
   * someone else changed the flag since its last step (a plan never overwrites a person's change), or waits
   * another hold while the flag is off.
   */
  advance(id: number, now: number): StepOutcome {
    const found = requirePlan(this.db, id);
    const { plan, env, flag } = found;
    if (plan.state !== 'active' || plan.nextStepAt === null || plan.nextStepAt > now) return { kind: 'not_due' };
    const changed = this.reconcile(id);
    if (changed) return { kind: 'paused', plan: changed };
    if (!flagStateRow(this.db, flag.id, env.id).on) return this.waitWhileOff(id, plan.version, plan.steps[plan.currentStep]!.holdMs);

    const index = plan.currentStep + 1;
    const step = plan.steps[index]!;
    const reason = `rollout plan ${id}: step ${index + 1} of ${plan.steps.length}, ${toPercent(step.thousandths)} %`;
    return this.#write({ actor: planActor(id), reason }, (tx) => {
      // Re-read inside the transaction: another instance sharing the database may have taken this step.
      const current = requirePlan(tx.db, id).plan;
      if (current.version !== plan.version) return { kind: 'not_due' };
      const applied = updateFlagState(tx, flag.key, env.key, (state) => ({
        ...state,
        fallthrough: twoWayRollout(flag.variations.length, plan.variation, plan.baseline, step.thousandths, plan.bucketBy),
      }));
      const schedule = afterStep(plan.steps, index, tx.now);
      const updated = tx.db
        .update(rolloutPlans)
        .set({ ...schedule, currentStep: index, flagVersion: applied.version, version: plan.version + 1, updatedAt: tx.now })
        .where(eq(rolloutPlans.id, id))
        .returning()
        .get()!;
      return { kind: 'stepped', plan: toPlan(updated, env, flag) } as const;
    });
  }

  /**
   * Catches up with what others did to the flag since the plan last wrote it: pauses the plan when they took
   * over its rollout or pulled the flag (rollout/plan.ts, judgeForeignChanges), and otherwise accepts the
   * flag's current version. Returns the paused plan, or null when the plan carries on.
   */
  reconcile(id: number): RolloutPlan | null {
    const found = requirePlan(this.db, id);
    const { plan, env, flag } = found;
    if (plan.state !== 'active') return null;
    const current = flagStateRow(this.db, flag.id, env.id).version;
    if (current === plan.flagVersion && !flag.archived) return null;
    const verdict = flag.archived
      ? { pause: 'flag archived' }
      : judgeForeignChanges(this.changesSince(env.key, flag.key, plan.flagVersion), { flagVersion: plan.flagVersion, currentVersion: current });
    if ('adopt' in verdict) {
      // Bookkeeping, not a change of the plan: no version bump (If-Match holders keep theirs), no audit entry.
      this.#write({ actor: planActor(id) }, (tx) => {
        const restart = verdict.turnedOn ? { nextStepAt: tx.now + plan.steps[plan.currentStep]!.holdMs } : {};
        tx.db
          .update(rolloutPlans)
          .set({ flagVersion: current, ...restart })
          .where(and(eq(rolloutPlans.id, id), eq(rolloutPlans.version, plan.version)))
          .run();
      });
      return null;
    }
    const by = verdict.by ?? this.lastChangeBy(env.key, flag.key)?.name ?? 'someone else';
    const reason = `${verdict.pause} by ${by} (version ${plan.flagVersion} → ${current}); resume to continue from here`;
    return this.#write({ actor: planActor(id), reason }, (tx) => {
      const fresh = requirePlan(tx.db, id);
      if (fresh.plan.version !== plan.version) return null;
      return setPlanState(tx, fresh, 'pause', { state: 'paused', nextStepAt: null }, planActor(id), reason);
    });
  }

  /** The audited changes of others to this flag's state in `env` after `flagVersion`, oldest first. */
  private changesSince(env: string, flagKey: string, flagVersion: number): ForeignChange[] {
    return this.db
      .select({ actor: auditLog.actorName, before: auditLog.before, after: auditLog.after })
      .from(auditLog)
      .where(
        and(
          eq(auditLog.env, env),
          eq(auditLog.resourceKind, 'flag'),
          eq(auditLog.resourceKey, flagKey),
          // A plan's own entries are filed under its flag too; their `after` is a plan, not a flag state.
          notLike(auditLog.action, 'rollout_plan.%'),
          sql`json_extract(${auditLog.after}, '$.version') > ${flagVersion}`,
        ),
      )
      .orderBy(asc(auditLog.id))
      .all();
  }

  /**
   * Nobody sees a step while the flag is off, so none is applied: the current step holds again, and turning
   * the flag on restarts its hold (reconcile). Bookkeeping: no version bump, no audit entry.
   */
  private waitWhileOff(id: number, version: number, holdMs: number): StepOutcome {
    this.#write({ actor: planActor(id) }, (tx) => {
      tx.db
        .update(rolloutPlans)
        .set({ nextStepAt: tx.now + holdMs })
        .where(and(eq(rolloutPlans.id, id), eq(rolloutPlans.version, version)))
        .run();
    });
    return { kind: 'waiting' };
  }

  /** Pauses an active plan whose step could not be applied (the flag's variations changed under it, say). */
  pauseAfterFailure(id: number, message: string): RolloutPlan | null {
    const reason = `the next step failed: ${message}`;
    return this.#write({ actor: planActor(id), reason }, (tx) => {
      const found = requirePlan(tx.db, id);
      if (found.plan.state !== 'active') return null;
      return setPlanState(tx, found, 'pause', { state: 'paused', nextStepAt: null }, planActor(id), reason);
    });
  }

  /** Who last changed this flag in this environment, other than a rollout plan. */
  private lastChangeBy(env: string, flagKey: string): Actor | undefined {
    const row = this.db
      .select({ kind: auditLog.actorKind, id: auditLog.actorId, name: auditLog.actorName })
      .from(auditLog)
      .where(
        and(
          or(eq(auditLog.env, env), isNull(auditLog.env)),
          eq(auditLog.resourceKind, 'flag'),
          eq(auditLog.resourceKey, flagKey),
          notLike(auditLog.actorId, 'rollout-plan:%'),
        ),
      )
      .orderBy(desc(auditLog.id))
      .limit(1)
      .get();
    return row ? { kind: row.kind as Actor['kind'], id: row.id, name: row.name } : undefined;
  }

  /** A write after which the scheduler hears that a schedule may have moved. */
  #write<T>(meta: WriteMeta, fn: (tx: Tx) => T): T {
    return this.writer.write(meta, (tx) => {
      tx.afterCommit(() => {
        for (const listener of this.#listeners) listener();
      });
      return fn(tx);
    });
  }
}
