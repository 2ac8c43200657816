// Kill latches: what a kill left behind in its environment — the state from before, the version the kill
// produced, and the fingerprints of the alerts that hold the flag. Rows and SQL only: when a latch is
// taken, shared, released or restored from is the kill switch's decision (alerts/kill-switch.ts).
import { and, eq } from 'drizzle-orm';
import type { Db } from './db.js';
import type { EnvRow } from './environments.js';
import { flagStates, killLatches } from './schema.js';
import type { FlagRow, FlagStateRow } from './wire.js';

export type KillLatch = typeof killLatches.$inferSelect;
export type LatchValues = Omit<KillLatch, 'envId' | 'flagKey'>;

const latchKey = (env: EnvRow, flagKey: string) => and(eq(killLatches.envId, env.id), eq(killLatches.flagKey, flagKey));

/** The flag's state row in `env`. */
export function flagStateOf(db: Db, flag: FlagRow, env: EnvRow): FlagStateRow | undefined {
  return db
    .select()
    .from(flagStates)
    .where(and(eq(flagStates.flagId, flag.id), eq(flagStates.envId, env.id)))
    .get();
}

export function latchOf(db: Db, env: EnvRow, flagKey: string): KillLatch | undefined {
  return db.select().from(killLatches).where(latchKey(env, flagKey)).get();
}

/** The latches of `env` that the alert with `fingerprint` holds. */
export function latchesHeldBy(db: Db, env: Pick<EnvRow, 'id'>, fingerprint: string): KillLatch[] {
  return db
    .select()
    .from(killLatches)
    .where(eq(killLatches.envId, env.id))
    .all()
    .filter((latch) => latch.holders.includes(fingerprint));
}

export function setHolders(db: Db, env: EnvRow, flagKey: string, holders: string[]): void {
  db.update(killLatches).set({ holders }).where(latchKey(env, flagKey)).run();
}

/** Writes the latch of (env, flag), replacing any held before. */
export function putLatch(db: Db, env: EnvRow, flagKey: string, values: LatchValues): void {
  db.insert(killLatches)
    .values({ envId: env.id, flagKey, ...values })
    .onConflictDoUpdate({ target: [killLatches.envId, killLatches.flagKey], set: values })
    .run();
}

export function dropLatch(db: Db, env: EnvRow, flagKey: string): void {
  db.delete(killLatches).where(latchKey(env, flagKey)).run();
}
