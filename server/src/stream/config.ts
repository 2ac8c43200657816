// Streaming settings from environment variables (documented in docs/protocol.md, "Server settings").
// Defaults fit one instance serving tens of thousands of SDKs; a bad value stops the server at start-up.
import { ConfigError, integerReader } from '../config.js';
import { HUB_DEFAULTS } from './hub.js';

export interface StreamConfig {
  /** Replay log length per environment. */
  logCapacity: number;
  retryMs: number;
  maxBufferedBytes: number;
  maxConnections: number;
  maxNewPerSecond: number;
  /** Window over which a graceful shutdown spreads the end of every stream. */
  shutdownWindowMs: number;
  gapTimeoutMs: number;
}

export const STREAM_CONFIG_VARIABLES: ReadonlyArray<[name: string, meaning: string]> = [
  ['FLAGSTAFF_STREAM_LOG_SIZE', 'changes held per environment for resuming streams (default 1000)'],
  ['FLAGSTAFF_STREAM_RETRY_MS', 'reconnect delay hinted to SDKs, jittered ±50% (default 3000)'],
  ['FLAGSTAFF_STREAM_MAX_BUFFER', 'bytes queued for one slow stream before it is dropped (default 1048576)'],
  ['FLAGSTAFF_STREAM_MAX_CLIENTS', 'streams held at most; more get 503 (default 20000)'],
  ['FLAGSTAFF_STREAM_MAX_NEW_PER_SEC', 'new streams accepted per second; more get 503 (default 5000)'],
  ['FLAGSTAFF_STREAM_SHUTDOWN_MS', 'window over which shutdown ends streams (default 2000)'],
  ['FLAGSTAFF_STREAM_GAP_MS', 'wait for a missing change before resyncing from a snapshot (default 1000)'],
];

export function loadStreamConfig(env: NodeJS.ProcessEnv = process.env): StreamConfig {
  const problems: string[] = [];
  const int = integerReader(env, problems);
  const config: StreamConfig = {
    logCapacity: int('FLAGSTAFF_STREAM_LOG_SIZE', HUB_DEFAULTS.logCapacity, 1, 1_000_000),
    retryMs: int('FLAGSTAFF_STREAM_RETRY_MS', HUB_DEFAULTS.retryMs, 100, 600_000),
    maxBufferedBytes: int('FLAGSTAFF_STREAM_MAX_BUFFER', HUB_DEFAULTS.maxBufferedBytes, 1024, 1024 ** 3),
    maxConnections: int('FLAGSTAFF_STREAM_MAX_CLIENTS', 20_000, 1, 10_000_000),
    maxNewPerSecond: int('FLAGSTAFF_STREAM_MAX_NEW_PER_SEC', 5000, 1, 10_000_000),
    shutdownWindowMs: int('FLAGSTAFF_STREAM_SHUTDOWN_MS', 2000, 0, 600_000),
    gapTimeoutMs: int('FLAGSTAFF_STREAM_GAP_MS', HUB_DEFAULTS.gapTimeoutMs, 10, 600_000),
  };
  if (problems.length > 0) throw new ConfigError(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
