// The seam between kill rules and progressive rollout plans (docs/rollouts.md): a `rollback` kill aborts
// the open plan of (env, flag) inside the kill's own transaction, so a scheduler can never push the flag
// back up after the alert pulled it down.
import { abortPlanFor } from '../store/rollout-plans.js';
import type { Tx } from '../store/write.js';

export interface RolloutPlans {
  /**
   * Stops the open rollout plan of `flagKey` in `env`, if there is one; `reason` goes to its audit entry.
   * Returns what happened ("rollout plan 12 aborted"), or null when there was no plan.
   */
  abortFor(env: string, flagKey: string, reason: string, tx: Tx): string | null;
}

/** The rollout plans of the store (store/rollout-plans.ts). */
export const STORE_ROLLOUT_PLANS: RolloutPlans = {
  abortFor(env, flagKey, reason, tx) {
    const plan = abortPlanFor(tx, env, flagKey, reason);
    return plan ? `rollout plan ${plan.id} aborted (it was at ${plan.percent}%)` : null;
  },
};
