// What Flagstaff keeps in Redis, and the only code that reads or writes it (docs/scale-out.md):
//   flagstaff:changes          a Stream of entries: committed changes, snapshot announcements, SDK key updates
//   flagstaff:snapshot:<env>   a hash { version, json }: a recent full state, only ever replaced by a newer one
//   flagstaff:envs             the set of environments that have a snapshot
//   flagstaff:sdk-keys         a hash: SHA-256 of an SDK key (hex) → its owner, so relays can authenticate
import { isFlag, isSegment, isSnapshot, type Snapshot } from '@flagstaff/core';
import { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import type { Audience } from '../snapshot-views.js';
import type { EnvChange } from '../store/changes.js';

export const REDIS_KEYS = {
  changes: 'flagstaff:changes',
  envs: 'flagstaff:envs',
  snapshot: (env: string) => `flagstaff:snapshot:${env}`,
  sdkKeys: 'flagstaff:sdk-keys',
};

/** An SDK key as relays see it: enough to authorise a stream, nothing secret. */
export interface MirroredKey {
  keyId: string;
  env: string;
  audience: Audience;
  revoked: boolean;
}

export type LogEntry =
  | { type: 'change'; origin: string; change: EnvChange }
  /** A primary (re)wrote the snapshot of `env` at `version` after a gap in publishing (Redis was down). */
  | { type: 'snapshot'; env: string; version: number }
  | { type: 'key'; hash: string; key: MirroredKey };

/** Replaces the snapshot only with a newer one, and optionally announces it on the change stream. */
const WRITE_SNAPSHOT = `
local held = tonumber(redis.call('HGET', KEYS[1], 'version') or '-1')
if tonumber(ARGV[1]) <= held then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[1], 'json', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
if ARGV[4] == '1' then
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', 'type', 'snapshot', 'env', ARGV[3], 'v', ARGV[1])
end
return 1`;

/** Upserts key records (pairs of hash, JSON), except over a revoked one: a revocation is final. */
const WRITE_KEYS = `
for i = 1, #ARGV, 2 do
  local held = redis.call('HGET', KEYS[1], ARGV[i])
  if not held or not string.find(held, '"revoked":true', 1, true) then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 1`;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates a change read from Redis: anything malformed is dropped, never applied. */
export function parseChange(json: string): EnvChange | null {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  if (!isObject(value)) return null;
  const { env, version, kind, key } = value;
  if (typeof env !== 'string' || typeof key !== 'string' || !Number.isSafeInteger(version)) return null;
  const item = value.value;
  const validItem = item === null || (kind === 'flag' ? isFlag(item) : kind === 'segment' ? isSegment(item) : false);
  if (!validItem) return null;
  return { env, version: version as number, kind: kind as EnvChange['kind'], key, value: item as EnvChange['value'] };
}

function parseKey(json: string | undefined): MirroredKey | null {
  try {
    const value: unknown = JSON.parse(json ?? '');
    if (!isObject(value) || typeof value.keyId !== 'string' || typeof value.env !== 'string') return null;
    if ((value.audience !== 'server' && value.audience !== 'client') || typeof value.revoked !== 'boolean') return null;
    return { keyId: value.keyId, env: value.env, audience: value.audience, revoked: value.revoked };
  } catch {
    return null;
  }
}

function parseEntry(fields: string[]): LogEntry | null {
  const field: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) field[fields[i]!] = fields[i + 1]!;
  if (field.type === 'change') {
    const change = parseChange(field.change ?? '');
    return change && { type: 'change', origin: field.origin ?? '', change };
  }
  if (field.type === 'snapshot') {
    const version = Number(field.v);
    return field.env && Number.isSafeInteger(version) ? { type: 'snapshot', env: field.env, version } : null;
  }
  if (field.type === 'key') {
    const key = parseKey(field.key);
    return key && field.hash ? { type: 'key', hash: field.hash, key } : null;
  }
  return null;
}

/**
 * A connection that fails fast while Redis is away (no offline queue, no retries per command): callers
 * treat a failure as "resync when it is back", which ioredis's endless reconnecting will bring.
 */
export function connectRedis(url: string, logger: Logger, name: string): Redis {
  const redis = new Redis(url, {
    connectionName: `flagstaff-${name}`,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(100 * attempt, 2000),
  });
  let down = false;
  redis.on('error', (error: Error) => {
    if (!down) logger.warn('Redis connection failed; retrying', { connection: name, error: error.message });
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info('Redis connection is back', { connection: name });
    down = false;
  });
  return redis;
}

export class RedisLog {
  constructor(
    readonly redis: Redis,
    /** Stream entries kept (approximately); far more than are written between two snapshots. */
    readonly maxEntries = 10_000,
  ) {}

  async publishChange(change: EnvChange, origin: string): Promise<void> {
    await this.redis.xadd(
      REDIS_KEYS.changes,
      'MAXLEN',
      '~',
      this.maxEntries,
      '*',
      'type',
      'change',
      'origin',
      origin,
      'change',
      JSON.stringify(change),
    );
  }

  /** Records an SDK key for relays and tells them at once (a revocation must end its streams everywhere). */
  async publishKey(hash: string, key: MirroredKey): Promise<void> {
    const json = JSON.stringify(key);
    await this.redis.eval(WRITE_KEYS, 1, REDIS_KEYS.sdkKeys, hash, json);
    await this.redis.xadd(REDIS_KEYS.changes, 'MAXLEN', '~', this.maxEntries, '*', 'type', 'key', 'hash', hash, 'key', json);
  }

  /**
   * Writes every SDK key into the mirror (a primary's start, or Redis came back empty). Only adds and
   * updates: another primary may know keys this one has not loaded.
   */
  async mirrorKeys(keys: ReadonlyMap<string, MirroredKey>): Promise<void> {
    if (keys.size === 0) return;
    await this.redis.eval(WRITE_KEYS, 1, REDIS_KEYS.sdkKeys, ...[...keys].flatMap(([hash, key]) => [hash, JSON.stringify(key)]));
  }

  async keys(): Promise<Map<string, MirroredKey>> {
    const all = await this.redis.hgetall(REDIS_KEYS.sdkKeys);
    const keys = new Map<string, MirroredKey>();
    for (const [hash, json] of Object.entries(all)) {
      const key = parseKey(json);
      if (key) keys.set(hash, key);
    }
    return keys;
  }

  async key(hash: string): Promise<MirroredKey | null> {
    return parseKey((await this.redis.hget(REDIS_KEYS.sdkKeys, hash)) ?? undefined);
  }

  /** True when written (Redis held an older snapshot, or none). */
  async writeSnapshot(env: string, snapshot: Snapshot, announce: boolean): Promise<boolean> {
    const written = await this.redis.eval(
      WRITE_SNAPSHOT,
      3,
      REDIS_KEYS.snapshot(env),
      REDIS_KEYS.envs,
      REDIS_KEYS.changes,
      snapshot.version,
      JSON.stringify(snapshot),
      env,
      announce ? '1' : '0',
      this.maxEntries,
    );
    return written === 1;
  }

  async snapshotVersion(env: string): Promise<number | null> {
    const version = await this.redis.hget(REDIS_KEYS.snapshot(env), 'version');
    return version === null ? null : Number(version);
  }

  async readSnapshot(env: string): Promise<Snapshot | null> {
    const json = await this.redis.hget(REDIS_KEYS.snapshot(env), 'json');
    if (json === null) return null;
    const snapshot: unknown = JSON.parse(json);
    return isSnapshot(snapshot) ? snapshot : null;
  }

  environments(): Promise<string[]> {
    return this.redis.smembers(REDIS_KEYS.envs);
  }

  /** The id of the newest entry of the change stream ('0-0' when empty): where a reader starts after a resync. */
  async lastId(): Promise<string> {
    const [newest] = await this.redis.xrevrange(REDIS_KEYS.changes, '+', '-', 'COUNT', 1);
    return newest?.[0] ?? '0-0';
  }

  /** Entries after `afterId`, waiting up to `blockMs` for the first; `[]` on timeout. */
  async read(afterId: string, blockMs: number): Promise<Array<{ id: string; entry: LogEntry | null }>> {
    const result = await this.redis.xread('COUNT', 1000, 'BLOCK', blockMs, 'STREAMS', REDIS_KEYS.changes, afterId);
    const entries = result?.[0]?.[1] ?? [];
    return entries.map(([id, fields]) => ({ id, entry: parseEntry(fields) }));
  }
}
