// Carries out a plan: segments first (flag rules may refer to them), then flag definitions, then states.
// Every update is sent with the version the plan saw (If-Match), so a concurrent edit comes back as a
// conflict for that one step; the other steps still apply, and running apply again re-plans from there.
import type { FlagResource, FlagState, FlagStateInput } from '@flagstaff/core/admin';
import type { AdminApi } from '../api.js';
import { ServerRefusal } from '../errors.js';
import { STATE_FIELDS, pick } from './document.js';
import { diffFields, type Plan, type PlanStep, sameValue } from './plan.js';

export type OutcomeStatus = 'applied' | 'conflict' | 'failed' | 'skipped';

export interface StepOutcome {
  step: PlanStep;
  status: OutcomeStatus;
  message?: string;
  /** The version after the change. */
  version?: number;
}

const ORDER = { segment: 0, flag: 1, state: 2 } as const;

/** What the flag steps of this apply did to the states that follow them. */
interface Rebase {
  /** States of flags created by this apply start from the state the server gave them, not from the plan. */
  created: Map<string, Record<string, FlagState>>;
  /** `key\nenv` → the version our own definition update moved an unchanged state to. */
  bumped: Map<string, number>;
}

export async function applyPlan(api: AdminApi, plan: Plan, report: (outcome: StepOutcome) => void): Promise<StepOutcome[]> {
  const outcomes: StepOutcome[] = [];
  const rebase: Rebase = { created: new Map(), bumped: new Map() };
  const failedFlags = new Set<string>();
  const pending = plan.steps.filter((step) => step.action !== 'unchanged').sort((a, b) => ORDER[a.resource] - ORDER[b.resource]);

  for (const step of pending) {
    let outcome: StepOutcome;
    if (step.resource === 'state' && failedFlags.has(step.key)) {
      outcome = { step, status: 'skipped', message: `flag ${step.key} was not created or updated` };
    } else {
      try {
        outcome = { step, status: 'applied', version: await applyStep(api, step, plan, rebase) };
      } catch (error) {
        if (!(error instanceof ServerRefusal)) throw error;
        if (step.resource === 'flag') failedFlags.add(step.key);
        outcome = { step, status: error.status === 409 ? 'conflict' : 'failed', message: error.message };
      }
    }
    outcomes.push(outcome);
    report(outcome);
  }
  return outcomes;
}

async function applyStep(api: AdminApi, step: PlanStep, plan: Plan, rebase: Rebase): Promise<number | undefined> {
  switch (step.resource) {
    case 'segment': {
      if (!step.current) return (await api.createSegment(step.env, { key: step.key, ...step.desired })).version;
      const body = { ...pick(step.current, ['name', 'description', 'included', 'excluded', 'rules']), ...step.desired };
      return (await api.putSegment(step.env, step.key, body, step.version!)).version;
    }
    case 'flag': {
      const { environments: _environments, kind, ...definition } = step.desired;
      if (step.action === 'create') {
        const flag = await api.createFlag({ key: step.key, kind: kind ?? 'boolean', ...definition });
        rebase.created.set(step.key, flag.environments);
        return flag.version;
      }
      const patch = Object.fromEntries(step.changes.map((change) => [change.field, change.after]));
      const updated = await api.patchFlag(step.key, patch, step.version);
      noteOwnBumps(plan, updated, rebase.bumped);
      return updated.version;
    }
    case 'state': {
      const fresh = rebase.created.get(step.key)?.[step.env];
      const base: FlagStateInput | undefined = fresh ? pick(fresh, STATE_FIELDS) : undefined;
      const changes = base ? diffFields(base, step.desired, STATE_FIELDS, false) : step.changes;
      const version = fresh?.version ?? rebase.bumped.get(`${step.key}\n${step.env}`) ?? step.version;
      if (!changes.length) return version;
      const patch = Object.fromEntries(changes.map((change) => [change.field, change.after]));
      return (await api.patchFlagState(step.key, step.env, patch, version)).version;
    }
  }
}

/**
 * A definition change that SDKs see (clientSide, seed, variations) bumps the version of the flag's state in
 * every environment (docs/api.md), so the state steps planned from the old versions would refuse themselves.
 * The update answers with the flag and its states: a state whose content is still what the plan read and
 * whose version moved by exactly the one bump of our update (which If-Match pinned to the plan's
 * definition) was moved by us alone, and its step may go on from the new version. Anything else — a state
 * someone edited since the plan — keeps the planned version and so comes back as a conflict.
 */
function noteOwnBumps(plan: Plan, updated: FlagResource, bumped: Map<string, number>): void {
  for (const step of plan.steps) {
    if (step.resource !== 'state' || step.key !== updated.key || !step.current) continue;
    const now = updated.environments[step.env];
    if (!now || now.version !== step.current.version + 1) continue;
    if (sameValue(pick(now, STATE_FIELDS), pick(step.current, STATE_FIELDS))) bumped.set(`${step.key}\n${step.env}`, now.version);
  }
}
