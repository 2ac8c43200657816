// Segments: named sets of contexts in one environment (included keys, excluded keys, rules).
import { and, asc, eq } from 'drizzle-orm';
import { clientPatternIssues, validateSegment } from '@flagstaff/core';
import { clientPatternProblem } from '../client-patterns.js';
import { ApiError, notFound, validationFailed } from '../errors.js';
import type { Db } from './db.js';
import { requireEnv, type EnvRow } from './environments.js';
import type { SegmentInput, SegmentResource, WriteMeta } from './resources.js';
import { flagStates, flags, segments } from './schema.js';
import { toSegmentResource, toWireSegment, type SegmentRow } from './wire.js';
import { checkVersion, type Tx, type Writer } from './write.js';

function findSegment(db: Db, envId: number, key: string): SegmentRow | undefined {
  return db
    .select()
    .from(segments)
    .where(and(eq(segments.envId, envId), eq(segments.key, key)))
    .get();
}

function requireSegment(db: Db, env: EnvRow, key: string): SegmentRow {
  const row = findSegment(db, env.id, key);
  if (!row) throw notFound(`segment "${key}" in ${env.key}`);
  return row;
}

/** Keys of the flags (archived ones too: they may come back) whose rules in `env` name segment `key`. */
function flagsUsing(db: Db, envId: number, key: string, only?: { clientSide: true }): string[] {
  const rows = db
    .select({ flag: flags.key, rules: flagStates.rules, clientSide: flags.clientSide })
    .from(flagStates)
    .innerJoin(flags, eq(flags.id, flagStates.flagId))
    .where(eq(flagStates.envId, envId))
    .orderBy(asc(flags.key))
    .all();
  return rows
    .filter(
      ({ rules, clientSide }) =>
        (only === undefined || clientSide) &&
        rules.some((rule) => rule.clauses.some((c) => c.op === 'segmentMatch' && c.values.includes(key))),
    )
    .map((row) => row.flag);
}

export class SegmentStore {
  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
  ) {}

  list(envKey: string): SegmentResource[] {
    const env = requireEnv(this.db, envKey);
    return this.db.select().from(segments).where(eq(segments.envId, env.id)).orderBy(asc(segments.key)).all().map(toSegmentResource);
  }

  get(envKey: string, key: string): SegmentResource {
    return toSegmentResource(requireSegment(this.db, requireEnv(this.db, envKey), key));
  }

  create(envKey: string, key: string, input: SegmentInput, meta: WriteMeta): SegmentResource {
    return this.writer.write(meta, (tx) => {
      const env = requireEnv(tx.db, envKey);
      if (findSegment(tx.db, env.id, key)) throw new ApiError('already_exists', `segment "${key}" already exists in ${envKey}`);
      const content = this.validated(tx, env, key, 1, input);
      const row = tx.db
        .insert(segments)
        .values({
          envId: env.id,
          key,
          name: input.name ?? key,
          description: input.description ?? '',
          version: 1,
          ...content,
          createdAt: tx.now,
          updatedAt: tx.now,
        })
        .returning()
        .get();
      return this.committed(tx, env, 'segment.create', undefined, row);
    });
  }

  /** Replaces a segment (PUT): fields left out go back to their defaults. */
  replace(envKey: string, key: string, input: SegmentInput, meta: WriteMeta): SegmentResource {
    return this.writer.write(meta, (tx) => {
      const env = requireEnv(tx.db, envKey);
      const current = requireSegment(tx.db, env, key);
      checkVersion(current.version, meta.ifMatch, `segment "${key}" in ${envKey}`);
      const content = this.validated(tx, env, key, current.version + 1, input);
      const next = { name: input.name ?? key, description: input.description ?? '', ...content };
      const unchanged = (Object.keys(next) as (keyof typeof next)[]).every(
        (field) => JSON.stringify(next[field]) === JSON.stringify(current[field]),
      );
      if (unchanged) return toSegmentResource(current);
      const row = tx.db
        .update(segments)
        .set({ ...next, version: current.version + 1, updatedAt: tx.now })
        .where(eq(segments.id, current.id))
        .returning()
        .get()!;
      return this.committed(tx, env, 'segment.update', current, row);
    });
  }

  /** Refused while a flag still names the segment: evaluation would otherwise change silently. */
  delete(envKey: string, key: string, meta: WriteMeta): void {
    this.writer.write(meta, (tx) => {
      const env = requireEnv(tx.db, envKey);
      const current = requireSegment(tx.db, env, key);
      checkVersion(current.version, meta.ifMatch, `segment "${key}" in ${envKey}`);
      const users = flagsUsing(tx.db, env.id, key);
      if (users.length > 0) {
        throw new ApiError('segment_in_use', `segment "${key}" is used by ${users.map((k) => `"${k}"`).join(', ')} in ${envKey}`, {
          flags: users,
        });
      }
      tx.db.delete(segments).where(eq(segments.id, current.id)).run();
      tx.change(env, 'segment', key, null);
      tx.audit({ action: 'segment.delete', env: env.key, resource: { kind: 'segment', key }, before: toSegmentResource(current) });
    });
  }

  /** Checks a segment's content; one that client-side flags name goes to browsers, so its patterns must suit them. */
  private validated(tx: Tx, env: EnvRow, key: string, version: number, input: SegmentInput) {
    const checked = validateSegment({
      key,
      version,
      included: input.included ?? [],
      excluded: input.excluded ?? [],
      rules: input.rules ?? [],
    });
    if (!checked.ok) throw validationFailed(checked.issues);
    const { included, excluded, rules } = checked.value;
    const clientFlags = flagsUsing(tx.db, env.id, key, { clientSide: true });
    if (clientFlags.length > 0) {
      const issues = clientPatternIssues(rules, clientPatternProblem);
      const named = `(client-side flag${clientFlags.length > 1 ? 's' : ''} ${clientFlags.map((k) => `"${k}"`).join(', ')} name${clientFlags.length > 1 ? '' : 's'} this segment)`;
      if (issues.length > 0) throw validationFailed(issues.map((issue) => ({ path: issue.path, message: `${issue.message} ${named}` })));
    }
    return { included, excluded, rules };
  }

  private committed(tx: Tx, env: EnvRow, action: string, before: SegmentRow | undefined, after: SegmentRow): SegmentResource {
    const resource = toSegmentResource(after);
    tx.change(env, 'segment', after.key, toWireSegment(after));
    tx.audit({
      action,
      env: env.key,
      resource: { kind: 'segment', key: after.key },
      ...(before ? { before: toSegmentResource(before) } : {}),
      after: resource,
    });
    return resource;
  }
}
