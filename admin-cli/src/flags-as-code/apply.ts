// Carries out a plan: segments first (flag rules may refer to them), then flag definitions, then states.
// Every update is sent with the version the plan saw (If-Match), so a concurrent edit comes back as a
// conflict for that one step; the other steps still apply, and running apply again re-plans from there.
import type { AdminApi, FlagState, FlagStateFields } from '../api.js';
import { ServerRefusal } from '../errors.js';
import { STATE_FIELDS, pick } from './document.js';
import { diffFields, type Plan, type PlanStep } from './plan.js';

export type OutcomeStatus = 'applied' | 'conflict' | 'failed' | 'skipped';

export interface StepOutcome {
  step: PlanStep;
  status: OutcomeStatus;
  message?: string;
  /** The version after the change. */
  version?: number;
}

const ORDER = { segment: 0, flag: 1, state: 2 } as const;

export async function applyPlan(api: AdminApi, plan: Plan, report: (outcome: StepOutcome) => void): Promise<StepOutcome[]> {
  const outcomes: StepOutcome[] = [];
  // States of flags created by this apply start from the state the server gave them, not from the plan.
  const created = new Map<string, Record<string, FlagState>>();
  const failedFlags = new Set<string>();
  const pending = plan.steps.filter((step) => step.action !== 'unchanged').sort((a, b) => ORDER[a.resource] - ORDER[b.resource]);

  for (const step of pending) {
    let outcome: StepOutcome;
    if (step.resource === 'state' && failedFlags.has(step.key)) {
      outcome = { step, status: 'skipped', message: `flag ${step.key} was not created or updated` };
    } else {
      try {
        outcome = { step, status: 'applied', version: await applyStep(api, step, created) };
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

async function applyStep(api: AdminApi, step: PlanStep, created: Map<string, Record<string, FlagState>>): Promise<number | undefined> {
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
        created.set(step.key, flag.environments);
        return flag.version;
      }
      const patch = Object.fromEntries(step.changes.map((change) => [change.field, change.after]));
      return (await api.patchFlag(step.key, patch, step.version)).version;
    }
    case 'state': {
      const fresh = created.get(step.key)?.[step.env];
      const base: FlagStateFields | undefined = fresh ? pick(fresh, STATE_FIELDS) : undefined;
      const changes = base ? diffFields(base, step.desired, STATE_FIELDS, false) : step.changes;
      if (!changes.length) return fresh?.version ?? step.version;
      const patch = Object.fromEntries(changes.map((change) => [change.field, change.after]));
      return (await api.patchFlagState(step.key, step.env, patch, fresh?.version ?? step.version)).version;
    }
  }
}
