// The kill switch's decisions: what an alert does to a flag, inside the transaction of the alert that
// causes it (store/alert-events.ts runs it; the rows are store/kill-latches.ts's). A kill writes the flag
// state, its audit entry and a stream change exactly like an admin's PATCH, and leaves a latch: the state
// from before and the version the kill produced. The latch is held by the fingerprints of the alerts that
// want the flag off; when the last one resolves, onResolve decides: `keep` leaves the flag as it is,
// `restore` puts back the state from before — only if nobody changed the flag since.
import type { EnvRow } from '../store/environments.js';
import { sameState, stateInputOf, updateFlagState } from '../store/flag-states.js';
import { findFlag } from '../store/flags.js';
import { dropLatch, flagStateOf, latchesHeldBy, latchOf, putLatch, setHolders, type KillLatch } from '../store/kill-latches.js';
import type { FlagStateInput } from '../store/resources.js';
import { toFlagState } from '../store/wire.js';
import type { Tx } from '../store/write.js';
import type { AlertStatus } from './alert.js';
import type { KillTarget } from './kill-rules.js';
import { rolledBack } from './rollback.js';
import type { RolloutPlans } from './rollout-plans.js';

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

/** What one alert does to flags: a firing one acts on its targets, a resolved one lets go of what it holds. */
export function actOnAlert(ctx: KillContext, status: AlertStatus, targets: readonly KillTarget[]): ActionOutcome[] {
  return status === 'firing' ? targets.map((target) => killFlag(ctx, target)) : releaseFlags(ctx);
}

/** Acts on one flag for one firing alert. */
export function killFlag(ctx: KillContext, { flag: flagKey, rule }: KillTarget): ActionOutcome {
  const { tx, env } = ctx;
  const base = { flag: flagKey, rule: rule.id };
  const flag = findFlag(tx.db, flagKey);
  if (!flag) return { ...base, outcome: 'skipped', detail: `no flag "${flagKey}"` };
  if (flag.archived) return { ...base, outcome: 'skipped', detail: `flag "${flagKey}" is archived` };
  const current = flagStateOf(tx.db, flag, env)!;
  const plan = rule.action === 'rollback' ? ctx.plans.abortFor(env.key, flag.key, ctx.reason, tx) : null;
  const withPlan = (detail?: string) => ({ ...(detail || plan ? { detail: [detail, plan].filter(Boolean).join('; ') } : {}) });

  const latch = latchOf(tx.db, env, flag.key);
  if (latch && latch.killedVersion === current.version) {
    // Killed by an earlier alert and untouched since: this alert holds it too, nothing is written twice.
    if (!latch.holders.includes(ctx.fingerprint)) setHolders(tx.db, env, flag.key, [...latch.holders, ctx.fingerprint]);
    return { ...base, outcome: 'held', ...withPlan(`already ${latch.action === 'off' ? 'off' : 'rolled back'} by an earlier alert`) };
  }

  const before = stateInputOf(current);
  const next = rule.action === 'off' ? { ...before, on: false } : rolledBack(before);
  if (sameState(before, next)) return { ...base, outcome: 'unchanged', ...withPlan() };

  // The same write an admin PATCH makes: validated as SDKs will get it, versioned, streamed, audited.
  const updated = updateFlagState(
    tx,
    flag.key,
    env.key,
    () => next,
    current.version,
    rule.action === 'off' ? 'flag_state.kill' : 'flag_state.rollback',
  );
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
  putLatch(tx.db, env, flag.key, latchValues);
  return { ...base, outcome: rule.action === 'off' ? 'off' : 'rolled_back', ...withPlan() };
}

/** A resolved alert lets go of every flag it holds; a flag nobody holds any more is kept or restored. */
export function releaseFlags(ctx: KillContext): ActionOutcome[] {
  const { tx, env, fingerprint } = ctx;
  return latchesHeldBy(tx.db, env, fingerprint).map((latch) => release(ctx, latch));
}

function release(ctx: KillContext, latch: KillLatch): ActionOutcome {
  const { tx, env, fingerprint } = ctx;
  const base = { flag: latch.flagKey, rule: latch.ruleId };
  const holders = latch.holders.filter((h) => h !== fingerprint);
  if (holders.length > 0) {
    setHolders(tx.db, env, latch.flagKey, holders);
    return { ...base, outcome: 'still_held', detail: `${holders.length} other firing alert(s) still hold it` };
  }
  dropLatch(tx.db, env, latch.flagKey);

  const flag = findFlag(tx.db, latch.flagKey);
  const current = flag && !flag.archived ? flagStateOf(tx.db, flag, env) : undefined;
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
