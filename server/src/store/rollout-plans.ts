// Rollout plans' rows (docs/rollouts.md): the reads the API and the scheduler need, the history a plan
// reads to see what others did to its flag, and the write transaction that tells the scheduler a schedule
// may have moved. Only SQL and transactions: when a plan steps, waits or pauses is rollout/plans.ts's to
// decide, and its step changes the flag state in the same transaction as the plan row, so the two never
// disagree, whatever crashes when.
import { and, asc, desc, eq, inArray, isNotNull, isNull, lte, notLike, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from './db.js';
import { requireEnv } from './environments.js';
import { requireFlag } from './flags.js';
import type { Actor, WriteMeta } from './resources.js';
import {
  flagStateRow,
  OPEN_STATES,
  openPlanOf,
  requirePlan,
  selectPlans,
  setPlanState,
  toPlan,
  type FoundPlan,
  type PlanState,
  type RolloutPlan,
} from './rollout-plan-rows.js';
import { auditLog, environments, flags, rolloutPlans } from './schema.js';
import type { Tx, Writer } from './write.js';

export interface PlanQuery {
  env?: string;
  flag?: string;
  state?: PlanState;
}

/** One audited change of a flag's state, as the audit log holds it. */
export interface AuditedStateChange {
  actor: string;
  before: unknown;
  after: unknown;
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

  /** Plan `id` with its environment and flag, as committed now (outside any write). */
  find(id: number): FoundPlan {
    return requirePlan(this.db, id);
  }

  /** The state row of the plan's flag in its environment, as committed now. */
  flagState({ flag, env }: Pick<FoundPlan, 'flag' | 'env'>) {
    return flagStateRow(this.db, flag.id, env.id);
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
    const found = selectPlans(
      this.db,
      and(eq(environments.key, env), eq(flags.key, flagKey), inArray(rolloutPlans.state, OPEN_STATES)),
    ).get();
    return found?.plan.id;
  }

  /**
   * The audited changes to this flag's state in `env` that produced a version after `flagVersion`, oldest
   * first: what happened to the flag since a plan last wrote it. A plan's own entries are filed under its
   * flag too; their `after` is a plan, not a flag state, so they are left out.
   */
  stateChangesSince(env: string, flagKey: string, flagVersion: number): AuditedStateChange[] {
    return this.db
      .select({ actor: auditLog.actorName, before: auditLog.before, after: auditLog.after })
      .from(auditLog)
      .where(
        and(
          eq(auditLog.env, env),
          eq(auditLog.resourceKind, 'flag'),
          eq(auditLog.resourceKey, flagKey),
          notLike(auditLog.action, 'rollout_plan.%'),
          sql`json_extract(${auditLog.after}, '$.version') > ${flagVersion}`,
        ),
      )
      .orderBy(asc(auditLog.id))
      .all();
  }

  /** Who last changed this flag in this environment, other than a rollout plan (`rollout-plan:<id>`). */
  lastChangeBy(env: string, flagKey: string): Actor | undefined {
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
  write<T>(meta: WriteMeta, fn: (tx: Tx) => T): T {
    return this.writer.write(meta, (tx) => {
      tx.afterCommit(() => {
        for (const listener of this.#listeners) listener();
      });
      return fn(tx);
    });
  }
}
