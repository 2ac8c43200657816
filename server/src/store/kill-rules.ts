// Kill rules (alerts/kill-rules.ts decides what they match): created and deleted through the admin API,
// read on every alert, oldest first — the order in which rules win when several reach one flag.
import { randomBytes } from 'node:crypto';
import { and, asc, eq } from 'drizzle-orm';
import type { KillRule, NewKillRule } from '@flagstaff/core/admin';
import { notFound, validationFailed } from '../errors.js';
import type { Db } from './db.js';
import { requireEnv } from './environments.js';
import { findFlag } from './flags.js';
import { iso, type WriteMeta } from './resources.js';
import { killRules } from './schema.js';
import type { Writer } from './write.js';

type Row = typeof killRules.$inferSelect;

const toKillRule = (row: Row, env: string): KillRule => ({
  id: row.id,
  env,
  alert: row.alertName,
  matchers: row.matchers,
  ...(row.flagKey !== null ? { flag: row.flagKey } : {}),
  ...(row.flagLabel !== null ? { flagLabel: row.flagLabel } : {}),
  action: row.action,
  onResolve: row.onResolve,
  createdAt: iso(row.createdAt),
});

export class KillRuleStore {
  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
  ) {}

  create(envKey: string, input: NewKillRule, meta: WriteMeta): KillRule {
    if ((input.flag === undefined) === (input.flagLabel === undefined)) {
      throw validationFailed([
        { path: 'flag', message: 'give exactly one of flag (a flag key) and flagLabel (an alert label naming the flag)' },
      ]);
    }
    return this.writer.write(meta, (tx) => {
      const env = requireEnv(tx.db, envKey);
      // A rule naming a flag that does not exist would fire into nothing when it matters: refuse it now.
      if (input.flag !== undefined && !findFlag(tx.db, input.flag)) throw notFound(`flag "${input.flag}"`);
      const row = tx.db
        .insert(killRules)
        .values({
          id: `kr_${randomBytes(6).toString('hex')}`,
          envId: env.id,
          alertName: input.alert,
          matchers: input.matchers ?? [],
          flagKey: input.flag ?? null,
          flagLabel: input.flagLabel ?? null,
          action: input.action ?? 'off',
          onResolve: input.onResolve ?? 'keep',
          createdAt: tx.now,
        })
        .returning()
        .get();
      const rule = toKillRule(row, env.key);
      tx.audit({ action: 'kill_rule.create', env: env.key, resource: { kind: 'kill_rule', key: rule.id }, after: rule });
      return rule;
    });
  }

  /** Oldest first. */
  list(envKey: string, db: Db = this.db): KillRule[] {
    const env = requireEnv(db, envKey);
    return db
      .select()
      .from(killRules)
      .where(eq(killRules.envId, env.id))
      .orderBy(asc(killRules.createdAt), asc(killRules.id))
      .all()
      .map((row) => toKillRule(row, env.key));
  }

  get(envKey: string, id: string): KillRule {
    const env = requireEnv(this.db, envKey);
    const row = this.db
      .select()
      .from(killRules)
      .where(and(eq(killRules.envId, env.id), eq(killRules.id, id)))
      .get();
    if (!row) throw notFound(`kill rule "${id}" in ${envKey}`);
    return toKillRule(row, env.key);
  }

  /** Flags it already switched off stay off: deleting a rule is not undoing what it did. */
  delete(envKey: string, id: string, meta: WriteMeta): void {
    this.writer.write(meta, (tx) => {
      const rule = this.get(envKey, id);
      tx.db.delete(killRules).where(eq(killRules.id, id)).run();
      tx.audit({ action: 'kill_rule.delete', env: rule.env, resource: { kind: 'kill_rule', key: id }, before: rule });
    });
  }
}
