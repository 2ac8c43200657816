// Environments: each holds its own state of every flag, its own segments and its own keys.
import { asc, eq } from 'drizzle-orm';
import { ApiError, notFound } from '../errors.js';
import type { Db } from './db.js';
import { iso, type Environment, type WriteMeta } from './resources.js';
import { environments, flagStates, flags } from './schema.js';
import { loadSnapshots } from './snapshot-load.js';
import type { Snapshots } from './snapshots.js';
import { defaultState } from './wire.js';
import type { Tx, Writer } from './write.js';

export const ENV_KEY_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** What a new store starts with. */
export const DEFAULT_ENVIRONMENTS: ReadonlyArray<{ key: string; name: string }> = [
  { key: 'development', name: 'Development' },
  { key: 'staging', name: 'Staging' },
  { key: 'production', name: 'Production' },
];

export type EnvRow = typeof environments.$inferSelect;

export const toEnvironment = (row: EnvRow): Environment => ({
  key: row.key,
  name: row.name,
  version: row.version,
  createdAt: iso(row.createdAt),
});

export function findEnv(db: Db, key: string): EnvRow | undefined {
  return db.select().from(environments).where(eq(environments.key, key)).get();
}

export function requireEnv(db: Db, key: string): EnvRow {
  const row = findEnv(db, key);
  if (!row) throw notFound(`environment "${key}"`);
  return row;
}

export function allEnvs(db: Db): EnvRow[] {
  return db.select().from(environments).orderBy(asc(environments.id)).all();
}

export class EnvironmentStore {
  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
    private readonly snapshots: Snapshots,
  ) {}

  list(): Environment[] {
    return allEnvs(this.db).map(toEnvironment);
  }

  get(key: string): Environment {
    return toEnvironment(requireEnv(this.db, key));
  }

  /** A new environment, with every existing flag (archived ones too) in its default state. */
  create(input: { key: string; name?: string }, meta: WriteMeta): Environment {
    return this.writer.write(meta, (tx) => {
      if (findEnv(tx.db, input.key)) {
        throw new ApiError('already_exists', `environment "${input.key}" already exists`);
      }
      return this.#insert(tx, input);
    });
  }

  /**
   * On a new store: development, staging and production, in one transaction that looks again for
   * environments once it holds the write lock — instances first started together on one empty file seed it
   * once, and the others find it seeded.
   */
  seedDefaults(meta: WriteMeta): void {
    if (allEnvs(this.db).length > 0) return;
    this.writer.write(meta, (tx) => {
      if (allEnvs(tx.db).length > 0) return;
      for (const env of DEFAULT_ENVIRONMENTS) this.#insert(tx, env);
    });
  }

  #insert(tx: Tx, input: { key: string; name?: string }): Environment {
    const row = tx.db
      .insert(environments)
      .values({ key: input.key, name: input.name ?? input.key, version: 1, createdAt: tx.now })
      .returning()
      .get();
    const everyFlag = tx.db.select({ id: flags.id, kind: flags.kind }).from(flags).all();
    for (const flag of everyFlag) {
      tx.db
        .insert(flagStates)
        .values({ flagId: flag.id, envId: row.id, version: 1, updatedAt: tx.now, ...defaultState(flag.kind) })
        .run();
    }
    const environment = toEnvironment(row);
    tx.audit({ action: 'environment.create', env: row.key, resource: { kind: 'environment', key: row.key }, after: environment });
    tx.afterCommit(() => {
      const snapshot = loadSnapshots(this.db, row.id).get(row.key);
      if (snapshot) this.snapshots.install(row.key, snapshot);
    });
    return environment;
  }
}
