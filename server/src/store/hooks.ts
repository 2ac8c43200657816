// Alert webhook receivers (docs/alerts.md). A hook's secret (`fsh_…`) is shown once, at creation; the
// table keeps its SHA-256, and — for HMAC hooks only — the secret itself, because checking a signature
// needs the key (docs/decisions/001-hook-signing-secrets.md).
import { randomBytes } from 'node:crypto';
import { and, asc, eq, type SQL } from 'drizzle-orm';
import type { HookAuth, HookInfo, HookProvider, NewHook } from '@flagstaff/core/admin';
import { notFound } from '../errors.js';
import { generateSecret, hashSecret, hintOf } from '../secrets.js';
import type { Db } from './db.js';
import { requireEnv } from './environments.js';
import { iso, isoOrNull, type WriteMeta } from './resources.js';
import { alertHooks, environments } from './schema.js';
import type { Writer } from './write.js';

type Row = typeof alertHooks.$inferSelect;

/** Who sends to a hook (alerts/ knows what each provider can do). */
export type Provider = HookProvider;

/** What the receiver needs to authenticate a request and act in the hook's environment. */
export interface HookRecord {
  id: string;
  auth: HookAuth;
  /** SHA-256 of the secret. */
  secretHash: Buffer;
  /** The secret itself, kept only by HMAC hooks. */
  signingSecret: string | null;
  env: string;
  provider: HookProvider;
  name: string;
  revoked: boolean;
}

/** A new hook as the store takes it: its auth already decided by the caller (alerts/providers.ts, hookAuth). */
export interface CreateHookInput extends NewHook {
  auth: HookAuth;
}

const toHookInfo = (row: Row, env: string): HookInfo => ({
  id: row.id,
  env,
  provider: row.provider,
  name: row.name,
  auth: row.auth,
  hint: row.hint,
  createdAt: iso(row.createdAt),
  lastUsedAt: isoOrNull(row.lastUsedAt),
  revokedAt: isoOrNull(row.revokedAt),
});

/** last-used times are written at most once a minute per hook, like keys'. */
const LAST_USED_RESOLUTION_MS = 60_000;

export class HookStore {
  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
    private readonly clock: () => number,
  ) {}

  create(envKey: string, input: CreateHookInput, meta: WriteMeta): { info: HookInfo; secret: string } {
    const { auth } = input;
    const secret = generateSecret('hook');
    return this.writer.write(meta, (tx) => {
      const env = requireEnv(tx.db, envKey);
      const row = tx.db
        .insert(alertHooks)
        .values({
          id: `hook_${randomBytes(6).toString('hex')}`,
          envId: env.id,
          provider: input.provider,
          name: input.name ?? `${input.provider} hook`,
          auth,
          secretHash: hashSecret(secret).toString('hex'),
          signingSecret: auth === 'hmac' ? secret : null,
          hint: hintOf(secret),
          createdAt: tx.now,
        })
        .returning()
        .get();
      const info = toHookInfo(row, env.key);
      tx.audit({ action: 'hook.create', env: env.key, resource: { kind: 'hook', key: row.id }, after: info });
      return { info, secret };
    });
  }

  list(envKey: string): HookInfo[] {
    const env = requireEnv(this.db, envKey);
    return this.db
      .select()
      .from(alertHooks)
      .where(eq(alertHooks.envId, env.id))
      .orderBy(asc(alertHooks.createdAt), asc(alertHooks.id))
      .all()
      .map((row) => toHookInfo(row, env.key));
  }

  revoke(envKey: string, id: string, meta: WriteMeta): HookInfo {
    return this.writer.write(meta, (tx) => {
      const env = requireEnv(tx.db, envKey);
      const row = tx.db
        .select()
        .from(alertHooks)
        .where(and(eq(alertHooks.id, id), eq(alertHooks.envId, env.id)))
        .get();
      if (!row) throw notFound(`hook "${id}" in ${envKey}`);
      if (row.revokedAt !== null) return toHookInfo(row, env.key);
      const revoked = tx.db.update(alertHooks).set({ revokedAt: tx.now }).where(eq(alertHooks.id, id)).returning().get()!;
      tx.audit({
        action: 'hook.revoke',
        env: env.key,
        resource: { kind: 'hook', key: id },
        before: toHookInfo(row, env.key),
        after: toHookInfo(revoked, env.key),
      });
      return toHookInfo(revoked, env.key);
    });
  }

  /**
   * A refused webhook request, in the audit log: which hook it claimed to be and why it was refused — never
   * what it presented as a secret.
   */
  recordRejection(attempt: { provider: string; hookId?: string; env?: string; status: number; why: string }): void {
    const key = attempt.hookId ?? 'unknown';
    this.writer.write({ actor: { kind: 'hook', id: key, name: `${attempt.provider} webhook` } }, (tx) => {
      tx.audit({
        action: 'hook.rejected',
        ...(attempt.env ? { env: attempt.env } : {}),
        resource: { kind: 'hook', key },
        after: { provider: attempt.provider, status: attempt.status, why: attempt.why },
      });
    });
  }

  byId(id: string): HookRecord | undefined {
    return this.#record(eq(alertHooks.id, id));
  }

  /** For requests to the id-less URL: the hook whose secret this is (bearer hooks only can be found so). */
  bySecret(secret: string): HookRecord | undefined {
    return this.#record(eq(alertHooks.secretHash, hashSecret(secret).toString('hex')));
  }

  /** Records that a hook was used, at most once a minute per hook: a busy alerting system must not turn every request into a write. */
  touch(id: string): void {
    if (this.writer.lost !== null) return;
    const now = this.clock();
    if (now - (this.#touched.get(id) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    this.#touched.set(id, now);
    this.db.update(alertHooks).set({ lastUsedAt: now }).where(eq(alertHooks.id, id)).run();
  }

  readonly #touched = new Map<string, number>();

  #record(where: SQL): HookRecord | undefined {
    const found = this.db
      .select({ hook: alertHooks, env: environments.key })
      .from(alertHooks)
      .innerJoin(environments, eq(environments.id, alertHooks.envId))
      .where(where)
      .get();
    if (!found) return undefined;
    const { hook, env } = found;
    return {
      id: hook.id,
      env,
      provider: hook.provider,
      name: hook.name,
      auth: hook.auth,
      secretHash: Buffer.from(hook.secretHash, 'hex'),
      signingSecret: hook.signingSecret,
      revoked: hook.revokedAt !== null,
    };
  }
}
