// One accepted alert, one transaction: is it news (alert_states), and if so what it does to flags
// (kill-latches.ts). Senders repeat notifications on purpose — Alertmanager every repeat_interval, HA
// pairs twice — so an alert seen before in the same status and occurrence changes nothing, even after a
// person turned its flag back on.
import { and, eq, lt } from 'drizzle-orm';
import type { NormalisedAlert, Provider } from '../alerts/alert.js';
import type { KillTarget } from '../alerts/kill-rules.js';
import type { RolloutPlans } from '../alerts/rollout-plans.js';
import type { Db } from './db.js';
import { requireEnv } from './environments.js';
import { killFlag, releaseFlags, type ActionOutcome } from './kill-latches.js';
import type { Actor } from './resources.js';
import { alertStates, killLatches } from './schema.js';
import type { Writer } from './write.js';

export interface AlertInput {
  hook: { id: string; env: string; provider: Provider };
  actor: Actor;
  alert: NormalisedAlert;
  targets: KillTarget[];
  plans: RolloutPlans;
  /** The audit reason: which alert, from where, with its links. */
  reason: string;
}

export interface AlertResult {
  duplicate: boolean;
  actions: ActionOutcome[];
}

/**
 * Resolved alerts are remembered this long, then forgotten: a resolved alert holds no flag, and senders
 * stop repeating a resolution within minutes (Alertmanager sends it once per group interval). Firing ones
 * stay, however old: forgetting one would let its next repeat switch its flags off again.
 */
export const RESOLVED_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

export class AlertEventStore {
  #prunedAt = 0;

  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
  ) {}

  record(input: AlertInput): AlertResult {
    const { hook, alert } = input;
    return this.writer.write({ actor: input.actor, reason: input.reason }, (tx) => {
      if (tx.now - this.#prunedAt >= PRUNE_EVERY_MS) {
        this.#prunedAt = tx.now;
        tx.db
          .delete(alertStates)
          .where(and(eq(alertStates.status, 'resolved'), lt(alertStates.updatedAt, tx.now - RESOLVED_RETENTION_MS)))
          .run();
      }
      const env = requireEnv(tx.db, hook.env);
      const key = and(eq(alertStates.envId, env.id), eq(alertStates.provider, hook.provider), eq(alertStates.fingerprint, alert.fingerprint));
      const seen = tx.db.select().from(alertStates).where(key).get();
      if (seen && seen.status === alert.status && seen.occurrence === alert.occurrence) return { duplicate: true, actions: [] };
      // An alert that concerns no rule and holds no flag is not remembered: nothing to deduplicate.
      if (!seen && input.targets.length === 0 && !this.holdsAny(tx.db, env.id, alert.fingerprint)) return { duplicate: false, actions: [] };

      const state = { alertName: alert.name, status: alert.status, occurrence: alert.occurrence, hookId: hook.id, updatedAt: tx.now };
      tx.db
        .insert(alertStates)
        .values({ envId: env.id, provider: hook.provider, fingerprint: alert.fingerprint, ...state })
        .onConflictDoUpdate({ target: [alertStates.envId, alertStates.provider, alertStates.fingerprint], set: state })
        .run();

      const ctx = { tx, env, fingerprint: alert.fingerprint, plans: input.plans, reason: input.reason };
      const actions = alert.status === 'firing' ? input.targets.map((target) => killFlag(ctx, target)) : releaseFlags(ctx);
      return { duplicate: false, actions };
    });
  }

  private holdsAny(db: Db, envId: number, fingerprint: string): boolean {
    return db
      .select({ holders: killLatches.holders })
      .from(killLatches)
      .where(eq(killLatches.envId, envId))
      .all()
      .some((latch) => latch.holders.includes(fingerprint));
  }
}
