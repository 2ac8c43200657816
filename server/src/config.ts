// Configuration comes from environment variables only (DESIGN.md, "Fixed names"). A bad value stops the
// server before it opens anything, with a message naming the variable.
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KEY_PREFIX } from '@flagstaff/core';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Config {
  port: number;
  /** Undefined: Node's default (all interfaces, IPv6 and IPv4). */
  host: string | undefined;
  dbPath: string;
  /** How often the database file is checked for other instances' commits and for going away. */
  dbPollMs: number;
  /** Adopted as the first admin token of an empty store instead of a generated one. */
  adminToken: string | undefined;
  redisUrl: string | undefined;
  logLevel: LogLevel;
  /** Largest accepted request body, in bytes. */
  bodyLimitBytes: number;
  /** Requests per minute per credential (or per IP without one) on /api and /hooks; 0 turns it off. */
  rateLimitPerMinute: number;
  /** How long a shutdown waits for in-flight requests before closing their connections. */
  shutdownTimeoutMs: number;
  /** SSE heartbeat interval (DESIGN.md: 15 s, configurable). */
  heartbeatMs: number;
  /** `relay`: no database, SDK endpoints served from Redis (`--relay`; stream/relay-start.ts). */
  role: 'primary' | 'relay';
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Every variable the server reads, with its default; printed by `flagstaff-server --help`. */
export const CONFIG_VARIABLES: ReadonlyArray<[name: string, meaning: string]> = [
  ['FLAGSTAFF_PORT', 'TCP port to listen on (default 8420; 0 picks a free one)'],
  ['FLAGSTAFF_HOST', 'interface to bind (default: all)'],
  ['FLAGSTAFF_DB', 'SQLite file (default ./data/flagstaff.db)'],
  ['FLAGSTAFF_DB_POLL_MS', 'how often the SQLite file is checked for other instances\' commits, and for having been deleted (default 100)'],
  ['FLAGSTAFF_ADMIN_TOKEN', 'first admin token of an empty store (fsa_…), instead of a generated one'],
  ['FLAGSTAFF_LOG_LEVEL', 'debug | info | warn | error (default info)'],
  ['FLAGSTAFF_BODY_LIMIT', 'largest request body in bytes (default 1048576)'],
  ['FLAGSTAFF_RATE_LIMIT', 'requests per minute per credential on /api and /hooks (default 1200; 0 = off)'],
  ['FLAGSTAFF_SHUTDOWN_TIMEOUT_MS', 'grace period for in-flight requests on SIGTERM (default 10000)'],
  ['FLAGSTAFF_HEARTBEAT_MS', 'SSE heartbeat interval (default 15000)'],
  ['REDIS_URL', 'fan changes out through Redis (optional)'],
  ['FLAGSTAFF_ROLE', 'primary (default) | relay: no database, SDK endpoints from Redis (same as --relay)'],
  ['FLAGSTAFF_NO_BUNDLE', '1: load the server from its modules even when a current bundle exists (read by main.ts)'],
];

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Admin tokens need enough entropy to be stored as a plain SHA-256 (REFERENCE.md, "Security"). */
export const MIN_TOKEN_SECRET_LENGTH = 22;

/**
 * Reads integer variables from `env`: unset or empty gives the fallback; anything else outside
 * [min, max] is added to `problems` (so that every bad variable is reported at once) and gives the fallback.
 */
export function integerReader(env: NodeJS.ProcessEnv, problems: string[]) {
  return (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max}, not "${raw}"`);
      return fallback;
    }
    return value;
  };
}

/** FLAGSTAFF_DB names the SQLite file: a folder (written with a trailing "/", or one that exists) is refused. */
function dbPathProblem(raw: string | undefined, resolved: string): string | null {
  if (raw === undefined || raw === '') return null;
  const folder = /[/\\]$/.test(raw) || (existsSync(resolved) && statSync(resolved).isDirectory());
  if (!folder) return null;
  return `FLAGSTAFF_DB names the database file, not a folder: "${raw}" is a folder; use e.g. "${join(raw.replace(/[/\\]+$/, ''), 'flagstaff.db')}"`;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const int = integerReader(env, problems);

  const logLevel = (env.FLAGSTAFF_LOG_LEVEL?.trim() || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`FLAGSTAFF_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel}"`);
  }

  const adminToken = env.FLAGSTAFF_ADMIN_TOKEN?.trim() || undefined;
  if (adminToken !== undefined) {
    const secret = adminToken.slice(KEY_PREFIX.admin.length);
    if (!adminToken.startsWith(KEY_PREFIX.admin) || !/^[A-Za-z0-9_-]+$/.test(secret)) {
      problems.push(`FLAGSTAFF_ADMIN_TOKEN must be "${KEY_PREFIX.admin}" followed by letters, digits, "-" or "_"`);
    } else if (secret.length < MIN_TOKEN_SECRET_LENGTH) {
      problems.push(
        `FLAGSTAFF_ADMIN_TOKEN is too short to be a secret: use at least ${MIN_TOKEN_SECRET_LENGTH} random characters after "${KEY_PREFIX.admin}"`,
      );
    }
  }

  const dbPath = resolve(env.FLAGSTAFF_DB?.trim() || './data/flagstaff.db');
  const dbProblem = dbPathProblem(env.FLAGSTAFF_DB?.trim(), dbPath);
  if (dbProblem !== null) problems.push(dbProblem);

  const config: Config = {
    port: int('FLAGSTAFF_PORT', 8420, 0, 65535),
    host: env.FLAGSTAFF_HOST?.trim() || undefined,
    dbPath,
    dbPollMs: int('FLAGSTAFF_DB_POLL_MS', 100, 10, 10_000),
    adminToken,
    redisUrl: env.REDIS_URL?.trim() || undefined,
    logLevel,
    bodyLimitBytes: int('FLAGSTAFF_BODY_LIMIT', 1024 * 1024, 1024, 64 * 1024 * 1024),
    rateLimitPerMinute: int('FLAGSTAFF_RATE_LIMIT', 1200, 0, 10_000_000),
    shutdownTimeoutMs: int('FLAGSTAFF_SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    heartbeatMs: int('FLAGSTAFF_HEARTBEAT_MS', 15_000, 100, 600_000),
    role: env.FLAGSTAFF_ROLE?.trim() === 'relay' ? 'relay' : 'primary',
  };
  if (!['', 'primary', 'relay'].includes(env.FLAGSTAFF_ROLE?.trim() ?? '')) {
    problems.push(`FLAGSTAFF_ROLE must be primary or relay, not "${env.FLAGSTAFF_ROLE}"`);
  }
  if (config.role === 'relay' && config.redisUrl === undefined) {
    problems.push('FLAGSTAFF_ROLE=relay (--relay) needs REDIS_URL: a relay serves the state kept in Redis');
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
