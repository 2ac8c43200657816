// Flag definitions (key, kind, variations, description, tags…), shared by every environment.
import { and, asc, eq, sql, type SQL } from 'drizzle-orm';
import { validateFlag, type FlagValidationOptions, type SegmentRule } from '@flagstaff/core';
import { clientPatternProblem } from '../client-patterns.js';
import { ApiError, notFound, validationFailed, type Issue } from '../errors.js';
import type { Db } from './db.js';
import { allEnvs, requireEnv } from './environments.js';
import type { FlagPatch, FlagResource, FlagState, NewFlag, WriteMeta } from './resources.js';
import { environments, flagStates, flags, segments } from './schema.js';
import { defaultState, toFlagResource, toFlagState, toWireFlag, type FlagRow } from './wire.js';
import { checkVersion, type Tx, type Writer } from './write.js';

export interface FlagListQuery {
  env?: string;
  tag?: string;
  q?: string;
  archived: 'false' | 'true' | 'all';
}

/** The fields SDKs see: changing one of them is a change in every environment. */
const WIRE_FIELDS = ['variations', 'clientSide', 'seed'] as const;

export function findFlag(db: Db, key: string): FlagRow | undefined {
  return db.select().from(flags).where(eq(flags.key, key)).get();
}

export function requireFlag(db: Db, key: string): FlagRow {
  const row = findFlag(db, key);
  if (!row) throw notFound(`flag "${key}"`);
  return row;
}

export function refuseArchived(row: FlagRow): void {
  if (row.archived) throw new ApiError('archived', `flag "${row.key}" is archived: unarchive it before changing it`);
}

export function segmentKeysOf(db: Db, envId: number): Set<string> {
  return new Set(
    db
      .select({ key: segments.key })
      .from(segments)
      .where(eq(segments.envId, envId))
      .all()
      .map((r) => r.key),
  );
}

/**
 * How a flag is validated in one environment: against its segments; when client-side, with its patterns and
 * theirs checked fit for browsers (client-patterns.ts).
 */
export function flagValidation(db: Db, envId: number, clientSide: boolean): FlagValidationOptions {
  if (!clientSide) return { segmentKeys: segmentKeysOf(db, envId) };
  const rows = db.select({ key: segments.key, rules: segments.rules }).from(segments).where(eq(segments.envId, envId)).all();
  const byKey = new Map<string, { rules: SegmentRule[] }>(rows.map((r) => [r.key, { rules: r.rules }]));
  return { segmentKeys: new Set(byKey.keys()), segments: byKey, clientPatternProblem };
}

/** A flag's definition as the audit log records it (its states are audited on their own). */
const definitionOf = (row: FlagRow) => {
  const { environments: _states, ...definition } = toFlagResource(row, {});
  return definition;
};

/** SQLite LIKE pattern matching `text` anywhere, with `%`, `_` and `\` taken literally. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export class FlagStore {
  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
  ) {}

  list(query: FlagListQuery): FlagResource[] {
    const env = query.env === undefined ? undefined : requireEnv(this.db, query.env).id;
    const where: SQL[] = [];
    if (query.archived !== 'all') where.push(eq(flags.archived, query.archived === 'true'));
    if (query.tag !== undefined) where.push(sql`EXISTS (SELECT 1 FROM json_each(${flags.tags}) WHERE value = ${query.tag})`);
    if (query.q !== undefined) {
      const pattern = containing(query.q);
      where.push(
        sql`(${flags.key} LIKE ${pattern} ESCAPE '\\' OR ${flags.name} LIKE ${pattern} ESCAPE '\\' OR ${flags.description} LIKE ${pattern} ESCAPE '\\')`,
      );
    }
    const rows = this.db
      .select()
      .from(flags)
      .where(and(...where))
      .orderBy(asc(flags.key))
      .all();
    const states = this.statesByFlag(this.db, env);
    return rows.map((row) => toFlagResource(row, states.get(row.id) ?? {}));
  }

  get(key: string, db: Db = this.db): FlagResource {
    const row = requireFlag(db, key);
    return toFlagResource(row, this.statesByFlag(db, undefined, row.id).get(row.id) ?? {});
  }

  create(input: NewFlag, meta: WriteMeta): FlagResource {
    return this.writer.write(meta, (tx) => {
      if (findFlag(tx.db, input.key)) throw new ApiError('already_exists', `flag "${input.key}" already exists`);
      const kind = input.kind ?? 'boolean';
      const variations = input.variations ?? (kind === 'boolean' ? [false, true] : undefined);
      if (variations === undefined) {
        throw validationFailed([{ path: 'variations', message: `a ${kind} flag needs its variations, e.g. ["a", "b"]` }]);
      }
      const definition = { key: input.key, kind, variations, clientSide: input.clientSide ?? false, seed: input.seed ?? null };
      const state = defaultState(kind);
      const checked = validateFlag(toWireFlag(definition, { version: 1, ...state }), { clientPatternProblem });
      if (!checked.ok) throw validationFailed(checked.issues);

      const row = tx.db
        .insert(flags)
        .values({
          ...definition,
          name: input.name ?? input.key,
          description: input.description ?? '',
          tags: input.tags ?? [],
          version: 1,
          createdAt: tx.now,
          updatedAt: tx.now,
        })
        .returning()
        .get();
      const states: Record<string, FlagState> = {};
      for (const env of allEnvs(tx.db)) {
        const stateRow = tx.db
          .insert(flagStates)
          .values({ flagId: row.id, envId: env.id, version: 1, updatedAt: tx.now, ...state })
          .returning()
          .get();
        states[env.key] = toFlagState(stateRow);
        tx.change(env, 'flag', row.key, toWireFlag(row, stateRow));
      }
      tx.audit({ action: 'flag.create', resource: { kind: 'flag', key: row.key }, after: definitionOf(row) });
      return toFlagResource(row, states);
    });
  }

  update(key: string, patch: FlagPatch, meta: WriteMeta): FlagResource {
    return this.writer.write(meta, (tx) => {
      const row = requireFlag(tx.db, key);
      refuseArchived(row);
      checkVersion(row.version, meta.ifMatch, `flag "${key}"`);
      const next: FlagRow = { ...row, ...patch };
      const changed = (Object.keys(patch) as (keyof FlagPatch)[]).filter(
        (field) => JSON.stringify(row[field]) !== JSON.stringify(next[field]),
      );
      if (changed.length === 0) return this.get(key, tx.db);
      const wireChanged = changed.some((field) => (WIRE_FIELDS as readonly string[]).includes(field));
      if (wireChanged) this.validateInEveryEnv(tx, next);

      const updated = tx.db
        .update(flags)
        .set({ ...patch, version: row.version + 1, updatedAt: tx.now })
        .where(eq(flags.id, row.id))
        .returning()
        .get()!;
      if (wireChanged) this.bumpStates(tx, updated, (state) => toWireFlag(updated, state));
      tx.audit({ action: 'flag.update', resource: { kind: 'flag', key }, before: definitionOf(row), after: definitionOf(updated) });
      return this.get(key, tx.db);
    });
  }

  /** Archived flags leave every SDK snapshot but keep their states and history. Idempotent. */
  setArchived(key: string, archived: boolean, meta: WriteMeta): FlagResource {
    return this.writer.write(meta, (tx) => {
      const row = requireFlag(tx.db, key);
      if (row.archived === archived) return this.get(key, tx.db);
      checkVersion(row.version, meta.ifMatch, `flag "${key}"`);
      const updated = tx.db
        .update(flags)
        .set({ archived, version: row.version + 1, updatedAt: tx.now })
        .where(eq(flags.id, row.id))
        .returning()
        .get()!;
      this.bumpStates(tx, updated, (state) => (archived ? null : toWireFlag(updated, state)));
      tx.audit({
        action: archived ? 'flag.archive' : 'flag.unarchive',
        resource: { kind: 'flag', key },
        before: definitionOf(row),
        after: definitionOf(updated),
      });
      return this.get(key, tx.db);
    });
  }

  /** Changing what SDKs see must leave every environment's state valid (docs/api.md, PATCH flags). */
  private validateInEveryEnv(tx: Tx, next: FlagRow): void {
    const issues: Issue[] = [];
    const seen = new Set<string>();
    for (const { env, state } of this.statesOf(tx.db, next.id)) {
      const checked = validateFlag(toWireFlag(next, state), flagValidation(tx.db, env.id, next.clientSide));
      if (checked.ok) continue;
      for (const issue of checked.issues) {
        const definitionIssue = /^(key|kind|variations|seed|clientSide)\b/.test(issue.path);
        const path = definitionIssue ? issue.path : `environments.${env.key}.${issue.path}`;
        if (!seen.has(`${path}\n${issue.message}`)) issues.push({ path, message: issue.message });
        seen.add(`${path}\n${issue.message}`);
      }
    }
    if (issues.length > 0) throw validationFailed(issues);
  }

  /** A definition change is a change in every environment: each state's version and each env's version move. */
  private bumpStates(tx: Tx, flag: FlagRow, wire: (state: typeof flagStates.$inferSelect) => ReturnType<typeof toWireFlag> | null): void {
    for (const { env, state } of this.statesOf(tx.db, flag.id)) {
      const bumped = tx.db
        .update(flagStates)
        .set({ version: state.version + 1, updatedAt: tx.now })
        .where(and(eq(flagStates.flagId, flag.id), eq(flagStates.envId, env.id)))
        .returning()
        .get()!;
      tx.change(env, 'flag', flag.key, wire(bumped));
    }
  }

  private statesOf(db: Db, flagId: number) {
    return db
      .select({ env: environments, state: flagStates })
      .from(flagStates)
      .innerJoin(environments, eq(environments.id, flagStates.envId))
      .where(eq(flagStates.flagId, flagId))
      .orderBy(asc(environments.id))
      .all();
  }

  private statesByFlag(db: Db, envId?: number, flagId?: number): Map<number, Record<string, FlagState>> {
    const rows = db
      .select({ envKey: environments.key, state: flagStates })
      .from(flagStates)
      .innerJoin(environments, eq(environments.id, flagStates.envId))
      .where(
        and(
          envId === undefined ? undefined : eq(flagStates.envId, envId),
          flagId === undefined ? undefined : eq(flagStates.flagId, flagId),
        ),
      )
      .orderBy(asc(environments.id))
      .all();
    const byFlag = new Map<number, Record<string, FlagState>>();
    for (const { envKey, state } of rows) {
      let states = byFlag.get(state.flagId);
      if (!states) byFlag.set(state.flagId, (states = {}));
      states[envKey] = toFlagState(state);
    }
    return byFlag;
  }
}
