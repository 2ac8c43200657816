// What alerts do to flags, inside the transaction of the alert that causes it (alert-events.ts). A kill
// writes the flag state, its audit entry and a stream change exactly like an admin's PATCH, and leaves a
// latch: the state from before and the version the kill produced. The latch is held by the fingerprints
// of the alerts that want the flag off; when the last one resolves, onResolve decides: `keep` leaves the
// flag as it is, `restore` puts back the state from before — only if nobody changed the flag since.
import { and, eq } from 'drizzle-orm';
import type { KillTarget } from '../alerts/kill-rules.js';
import { rolledBack } from '../alerts/rollback.js';
import type { RolloutPlans } from '../alerts/rollout-plans.js';
import type { EnvRow } from './environments.js';
import { sameState, stateInputOf, updateFlagState } from './flag-states.js';
import { findFlag } from './flags.js';
import type { FlagStateInput } from './resources.js';
import { flagStates, killLatches } from './schema.js';
import { toFlagState, type FlagRow, type FlagStateRow } from './wire.js';
import type { Tx } from './write.js';

export type Outcome =
  | 'off' // the flag was switched off
  | 'rolled_back' // its rollouts went to 0%
  | 'unchanged' // it already was as the action would leave it
  | 'held' // an earlier alert's kill still holds it: this alert holds it too
  | 'skipped' // the flag cannot be acted on (missing, archived)
  | 'still_held' // resolved, but other firing alerts still hold the flag
  | 'kept' // resolved; onResolve=keep, or restore refused
  | 'restored'; // resolved; the state from before is back

export interface ActionOutcome {
  flag: string;
  outcome: Outcome;
  rule?: string;
  detail?: string;
}

export interface KillContext {
  tx: Tx;
  env: EnvRow;
  fingerprint: string;
  plans: RolloutPlans;
  /** The audit reason of the whole write: which alert, from where, with its links. */
  reason: string;
}

type LatchRow = typeof killLatches.$inferSelect;

function stateOf(tx: Tx, flag: FlagRow, env: EnvRow): FlagStateRow | undefined {
  return tx.db
    .select()
    .from(flagStates)
    .where(and(eq(flagStates.flagId, flag.id), eq(flagStates.envId, env.id)))
    .get();
}

function latchOf(tx: Tx, env: EnvRow, flagKey: string): LatchRow | undefined {
  return tx.db
    .select()
    .from(killLatches)
    .where(and(eq(killLatches.envId, env.id), eq(killLatches.flagKey, flagKey)))
    .get();
}

/** Acts on one flag for one firing alert. */
export function killFlag(ctx: KillContext, { flag: flagKey, rule }: KillTarget): ActionOutcome {
  const { tx, env } = ctx;
  const base = { flag: flagKey, rule: rule.id };
  const flag = findFlag(tx.db, flagKey);
  if (!flag) return { ...base, outcome: 'skipped', detail: `no flag "${flagKey}"` };
  if (flag.archived) return { ...base, outcome: 'skipped', detail: `flag "${flagKey}" is archived` };
  const current = stateOf(tx, flag, env)!;
  const plan = rule.action === 'rollback' ? ctx.plans.abortFor(env.key, flag.key, ctx.reason, tx) : null;
  const withPlan = (detail?: string) => ({ ...(detail || plan ? { detail: [detail, plan].filter(Boolean).join('; ') } : {}) });

  const latch = latchOf(tx, env, flag.key);
  if (latch && latch.killedVersion === current.version) {
    // Killed by an earlier alert and untouched since: this alert holds it too, nothing is written twice.
    if (!latch.holders.includes(ctx.fingerprint)) {
      tx.db
        .update(killLatches)
        .set({ holders: [...latch.holders, ctx.fingerprint] })
        .where(and(eq(killLatches.envId, env.id), eq(killLatches.flagKey, flag.key)))
        .run();
    }
    return { ...base, outcome: 'held', ...withPlan(`already ${latch.action === 'off' ? 'off' : 'rolled back'} by an earlier alert`) };
  }

  const before = stateInputOf(current);
  const next = rule.action === 'off' ? { ...before, on: false } : rolledBack(before);
  if (sameState(before, next)) return { ...base, outcome: 'unchanged', ...withPlan() };

  // The same write an admin PATCH makes: validated as SDKs will get it, versioned, streamed, audited.
  const updated = updateFlagState(tx, flag.key, env.key, () => next, current.version, rule.action === 'off' ? 'flag_state.kill' : 'flag_state.rollback');
  const latchValues = {
    ruleId: rule.id,
    action: rule.action,
    onResolve: rule.onResolve,
    before,
    killedVersion: updated.version,
    holders: [ctx.fingerprint],
    createdAt: tx.now,
  };
  // A latch whose version no longer matches was overtaken by a person's change: this kill starts afresh.
  tx.db
    .insert(killLatches)
    .values({ envId: env.id, flagKey: flag.key, ...latchValues })
    .onConflictDoUpdate({ target: [killLatches.envId, killLatches.flagKey], set: latchValues })
    .run();
  return { ...base, outcome: rule.action === 'off' ? 'off' : 'rolled_back', ...withPlan() };
}

/** A resolved alert lets go of every flag it holds; a flag nobody holds any more is kept or restored. */
export function releaseFlags(ctx: KillContext): ActionOutcome[] {
  const { tx, env, fingerprint } = ctx;
  const held = tx.db
    .select()
    .from(killLatches)
    .where(eq(killLatches.envId, env.id))
    .all()
    .filter((latch) => latch.holders.includes(fingerprint));
  return held.map((latch) => release(ctx, latch));
}

function release(ctx: KillContext, latch: LatchRow): ActionOutcome {
  const { tx, env, fingerprint } = ctx;
  const base = { flag: latch.flagKey, rule: latch.ruleId };
  const where = and(eq(killLatches.envId, env.id), eq(killLatches.flagKey, latch.flagKey));
  const holders = latch.holders.filter((h) => h !== fingerprint);
  if (holders.length > 0) {
    tx.db.update(killLatches).set({ holders }).where(where).run();
    return { ...base, outcome: 'still_held', detail: `${holders.length} other firing alert(s) still hold it` };
  }
  tx.db.delete(killLatches).where(where).run();

  const flag = findFlag(tx.db, latch.flagKey);
  const current = flag && !flag.archived ? stateOf(tx, flag, env) : undefined;
  const keep = (action: string, why: string): ActionOutcome => {
    // Nothing changes, so before and after are the same state; the reason says why it stays.
    const unchanged = current ? toFlagState(current) : undefined;
    tx.audit({
      action,
      env: env.key,
      resource: { kind: 'flag', key: latch.flagKey },
      ...(unchanged ? { before: unchanged, after: unchanged } : {}),
      reason: `${ctx.reason}: kept, ${why}`,
    });
    return { ...base, outcome: 'kept', detail: why };
  };
  if (latch.onResolve === 'keep') {
    return keep('kill.resolved', 'onResolve is keep: the flag stays as the alert left it until a person changes it');
  }
  if (!flag || !current) return keep('kill.restore_refused', `flag "${latch.flagKey}" no longer exists or is archived`);
  if (current.version !== latch.killedVersion) {
    return keep(
      'kill.restore_refused',
      `the flag was changed after the kill (version ${latch.killedVersion} → ${current.version}): a person's change is never overwritten`,
    );
  }
  updateFlagState(tx, flag.key, env.key, () => latch.before as FlagStateInput, current.version, 'flag_state.restore');
  return { ...base, outcome: 'restored' };
}
