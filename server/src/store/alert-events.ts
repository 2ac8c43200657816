// One accepted alert, one transaction: is it news (alert_states), and if so what it does to flags — the
// kill switch decides that (alerts/kill-switch.ts), inside this write. Senders repeat notifications on
// purpose — Alertmanager every repeat_interval, HA pairs twice — so an alert seen before in the same
// status and occurrence changes nothing, even after a person turned its flag back on.
import { and, eq, lt } from 'drizzle-orm';
import type { Db } from './db.js';
import { requireEnv, type EnvRow } from './environments.js';
import type { Provider } from './hooks.js';
import { latchesHeldBy } from './kill-latches.js';
import type { Actor } from './resources.js';
import { alertStates } from './schema.js';
import type { Tx, Writer } from './write.js';

/** The alert as the receiver normalised it (alerts/alert.ts), as far as deduplication reads it. */
export interface ReceivedAlert {
  name: string;
  status: (typeof alertStates.$inferSelect)['status'];
  fingerprint: string;
  occurrence: string;
  labels: Record<string, string>;
}

export interface AlertInput<Action> {
  hook: { id: string; env: string; provider: Provider };
  actor: Actor;
  alert: ReceivedAlert;
  /** Whether any kill rule reaches a flag: an alert that reaches none and holds none is not remembered. */
  reachesFlags: boolean;
  /** The audit reason: which alert, from where, with its links. */
  reason: string;
  /** What the alert does to flags, run inside this write when the alert is news (alerts/kill-switch.ts). */
  act(tx: Tx, env: EnvRow): Action[];
}

export interface AlertResult<Action> {
  duplicate: boolean;
  actions: Action[];
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

  record<Action>(input: AlertInput<Action>): AlertResult<Action> {
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
      const key = and(
        eq(alertStates.envId, env.id),
        eq(alertStates.provider, hook.provider),
        eq(alertStates.fingerprint, alert.fingerprint),
      );
      const seen = tx.db.select().from(alertStates).where(key).get();
      if (seen && seen.status === alert.status && seen.occurrence === alert.occurrence) return { duplicate: true, actions: [] };
      // An alert that concerns no rule and holds no flag is not remembered: nothing to deduplicate.
      if (!seen && !input.reachesFlags && latchesHeldBy(tx.db, env, alert.fingerprint).length === 0)
        return { duplicate: false, actions: [] };

      const state = { alertName: alert.name, status: alert.status, occurrence: alert.occurrence, hookId: hook.id, updatedAt: tx.now };
      tx.db
        .insert(alertStates)
        .values({ envId: env.id, provider: hook.provider, fingerprint: alert.fingerprint, ...state })
        .onConflictDoUpdate({ target: [alertStates.envId, alertStates.provider, alertStates.fingerprint], set: state })
        .run();

      return { duplicate: false, actions: input.act(tx, env) };
    });
  }
}
