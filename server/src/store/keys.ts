// Admin tokens and SDK keys. The table holds only SHA-256 hashes; the whole set is also kept in memory
// (it is small) so that authenticating a request costs a hash and a map lookup, not a query. Other
// instances sharing the database create and revoke keys too: `refresh` re-reads the table whenever the
// commit watcher says they committed (Store.catchUp), which is how a revocation holds everywhere within 1 s.
import { timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { ApiError, notFound, validationFailed } from '../errors.js';
import { generateSecret, hashSecret, hintOf, newKeyId } from '../secrets.js';
import type { Db } from './db.js';
import { requireEnv } from './environments.js';
import { iso, isoOrNull, type KeyInfo, type KeyKind, type NewKey, type Scope, type WriteMeta } from './resources.js';
import { apiKeys, environments } from './schema.js';
import type { Tx, Writer } from './write.js';

export interface KeyRecord {
  id: string;
  kind: KeyKind;
  name: string;
  env: string | null;
  scopes: Scope[] | null;
  hash: Buffer;
  hint: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export type KeyLookup = { status: 'valid' | 'revoked'; key: KeyRecord } | { status: 'unknown' };

/** last-used times are written at most this often per key, so busy keys do not turn reads into writes. */
export const LAST_USED_RESOLUTION_MS = 60_000;

const toKeyInfo = (k: KeyRecord): KeyInfo => ({
  id: k.id,
  kind: k.kind,
  name: k.name,
  ...(k.env !== null ? { env: k.env } : {}),
  ...(k.scopes !== null ? { scopes: k.scopes } : {}),
  hint: k.hint,
  createdAt: iso(k.createdAt),
  lastUsedAt: isoOrNull(k.lastUsedAt),
  revokedAt: isoOrNull(k.revokedAt),
});

const isActiveAdmin = (k: KeyRecord) => k.kind === 'admin' && k.revokedAt === null && (k.scopes ?? []).includes('admin');

/** Every key as the database holds it now. */
function readKeys(db: Db): KeyRecord[] {
  return db
    .select({ key: apiKeys, env: environments.key })
    .from(apiKeys)
    .leftJoin(environments, eq(environments.id, apiKeys.envId))
    .all()
    .map(({ key, env }) => ({ ...key, env, scopes: key.scopes as Scope[] | null, hash: Buffer.from(key.hash, 'hex') }));
}

export class KeyStore {
  readonly #byHash = new Map<string, KeyRecord>();
  readonly #byId = new Map<string, KeyRecord>();

  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
    private readonly clock: () => number,
  ) {
    for (const key of readKeys(db)) this.#remember(key);
  }

  /**
   * Re-reads the table and takes in what other instances changed: keys they created, and revocations.
   * Returns those keys (revoked ones with `revokedAt` set), so that streaming can end a revoked key's streams.
   */
  refresh(): KeyRecord[] {
    const changed: KeyRecord[] = [];
    for (const key of readKeys(this.db)) {
      const held = this.#byId.get(key.id);
      if (held !== undefined && (held.revokedAt !== null || key.revokedAt === null)) continue;
      this.#remember(key);
      changed.push(key);
    }
    return changed;
  }

  list(): KeyInfo[] {
    return [...this.#byId.values()].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id)).map(toKeyInfo);
  }

  /** True once any admin token was ever created: the store is no longer "empty" for bootstrapping. */
  hasAdminToken(): boolean {
    return [...this.#byId.values()].some((k) => k.kind === 'admin');
  }

  /**
   * The first admin token of an empty store, unless the database already holds one — checked inside the
   * write transaction, so that two instances first started together on an empty file create one between
   * them (the other gets undefined). Either way, the keys held in memory are current afterwards.
   */
  createFirstAdmin(input: { name: string }, meta: WriteMeta, secret = generateSecret('admin')): { info: KeyInfo; key: string } | undefined {
    const hash = hashSecret(secret);
    const created = this.writer.write(meta, (tx) => {
      if (tx.db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.kind, 'admin')).get()) return undefined;
      const record = this.#insert(tx, { kind: 'admin', name: input.name, scopes: ['admin'] }, null, hash, secret);
      return { info: toKeyInfo(record), key: secret };
    });
    this.refresh();
    return created;
  }

  /** A new key; the returned `key` is the only time the secret exists outside the caller. */
  create(input: NewKey, meta: WriteMeta, secret = generateSecret(input.kind)): { info: KeyInfo; key: string } {
    if (input.kind === 'admin' && input.env !== undefined) {
      throw validationFailed([{ path: 'env', message: 'admin tokens are not tied to an environment: leave env out' }]);
    }
    if (input.kind !== 'admin' && input.env === undefined) {
      throw validationFailed([{ path: 'env', message: `a ${input.kind} key belongs to one environment: give env` }]);
    }
    if (input.kind !== 'admin' && input.scopes !== undefined) {
      throw validationFailed([{ path: 'scopes', message: 'scopes apply to admin tokens only' }]);
    }
    const hash = hashSecret(secret);
    if (this.#byHash.has(hash.toString('hex'))) throw new ApiError('already_exists', 'this key already exists');
    return this.writer.write(meta, (tx) => {
      const env = input.env === undefined ? null : requireEnv(tx.db, input.env);
      const record = this.#insert(tx, input, env, hash, secret);
      return { info: toKeyInfo(record), key: secret };
    });
  }

  #insert(tx: Tx, input: NewKey, env: { id: number; key: string } | null, hash: Buffer, secret: string): KeyRecord {
    const record: KeyRecord = {
      id: newKeyId(),
      kind: input.kind,
      name: input.name ?? (input.kind === 'admin' ? 'admin token' : `${input.kind} key for ${env!.key}`),
      env: env?.key ?? null,
      scopes: input.kind === 'admin' ? [...new Set<Scope>(input.scopes ?? ['admin'])] : null,
      hash,
      hint: hintOf(secret),
      createdAt: tx.now,
      lastUsedAt: null,
      revokedAt: null,
    };
    tx.db
      .insert(apiKeys)
      .values({ ...record, envId: env?.id ?? null, hash: hash.toString('hex') })
      .run();
    tx.audit({
      action: 'key.create',
      ...(env ? { env: env.key } : {}),
      resource: { kind: 'key', key: record.id },
      after: toKeyInfo(record),
    });
    tx.afterCommit(() => this.#remember(record));
    return record;
  }

  revoke(id: string, meta: WriteMeta): KeyInfo {
    return this.writer.write(meta, (tx) => {
      // Read inside the transaction, not from memory: another instance may have created this key a moment
      // ago, or revoked the other admin tokens, and "never revoke the last admin token" must hold across all.
      const all = readKeys(tx.db);
      const key = all.find((k) => k.id === id);
      if (!key) throw notFound(`key "${id}"`);
      if (key.revokedAt !== null) return toKeyInfo(key);
      if (isActiveAdmin(key) && all.filter(isActiveAdmin).length === 1) {
        throw new ApiError('last_admin_token', `key "${id}" is the last admin token: create another one before revoking it`);
      }
      tx.db.update(apiKeys).set({ revokedAt: tx.now }).where(eq(apiKeys.id, id)).run();
      const revoked = { ...key, revokedAt: tx.now };
      tx.audit({
        action: 'key.revoke',
        ...(key.env ? { env: key.env } : {}),
        resource: { kind: 'key', key: id },
        before: toKeyInfo(key),
        after: toKeyInfo(revoked),
      });
      tx.afterCommit(() => this.#remember(revoked));
      return toKeyInfo(revoked);
    });
  }

  /** Finds the key a secret belongs to. Compares hashes in constant time. */
  lookup(secret: string): KeyLookup {
    const hash = hashSecret(secret);
    // The map is keyed by the hash, which an attacker cannot steer towards a stored one; the final
    // comparison is constant-time all the same, as REFERENCE.md asks.
    const key = this.#byHash.get(hash.toString('hex'));
    if (!key || !timingSafeEqual(key.hash, hash)) return { status: 'unknown' };
    return { status: key.revokedAt === null ? 'valid' : 'revoked', key };
  }

  /**
   * Every SDK key as the database holds it now, hash in hex: the Redis mirror for relays is written from
   * this, since another instance sharing the file may have created or revoked keys this one has not seen.
   */
  sdkKeysInDatabase(): Array<{ id: string; kind: 'server' | 'client'; env: string; hash: string; revoked: boolean }> {
    const rows = this.db
      .select({ id: apiKeys.id, kind: apiKeys.kind, hash: apiKeys.hash, revokedAt: apiKeys.revokedAt, env: environments.key })
      .from(apiKeys)
      .innerJoin(environments, eq(environments.id, apiKeys.envId))
      .all();
    return rows.flatMap(({ id, kind, hash, revokedAt, env }) =>
      kind === 'admin' ? [] : [{ id, kind, env, hash, revoked: revokedAt !== null }],
    );
  }

  /** Records that a key was used, at most once a minute per key. */
  touch(key: KeyRecord): void {
    if (this.writer.lost !== null) return;
    const now = this.clock();
    if (key.lastUsedAt !== null && now - key.lastUsedAt < LAST_USED_RESOLUTION_MS) return;
    key.lastUsedAt = now;
    this.db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, key.id)).run();
  }

  #remember(key: KeyRecord): void {
    const held = this.#byId.get(key.id);
    // Keep last-used times already recorded in memory when a record is replaced (revocation).
    if (held && held.lastUsedAt !== null && (key.lastUsedAt ?? 0) < held.lastUsedAt) key.lastUsedAt = held.lastUsedAt;
    this.#byId.set(key.id, key);
    this.#byHash.set(key.hash.toString('hex'), key);
  }
}
