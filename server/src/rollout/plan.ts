// A progressive rollout plan (docs/rollouts.md): the request that creates one, and the pure rules of its
// schedule. plans.ts applies them through the store (store/rollout-plans.ts: rows, SQL, transactions); the
// scheduler (scheduler.ts) decides when. The resource's shape is @flagstaff/core/admin's.
import { z } from 'zod';
import { bucketBySchema, shareOf, type FlagKind, type JsonValue, type Serve } from '@flagstaff/core';
import type { Actor, NewRolloutPlan, PlanWarning, RolloutPlan } from '@flagstaff/core/admin';
import type { Issue } from '../errors.js';
import { toPercent, type PlanStep } from '../store/rollout-plan-rows.js';

export { toPercent, type PlanStep } from '../store/rollout-plan-rows.js';
export type { PlanState, PlanWarning, RolloutPlan } from '@flagstaff/core/admin';

/** Holds shorter than a second only make sense in tests; longer than 30 days is a typo (ms for s). */
export const MIN_HOLD_SECONDS = 1;
export const MAX_HOLD_SECONDS = 30 * 86_400;
export const MAX_STEPS = 20;

/**
 * The warnings of a plan just created. On a flag that is off, the first step is set but serves nobody, and
 * the plan waits: its next step comes one hold after the flag is turned on (docs/rollouts.md).
 */
export function planWarnings(plan: RolloutPlan, flagOn: boolean): PlanWarning[] {
  if (flagOn) return [];
  return [
    {
      code: 'flag_off',
      message:
        `flag "${plan.flag}" is off in ${plan.env}: the first step (${plan.percent}%) is set but serves nobody, ` +
        'and the plan waits for the flag to be turned on; its next step comes one hold after that',
    },
  ];
}

const stepSchema = z.union([z.number(), z.strictObject({ percent: z.number(), holdSeconds: z.int().optional() })]);

/** `POST /api/v1/rollout-plans`. */
export const createPlanBody = z.strictObject({
  flag: z.string().min(1),
  env: z.string().min(1),
  steps: z.array(stepSchema).min(1).max(MAX_STEPS),
  /** The hold of every step that does not name its own. */
  holdSeconds: z.int().optional(),
  /** The variation rolled out, by value (default: true, for boolean flags). */
  variation: z.json().optional(),
  /** The variation everybody else keeps, by value (default: the other one of a boolean flag, else the off variation). */
  from: z.json().optional(),
  bucketBy: bucketBySchema.max(128).optional(),
}) satisfies z.ZodType<NewRolloutPlan>;

export type CreatePlanBody = z.output<typeof createPlanBody>;

/**
 * The steps of a request as stored, or every problem with them: percentages above 0, at most 100, with at
 * most 3 decimals, strictly increasing (a plan only ever adds users); a hold for every step but the last,
 * within [MIN_HOLD_SECONDS, MAX_HOLD_SECONDS].
 */
export function planSteps(
  steps: CreatePlanBody['steps'],
  holdSeconds: number | undefined,
): { ok: true; steps: PlanStep[] } | { ok: false; issues: Issue[] } {
  const issues: Issue[] = [];
  const planned: PlanStep[] = [];
  steps.forEach((step, index) => {
    const percent = typeof step === 'number' ? step : step.percent;
    const hold = (typeof step === 'number' ? undefined : step.holdSeconds) ?? holdSeconds;
    const path = `steps[${index}]`;
    const thousandths = Math.round(percent * 1000);
    if (!(percent > 0 && percent <= 100)) {
      issues.push({ path, message: `a step is a percentage above 0 and at most 100, not ${percent}` });
    } else if (Math.abs(percent * 1000 - thousandths) > 1e-6) {
      issues.push({ path, message: `percentages have at most 3 decimals (0.001 % is the finest step), not ${percent}` });
    } else if (index > 0 && thousandths <= planned[index - 1]!.thousandths) {
      issues.push({ path, message: `steps must increase: ${percent} % comes after ${toPercent(planned[index - 1]!.thousandths)} %` });
    }
    const last = index === steps.length - 1;
    if (hold === undefined && !last) {
      issues.push({ path, message: 'how long does this step hold? Give holdSeconds for the plan or for this step' });
    } else if (hold !== undefined && (hold < MIN_HOLD_SECONDS || hold > MAX_HOLD_SECONDS)) {
      issues.push({ path, message: `a hold lasts from ${MIN_HOLD_SECONDS} s to ${MAX_HOLD_SECONDS} s (30 days), not ${hold} s` });
    }
    planned.push({ thousandths, holdMs: (hold ?? 0) * 1000 });
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, steps: planned };
}

/**
 * Where a plan stands once step `index` was applied at `now`. The next step is due one full hold after the
 * step was actually applied — not after it was due — so a late step (a restart, a busy server) never
 * shortens the time the next percentage is watched: catching up applies one step, then waits again.
 */
export function afterStep(
  steps: readonly PlanStep[],
  index: number,
  now: number,
): { state: 'active' | 'completed'; nextStepAt: number | null } {
  if (index >= steps.length - 1) return { state: 'completed', nextStepAt: null };
  return { state: 'active', nextStepAt: now + steps[index]!.holdMs };
}

/** The actor of the changes a plan makes by itself: `rollout-plan:<id>` in the audit log. */
export function planActor(id: number): Actor {
  return { kind: 'system', id: `rollout-plan:${id}`, name: `rollout-plan:${id}` };
}

/** Which users a plan moves: the variation rolled out, the one everybody else keeps, and the bucketing attribute. */
export interface PlanSplit {
  variation: number;
  baseline: number;
  bucketBy: string;
}

/**
 * The split a plan fixes for its whole life — fixed, because changing any part of it between steps would
 * move users instead of adding them. Variations are named by value; the defaults are `true` over `false` for a
 * boolean flag, and the off variation as the baseline otherwise. An enabled flag that already serves the
 * variation to more users than the first step would take it away from some: refused.
 */
export function planSplit(
  flag: { key: string; kind: FlagKind; variations: JsonValue[] },
  state: { on: boolean; offVariation: number; fallthrough: Serve },
  input: Pick<CreatePlanBody, 'variation' | 'from' | 'bucketBy'>,
  firstStep: number,
): ({ ok: true } & PlanSplit) | { ok: false; issues: Issue[] } {
  const issues: Issue[] = [];
  const find = (value: unknown, path: string) => {
    const index = flag.variations.findIndex((v) => JSON.stringify(v) === JSON.stringify(value));
    if (index === -1)
      issues.push({ path, message: `${JSON.stringify(value)} is not a variation of "${flag.key}": ${JSON.stringify(flag.variations)}` });
    return index === -1 ? undefined : index;
  };
  const boolean = flag.kind === 'boolean';
  const variation = input.variation !== undefined ? find(input.variation, 'variation') : boolean ? 1 : undefined;
  if (input.variation === undefined && variation === undefined) {
    issues.push({
      path: 'variation',
      message: `a ${flag.kind} flag needs the variation to roll out, one of ${JSON.stringify(flag.variations)}`,
    });
  }
  if (variation === undefined) return { ok: false, issues };

  const baseline = input.from !== undefined ? find(input.from, 'from') : boolean ? 1 - variation : state.offVariation;
  if (baseline === variation) {
    issues.push({ path: 'from', message: 'everybody else must keep a different variation than the one rolled out: set "from"' });
  }
  const servedNow = state.on ? shareOf(state.fallthrough, variation) : 0;
  if (servedNow > firstStep) {
    issues.push({
      path: 'steps[0]',
      message:
        `the flag is on and already serves ${JSON.stringify(flag.variations[variation])} to ${toPercent(servedNow)} %: a plan starting lower ` +
        'would take it away from some users; start at or above that, or create the plan while the flag is off',
    });
  }
  if (issues.length > 0 || baseline === undefined) return { ok: false, issues };
  const bucketBy = input.bucketBy ?? ('rollout' in state.fallthrough ? state.fallthrough.rollout.bucketBy : 'key');
  return { ok: true, variation, baseline, bucketBy };
}

/** One change someone else made to the flag state since the plan last wrote it, as the audit log holds it. */
export interface ForeignChange {
  actor: string;
  before: unknown;
  after: unknown;
}

interface StateFields {
  version?: number;
  on?: boolean;
  fallthrough?: unknown;
}

/**
 * Whether a plan may carry on after others changed its flag (`adopt`), or must pause, and why. A plan pauses
 * when someone took over what it controls — the rollout — or pulled the flag: turned it off, or changed what
 * no state entry explains (the definition: seed, variations; archiving). Turning the flag on, or editing
 * targets and rules, leaves the plan's percentage meaningful: it carries on — and when the flag was turned on,
 * its current step has only now become visible, so its hold starts again (`turnedOn`).
 */
export function judgeForeignChanges(
  changes: readonly ForeignChange[],
  versions: { flagVersion: number; currentVersion: number },
): { pause: string; by?: string } | { adopt: true; turnedOn: boolean } {
  let explained = versions.flagVersion;
  let turnedOn = false;
  for (const { actor: by, ...change } of changes) {
    const before = change.before as StateFields | null;
    const after = change.after as StateFields | null;
    if (!before || !after || typeof after.version !== 'number') return { pause: 'flag changed', by };
    if (before.on === true && after.on === false) return { pause: 'flag turned off', by };
    if (JSON.stringify(before.fallthrough) !== JSON.stringify(after.fallthrough)) return { pause: 'rollout changed', by };
    if (before.on === false && after.on === true) turnedOn = true;
    explained = Math.max(explained, after.version);
  }
  // The state moved without a state change to show for it: its definition changed (or it was archived).
  return explained < versions.currentVersion ? { pause: 'flag changed' } : { adopt: true, turnedOn };
}
