// Rollout plan rows: how they are read (joined with their environment and flag), how they become the API's
// RolloutPlan, and the one way a plan's own state changes (pause, resume, abort) with its audit entry.
import type { PlanState, RolloutPlan } from '@flagstaff/core/admin';
import { and, eq, inArray, type SQL } from 'drizzle-orm';
import { ApiError, notFound } from '../errors.js';
import type { Db } from './db.js';
import type { EnvRow } from './environments.js';
import { iso, type Actor } from './resources.js';
import { environments, flagStates, flags, rolloutPlans } from './schema.js';
import type { FlagRow } from './wire.js';
import type { Tx } from './write.js';

export type PlanRow = typeof rolloutPlans.$inferSelect;

export type { PlanState, RolloutPlan } from '@flagstaff/core/admin';

/** A step as stored: exact integers, like the weights they become. */
export interface PlanStep {
  /** The rolled-out variation's share, in thousandths of a percent (DESIGN.md, "Bucketing"). */
  thousandths: number;
  /** How long this step holds before the next one is applied. */
  holdMs: number;
}

export const toPercent = (thousandths: number) => thousandths / 1000;

/** A plan with the environment and flag it belongs to. */
export interface FoundPlan {
  plan: PlanRow;
  env: EnvRow;
  flag: FlagRow;
}

export const OPEN_STATES: PlanState[] = ['active', 'paused'];

export function toPlan(row: PlanRow, env: Pick<EnvRow, 'key'>, flag: Pick<FlagRow, 'key' | 'variations'>): RolloutPlan {
  return {
    id: row.id,
    env: env.key,
    flag: flag.key,
    state: row.state,
    steps: row.steps.map((step) => ({ percent: toPercent(step.thousandths), holdSeconds: step.holdMs / 1000 })),
    currentStep: row.currentStep,
    percent: toPercent(row.steps[row.currentStep]!.thousandths),
    nextStepAt: row.nextStepAt === null ? null : iso(row.nextStepAt),
    variation: flag.variations[row.variation] ?? null,
    from: flag.variations[row.baseline] ?? null,
    bucketBy: row.bucketBy,
    reason: row.reason,
    stateChangedBy: (row.stateChangedBy as Actor | null) ?? null,
    createdBy: row.createdBy as Actor,
    version: row.version,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export function selectPlans(db: Db, where: SQL | undefined) {
  return db
    .select({ plan: rolloutPlans, env: environments, flag: flags })
    .from(rolloutPlans)
    .innerJoin(environments, eq(environments.id, rolloutPlans.envId))
    .innerJoin(flags, eq(flags.id, rolloutPlans.flagId))
    .where(where);
}

export function requirePlan(db: Db, id: number) {
  const found = selectPlans(db, eq(rolloutPlans.id, id)).get();
  if (!found) throw notFound(`rollout plan ${id}`);
  return found;
}

/** The active or paused plan of a flag in an environment, if any. */
export function openPlanOf(db: Db, envId: number, flagId: number) {
  return selectPlans(
    db,
    and(eq(rolloutPlans.envId, envId), eq(rolloutPlans.flagId, flagId), inArray(rolloutPlans.state, OPEN_STATES)),
  ).get();
}

export function flagStateRow(db: Db, flagId: number, envId: number) {
  return db
    .select()
    .from(flagStates)
    .where(and(eq(flagStates.flagId, flagId), eq(flagStates.envId, envId)))
    .get()!;
}

/** Records a change of a plan's own state: who did it, why, and the audit entry that says so. */
export function setPlanState(
  tx: Tx,
  found: FoundPlan,
  action: 'pause' | 'resume' | 'abort',
  fields: Partial<PlanRow>,
  actor: Actor,
  reason: string | null,
): RolloutPlan {
  const updated = tx.db
    .update(rolloutPlans)
    .set({ ...fields, reason, stateChangedBy: actor, version: found.plan.version + 1, updatedAt: tx.now })
    .where(eq(rolloutPlans.id, found.plan.id))
    .returning()
    .get()!;
  const plan = toPlan(updated, found.env, found.flag);
  // Filed under the flag, so `flagstaff audit --flag K` tells the whole story of a rollout.
  tx.audit({
    action: `rollout_plan.${action}`,
    env: found.env.key,
    resource: { kind: 'flag', key: found.flag.key },
    before: toPlan(found.plan, found.env, found.flag),
    after: plan,
  });
  return plan;
}

/** Completed and aborted plans are history: they are not paused, resumed or aborted again. */
export function refuseFinished(plan: PlanRow, wanted: string): void {
  if (plan.state === 'completed' || plan.state === 'aborted') {
    throw new ApiError('plan_finished', `rollout plan ${plan.id} is ${plan.state}: it cannot be ${wanted}; create a new one`, {
      state: plan.state,
    });
  }
}

/** Inserts a new plan row. */
export function insertPlan(tx: Tx, values: typeof rolloutPlans.$inferInsert): PlanRow {
  return tx.db.insert(rolloutPlans).values(values).returning().get();
}

/** Records that plan `id` applied a step: its schedule, position and the flag version it wrote. */
export function updatePlan(tx: Tx, id: number, fields: Partial<PlanRow>): PlanRow {
  return tx.db.update(rolloutPlans).set(fields).where(eq(rolloutPlans.id, id)).returning().get()!;
}

/**
 * Bookkeeping of plan `id` at `version` (the flag version it accepts, when its next step is due): no
 * version bump, so If-Match holders keep theirs, and nothing if the plan moved meanwhile.
 */
export function updateScheduleAt(tx: Tx, id: number, version: number, fields: Pick<Partial<PlanRow>, 'flagVersion' | 'nextStepAt'>): void {
  tx.db
    .update(rolloutPlans)
    .set(fields)
    .where(and(eq(rolloutPlans.id, id), eq(rolloutPlans.version, version)))
    .run();
}
