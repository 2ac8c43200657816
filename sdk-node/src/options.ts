// What an application can set, and the defaults that make `createClient({ url, sdkKey })` enough.
import { randomUUID } from 'node:crypto';
import type { Snapshot } from '@flagstaff/core/evaluate';
import type { Logger } from './logger.js';

export interface ClientOptions {
  /** The Flagstaff server, e.g. `http://localhost:8420`. */
  url?: string;
  /** A server SDK key (`fss_…`) of one environment. */
  sdkKey?: string;
  /** Flags to serve until the server's arrive: a snapshot (`GET /sdk/v1/flags`'s shape), or a JSON file's path. */
  bootstrap?: Snapshot | string;
  /** Serve only the bootstrap: no stream, no polling, no usage reports. */
  offline?: boolean;
  /** Where the SDK reports what happens; silent by default. */
  logger?: Partial<Logger>;
  /**
   * Reconnection delays, with full jitter below a ceiling that grows with the outage, from `baseMs` to `maxMs`.
   * The outage ends with a stream that delivered the server's state and stayed up `resetAfterMs`.
   */
  reconnect?: { baseMs?: number; maxMs?: number; resetAfterMs?: number };
  /** No byte (event or heartbeat) for this long means the connection is dead. The server beats every 15 s. */
  heartbeatTimeoutMs?: number;
  /** While the stream cannot connect, `GET /sdk/v1/flags` this often. */
  pollIntervalMs?: number;
  /** After the server refuses the key (401/403), try again this much later. */
  refusedRetryMs?: number;
  /** Timeout of each plain request (polls, resyncs, usage reports) and of a stream's connection attempt. */
  requestTimeoutMs?: number;
  /** Evaluation counts and the applied version, sent to `POST /sdk/v1/usage`; `false` turns it off. */
  usage?: false | { intervalMs?: number };
  /** Names this SDK instance in the admin API (`/environments/:env/sdk-instances`); random by default. */
  instanceId?: string;
}

export interface ClientConfig {
  baseUrl: string;
  sdkKey: string;
  bootstrap: Snapshot | string | undefined;
  offline: boolean;
  reconnect: { baseMs: number; maxMs: number; resetAfterMs: number };
  heartbeatTimeoutMs: number;
  pollIntervalMs: number;
  refusedRetryMs: number;
  requestTimeoutMs: number;
  usageIntervalMs: number | null;
  instanceId: string;
}

const positive = (value: number | undefined, fallback: number) =>
  typeof value === 'number' && value > 0 && Number.isFinite(value) ? value : fallback;

/** The settings with defaults filled in, and what is wrong with them (the client reports it, never throws). */
export function resolveOptions(options: ClientOptions): { config: ClientConfig; problems: string[] } {
  const problems: string[] = [];
  const offline = options.offline === true;
  let baseUrl = '';
  if (!offline) {
    try {
      const url = new URL(String(options.url));
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('not http(s)');
      baseUrl = url.href.replace(/\/+$/, '');
    } catch {
      problems.push(`url must be the server's http(s) address, got ${JSON.stringify(options.url)}`);
    }
    if (typeof options.sdkKey !== 'string' || options.sdkKey.trim() === '') problems.push('sdkKey is required');
  } else if (options.bootstrap === undefined) {
    problems.push('offline mode serves only the bootstrap, and none was given');
  }
  const usage = options.usage;
  return {
    problems,
    config: {
      baseUrl,
      sdkKey: typeof options.sdkKey === 'string' ? options.sdkKey.trim() : '',
      bootstrap: options.bootstrap,
      offline,
      reconnect: {
        baseMs: positive(options.reconnect?.baseMs, 1_000),
        maxMs: positive(options.reconnect?.maxMs, 30_000),
        resetAfterMs: positive(options.reconnect?.resetAfterMs, 1_000),
      },
      heartbeatTimeoutMs: positive(options.heartbeatTimeoutMs, 45_000),
      pollIntervalMs: positive(options.pollIntervalMs, 30_000),
      refusedRetryMs: positive(options.refusedRetryMs, 300_000),
      requestTimeoutMs: positive(options.requestTimeoutMs, 10_000),
      usageIntervalMs: usage === false || offline ? null : positive(usage?.intervalMs, 60_000),
      instanceId: typeof options.instanceId === 'string' && options.instanceId !== '' ? options.instanceId : randomUUID(),
    },
  };
}
