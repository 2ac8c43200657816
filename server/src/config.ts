// The server's one configuration object, parsed and validated in one place from environment variables
// (DESIGN.md, "Fixed names"; the command line adds only --relay). main.ts, the only module that reads
// process.env, loads it before anything opens and passes it down: a bad value stops the server with exit
// code 2 and a message naming the variable, before the database file is created or opened. Every variable
// is documented in docs/operations.md, "Configuration".
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
  /** Streaming (stream/): the hub, its replay log and admission of new streams. */
  stream: StreamConfig;
  /** Outbound notifications (notify/, docs/notifications.md). */
  notify: NotifyConfig;
  /** `relay`: no database, SDK endpoints served from Redis (`--relay`; stream/relay-start.ts). */
  role: 'primary' | 'relay';
}

export interface NotifyConfig {
  /** Post to loopback, private and link-local addresses too (FLAGSTAFF_NOTIFY_ALLOW_PRIVATE=1). */
  allowPrivate: boolean;
  /** The console's address as people reach it, for links in messages (FLAGSTAFF_PUBLIC_URL). */
  publicUrl: string | undefined;
  /** How long one outbound request may take (FLAGSTAFF_NOTIFY_TIMEOUT_MS). */
  timeoutMs: number;
}

export interface StreamConfig {
  /** SSE heartbeat interval (DESIGN.md: 15 s, configurable). */
  heartbeatMs: number;
  /** Replay log length per environment. */
  logCapacity: number;
  /** Reconnect delay hinted to SDKs (`retry:`), jittered ±50% per client. */
  retryMs: number;
  /** Bytes a stream may have queued before it is dropped. */
  maxBufferedBytes: number;
  /** Streams one instance holds at most. */
  maxConnections: number;
  /** New streams accepted per second. */
  maxNewPerSecond: number;
  /** Window over which a graceful shutdown spreads the end of every stream. */
  shutdownWindowMs: number;
  /** How long a missing version may stay missing before the hub resyncs from a snapshot. */
  gapTimeoutMs: number;
}

/** Fit one instance serving tens of thousands of SDKs; also the hub's own defaults (stream/hub.ts). */
export const STREAM_DEFAULTS: Readonly<StreamConfig> = {
  heartbeatMs: 15_000,
  logCapacity: 1000,
  retryMs: 3000,
  maxBufferedBytes: 1024 * 1024,
  maxConnections: 20_000,
  maxNewPerSecond: 5000,
  shutdownWindowMs: 2000,
  gapTimeoutMs: 1000,
};

/** What the command line adds to the environment: `--relay` is `FLAGSTAFF_ROLE=relay`. */
export interface CommandLine {
  relay?: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Every variable the server reads, with its default; printed by `flagstaff-server --help`, and each a row of
 * docs/operations.md's table (config.test.ts holds the two to the same list).
 */
export const CONFIG_VARIABLES: ReadonlyArray<[name: string, meaning: string]> = [
  ['FLAGSTAFF_PORT', 'TCP port to listen on (default 8420; 0 picks a free one)'],
  ['FLAGSTAFF_HOST', 'interface to bind (default: all)'],
  ['FLAGSTAFF_DB', 'SQLite file (default ./data/flagstaff.db)'],
  ['FLAGSTAFF_DB_POLL_MS', "how often the SQLite file is checked for other instances' commits, and for having been deleted (default 100)"],
  ['FLAGSTAFF_ADMIN_TOKEN', 'first admin token of an empty store (fsa_…), instead of a generated one'],
  ['FLAGSTAFF_LOG_LEVEL', 'debug | info | warn | error (default info)'],
  ['FLAGSTAFF_BODY_LIMIT', 'largest request body in bytes (default 1048576)'],
  ['FLAGSTAFF_RATE_LIMIT', 'requests per minute per credential on /api and /hooks (default 1200; 0 = off)'],
  ['FLAGSTAFF_SHUTDOWN_TIMEOUT_MS', 'grace period for in-flight requests on SIGTERM (default 10000)'],
  ['FLAGSTAFF_HEARTBEAT_MS', 'SSE heartbeat interval (default 15000)'],
  ['FLAGSTAFF_PUBLIC_URL', "the console's address as people reach it (https://flags.example.com), for links in notifications (optional)"],
  [
    'FLAGSTAFF_NOTIFY_ALLOW_PRIVATE',
    '1: notifications may be posted to loopback, private and link-local addresses (default 0: public addresses only)',
  ],
  ['FLAGSTAFF_NOTIFY_TIMEOUT_MS', 'how long one notification request may take before it is retried (default 5000)'],
  ['REDIS_URL', 'fan changes out through Redis (optional)'],
  ['FLAGSTAFF_ROLE', 'primary (default) | relay: no database, SDK endpoints from Redis (same as --relay)'],
  ['FLAGSTAFF_STREAM_LOG_SIZE', 'changes held per environment for resuming streams (default 1000)'],
  ['FLAGSTAFF_STREAM_RETRY_MS', 'reconnect delay hinted to SDKs, jittered ±50% (default 3000)'],
  ['FLAGSTAFF_STREAM_MAX_BUFFER', 'bytes queued for one slow stream before it is dropped (default 1048576)'],
  ['FLAGSTAFF_STREAM_MAX_CLIENTS', 'streams held at most; more get 503 (default 20000)'],
  ['FLAGSTAFF_STREAM_MAX_NEW_PER_SEC', 'new streams accepted per second; more get 503 (default 5000)'],
  ['FLAGSTAFF_STREAM_SHUTDOWN_MS', 'window over which shutdown ends streams (default 2000)'],
  ['FLAGSTAFF_STREAM_GAP_MS', 'wait for a missing change before resyncing from a snapshot (default 1000)'],
  // Read by the launcher, before any of the server is loaded: it picks which build to load.
  ['FLAGSTAFF_NO_BUNDLE', '1: load the server from its modules even when a current bundle exists (read by bin/flagstaff-server.js)'],
];

const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Admin tokens need enough entropy to be stored as a plain SHA-256 (REFERENCE.md, "Security"). */
export const MIN_TOKEN_SECRET_LENGTH = 22;

/**
 * Reads integer variables from `env`: unset or empty gives the fallback; anything else outside
 * [min, max] is added to `problems` (so that every bad variable is reported at once) and gives the fallback.
 */
function integerReader(env: NodeJS.ProcessEnv, problems: string[]) {
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

/** The streaming settings, read with the same reader as the rest so that every problem is reported at once. */
function streamConfig(int: ReturnType<typeof integerReader>): StreamConfig {
  const d = STREAM_DEFAULTS;
  return {
    heartbeatMs: int('FLAGSTAFF_HEARTBEAT_MS', d.heartbeatMs, 100, 600_000),
    logCapacity: int('FLAGSTAFF_STREAM_LOG_SIZE', d.logCapacity, 1, 1_000_000),
    retryMs: int('FLAGSTAFF_STREAM_RETRY_MS', d.retryMs, 100, 600_000),
    maxBufferedBytes: int('FLAGSTAFF_STREAM_MAX_BUFFER', d.maxBufferedBytes, 1024, 1024 ** 3),
    maxConnections: int('FLAGSTAFF_STREAM_MAX_CLIENTS', d.maxConnections, 1, 10_000_000),
    maxNewPerSecond: int('FLAGSTAFF_STREAM_MAX_NEW_PER_SEC', d.maxNewPerSecond, 1, 10_000_000),
    shutdownWindowMs: int('FLAGSTAFF_STREAM_SHUTDOWN_MS', d.shutdownWindowMs, 0, 600_000),
    gapTimeoutMs: int('FLAGSTAFF_STREAM_GAP_MS', d.gapTimeoutMs, 10, 600_000),
  };
}

/**
 * The whole configuration from environment variables and the command line. Throws a ConfigError listing
 * every bad variable; creates and opens nothing.
 */
export function loadConfig(env: NodeJS.ProcessEnv, commandLine: CommandLine = {}): Config {
  if (commandLine.relay) env = { ...env, FLAGSTAFF_ROLE: 'relay' };
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
    stream: streamConfig(int),
    notify: {
      allowPrivate: env.FLAGSTAFF_NOTIFY_ALLOW_PRIVATE?.trim() === '1',
      publicUrl: env.FLAGSTAFF_PUBLIC_URL?.trim() || undefined,
      timeoutMs: int('FLAGSTAFF_NOTIFY_TIMEOUT_MS', 5000, 100, 60_000),
    },
    role: env.FLAGSTAFF_ROLE?.trim() === 'relay' ? 'relay' : 'primary',
  };
  if (!['', 'primary', 'relay'].includes(env.FLAGSTAFF_ROLE?.trim() ?? '')) {
    problems.push(`FLAGSTAFF_ROLE must be primary or relay, not "${env.FLAGSTAFF_ROLE}"`);
  }
  if (!['', '0', '1'].includes(env.FLAGSTAFF_NOTIFY_ALLOW_PRIVATE?.trim() ?? '')) {
    problems.push(`FLAGSTAFF_NOTIFY_ALLOW_PRIVATE must be 0 or 1, not "${env.FLAGSTAFF_NOTIFY_ALLOW_PRIVATE}"`);
  }
  if (config.notify.publicUrl !== undefined && !/^https?:\/\/[^/]+/.test(config.notify.publicUrl)) {
    problems.push(`FLAGSTAFF_PUBLIC_URL must be an http(s) URL, not "${config.notify.publicUrl}"`);
  }
  if (config.role === 'relay' && config.redisUrl === undefined) {
    problems.push('FLAGSTAFF_ROLE=relay (--relay) needs REDIS_URL: a relay serves the state kept in Redis');
  }
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
