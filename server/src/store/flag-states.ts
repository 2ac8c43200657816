// A flag's state in one environment: on/off, targets, rules, fallthrough, offVariation.
import { and, eq } from 'drizzle-orm';
import { validateFlag } from '@flagstaff/core';
import { notFound, validationFailed } from '../errors.js';
import type { Db } from './db.js';
import { requireEnv } from './environments.js';
import { flagValidation, refuseArchived, requireFlag } from './flags.js';
import type { FlagState, FlagStateInput, WriteMeta } from './resources.js';
import { flagStates } from './schema.js';
import { toFlagState, toWireFlag, type FlagStateRow } from './wire.js';
import { checkVersion, type Tx, type Writer } from './write.js';

const STATE_FIELDS = ['on', 'offVariation', 'targets', 'rules', 'fallthrough'] as const;

/** The fields of a stored state that a write may change. */
export const stateInputOf = (row: FlagStateInput): FlagStateInput => ({
  on: row.on,
  offVariation: row.offVariation,
  targets: row.targets,
  rules: row.rules,
  fallthrough: row.fallthrough,
});

/** Whether two states would serve alike: every changeable field equal. */
export const sameState = (a: FlagStateInput, b: FlagStateInput): boolean =>
  STATE_FIELDS.every((field) => JSON.stringify(a[field]) === JSON.stringify(b[field]));

function requireState(db: Db, flagId: number, envId: number, what: string): FlagStateRow {
  const row = db
    .select()
    .from(flagStates)
    .where(and(eq(flagStates.flagId, flagId), eq(flagStates.envId, envId)))
    .get();
  if (!row) throw notFound(what);
  return row;
}

export class FlagStateStore {
  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
  ) {}

  get(flagKey: string, envKey: string): FlagState {
    const flag = requireFlag(this.db, flagKey);
    const env = requireEnv(this.db, envKey);
    return toFlagState(requireState(this.db, flag.id, env.id, `state of flag "${flagKey}" in "${envKey}"`));
  }

  /** Replaces the whole state (PUT). */
  replace(flagKey: string, envKey: string, input: FlagStateInput, meta: WriteMeta): FlagState {
    return this.update(flagKey, envKey, () => input, meta);
  }

  /** Changes some fields (PATCH): the kill switch, `flagstaff on|off|rollout`. */
  patch(flagKey: string, envKey: string, fields: Partial<FlagStateInput>, meta: WriteMeta): FlagState {
    return this.update(flagKey, envKey, (current) => ({ ...current, ...fields }), meta);
  }

  private update(flagKey: string, envKey: string, next: (current: FlagStateInput) => FlagStateInput, meta: WriteMeta): FlagState {
    return this.writer.write(meta, (tx) => updateFlagState(tx, flagKey, envKey, next, meta.ifMatch));
  }
}

/**
 * The one way a flag state changes, inside a write transaction that may hold more (a rollout plan's step,
 * a kill rule's rollback): validated as SDKs will see it, audited, versions bumped, published after COMMIT.
 * Setting what is already there changes nothing: no version bump, no audit entry, no stream event.
 */
export function updateFlagState(
  tx: Tx,
  flagKey: string,
  envKey: string,
  next: (current: FlagStateInput) => FlagStateInput,
  ifMatch?: number,
  /** The audit action: an alert's kill or restore names itself (`flag_state.kill`, …). */
  action = 'flag_state.update',
): FlagState {
  const flag = requireFlag(tx.db, flagKey);
  const env = requireEnv(tx.db, envKey);
  refuseArchived(flag);
  const current = requireState(tx.db, flag.id, env.id, `state of flag "${flagKey}" in "${envKey}"`);
  checkVersion(current.version, ifMatch, `flag "${flagKey}" in ${envKey}`);

  // The state is validated as SDKs will receive it: the whole wire flag, against this env's segments.
  const proposed = toWireFlag(flag, { ...next(stateInputOf(current)), version: current.version + 1 });
  const checked = validateFlag(proposed, flagValidation(tx.db, env.id, proposed.clientSide));
  if (!checked.ok) throw validationFailed(checked.issues);
  const state = stateInputOf(checked.value);
  if (sameState(state, current)) return toFlagState(current);

  const updated = tx.db
    .update(flagStates)
    .set({ ...state, version: current.version + 1, updatedAt: tx.now })
    .where(and(eq(flagStates.flagId, flag.id), eq(flagStates.envId, env.id)))
    .returning()
    .get()!;
  tx.change(env, 'flag', flag.key, toWireFlag(flag, updated));
  tx.audit({
    action,
    env: env.key,
    resource: { kind: 'flag', key: flag.key },
    before: toFlagState(current),
    after: toFlagState(updated),
  });
  return toFlagState(updated);
}
