// Usage and acknowledgement, as SDKs report them (`POST /sdk/v1/usage`): how often each flag served each
// variation and when it was last evaluated (to find flags nobody evaluates any more), and which environment
// version each SDK instance applies (to see how far a change has reached). Not audited: these are
// observations, not changes, and they are never streamed.
import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { FlagUsage, SdkInstance } from '@flagstaff/core/admin';
import { notFound } from '../errors.js';
import type { DatabaseFile } from './database-file.js';
import type { Db } from './db.js';
import { requireEnv } from './environments.js';
import { iso, isoOrNull } from './resources.js';
import { environments, flags, flagUsage, sdkInstances } from './schema.js';

export interface UsageInput {
  instanceId: string;
  sdk: string;
  version: number | null;
  flags: { key: string; variation: number | null; count: number }[];
}

/** Instances silent for this long are forgotten: every process start is a new instance. */
export const INSTANCE_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
const DEFAULT_VARIATION = -1;

export class UsageStore {
  #prunedAt = 0;

  constructor(
    private readonly db: Db,
    private readonly clock: () => number,
    /** The file written to: reports are refused (503, the SDK sends them again) while it is lost. */
    private readonly file?: DatabaseFile,
  ) {}

  /**
   * Records one report from an SDK key of `env`, at the server's time of receipt (an SDK's clock may be
   * off). Counts for keys that are not flags of this project are dropped: reports cannot grow the table
   * with arbitrary names. Returns how many counts were recorded.
   */
  record(env: string, keyId: string, report: UsageInput): number {
    this.file?.assertWritable();
    const now = this.clock();
    return this.db.transaction((tx) => {
      const envId = requireEnv(tx, env).id;
      const reported = [...new Set(report.flags.map((f) => f.key))];
      const known = new Set(
        reported.length === 0
          ? []
          : tx
              .select({ key: flags.key })
              .from(flags)
              .where(inArray(flags.key, reported))
              .all()
              .map((r) => r.key),
      );
      let recorded = 0;
      for (const { key, variation, count } of report.flags) {
        if (!known.has(key) || count <= 0) continue;
        tx.insert(flagUsage)
          .values({ envId, flagKey: key, variation: variation ?? DEFAULT_VARIATION, count, lastEvaluatedAt: now })
          .onConflictDoUpdate({
            target: [flagUsage.envId, flagUsage.flagKey, flagUsage.variation],
            set: { count: sql`${flagUsage.count} + ${count}`, lastEvaluatedAt: now },
          })
          .run();
        recorded++;
      }
      tx.insert(sdkInstances)
        .values({
          envId,
          instanceId: report.instanceId,
          keyId,
          sdk: report.sdk,
          appliedVersion: report.version,
          firstSeenAt: now,
          lastSeenAt: now,
        })
        .onConflictDoUpdate({
          target: [sdkInstances.envId, sdkInstances.instanceId],
          set: { keyId, sdk: report.sdk, appliedVersion: report.version, lastSeenAt: now },
        })
        .run();
      if (now - this.#prunedAt >= PRUNE_EVERY_MS) {
        this.#prunedAt = now;
        tx.delete(sdkInstances)
          .where(lt(sdkInstances.lastSeenAt, now - INSTANCE_RETENTION_MS))
          .run();
      }
      return recorded;
    });
  }

  /** A flag's usage in every environment (or one), with per-variation counts. */
  flagUsage(flagKey: string, env?: string): FlagUsage[] {
    const flag = this.db.select({ key: flags.key }).from(flags).where(eq(flags.key, flagKey)).get();
    if (flag === undefined) throw notFound(`flag "${flagKey}"`);
    const envs = env === undefined ? this.db.select().from(environments).all() : [requireEnv(this.db, env)];
    return envs.map((e) => {
      const rows = this.db
        .select()
        .from(flagUsage)
        .where(and(eq(flagUsage.envId, e.id), eq(flagUsage.flagKey, flagKey)))
        .orderBy(flagUsage.variation)
        .all();
      const last = rows.reduce<number | null>((max, r) => (max === null || r.lastEvaluatedAt > max ? r.lastEvaluatedAt : max), null);
      return {
        env: e.key,
        lastEvaluatedAt: isoOrNull(last),
        evaluations: rows.reduce((sum, r) => sum + r.count, 0),
        variations: rows.map((r) => ({
          variation: r.variation === DEFAULT_VARIATION ? null : r.variation,
          count: r.count,
          lastEvaluatedAt: iso(r.lastEvaluatedAt),
        })),
      };
    });
  }

  /** The SDK instances of an environment, most recently seen first, with how far behind `currentVersion` each is. */
  sdkInstances(env: string, currentVersion: number): SdkInstance[] {
    const envId = requireEnv(this.db, env).id;
    const rows = this.db
      .select()
      .from(sdkInstances)
      .where(and(eq(sdkInstances.envId, envId), sql`${sdkInstances.lastSeenAt} >= ${this.clock() - INSTANCE_RETENTION_MS}`))
      .orderBy(desc(sdkInstances.lastSeenAt))
      .all();
    return rows.map((r) => ({
      instanceId: r.instanceId,
      sdk: r.sdk,
      keyId: r.keyId,
      appliedVersion: r.appliedVersion,
      behind: r.appliedVersion === null ? null : Math.max(0, currentVersion - r.appliedVersion),
      firstSeenAt: iso(r.firstSeenAt),
      lastSeenAt: iso(r.lastSeenAt),
    }));
  }
}
