// The whole HTTP application in-process (STYLE.md, "Routes tested in-process"): createApp over a real
// store in an in-memory SQLite database, with a token of each scope and SDK keys of one environment, so
// that a route's validation, status codes, headers and error bodies are tested through `app.request(...)`
// in milliseconds. A spawned server (test/helpers/server.ts) is for what needs a process.
import { expect } from 'vitest';
import type { Hono } from 'hono';
import { createApp } from '../app.js';
import { Auth } from '../auth.js';
import { bootstrapAdminToken } from '../bootstrap.js';
import { loadConfig, type Config, type LogLevel } from '../config.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { Lifecycle } from '../lifecycle.js';
import { createLogger, type Logger } from '../log.js';
import { createServerMetrics } from '../metrics.js';
import { outboxWriter } from '../notify/outbox.js';
import { DeliveryWorker, type WorkerOptions } from '../notify/worker.js';
import type { Actor, Scope } from '../store/resources.js';
import { Store } from '../store/store.js';
import { LocalChangeFeed } from '../store/changes.js';
import { createStreaming, type Streaming } from '../stream/streaming.js';

export const TEST_ACTOR: Actor = { kind: 'admin', id: 'key_test', name: 'test' };
/** The environment the SDK keys belong to. */
export const TEST_ENV = 'production';
/** The client address requests come from unless told (what the rate limiter keys refusals by). */
export const TEST_ADDRESS = '127.0.0.1';

/** Any ISO 8601 time in UTC with milliseconds, as every `…At` field of the API is written. */
export const ISO = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

export type RequestOptions = RequestInit & {
  /** The admin token to send as `Authorization: Bearer …` (the admin one unless told; `null` sends none). */
  token?: string | null;
  /** Sent as the JSON body. */
  json?: unknown;
  /** The client address the server sees (TEST_ADDRESS unless told). */
  address?: string;
};

/** A response with its body read: parsed JSON, the text of any other body, or null when there is none. */
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestApp {
  app: Hono<AppEnv>;
  store: Store;
  deps: AppDeps;
  /** With `streaming: true`: the hub and its propagation reports. */
  streaming?: Streaming;
  /** Admin tokens, one per scope; the admin one is the store's first, as a real server's bootstrap token is. */
  tokens: Record<Scope, string>;
  /** SDK keys of TEST_ENV. */
  keys: { server: string; client: string };
  /** Lines the app logged at the configured level (warn unless told) or above. */
  logged: string[];
  /**
   * `app.request(path, init)` with `Authorization: Bearer <token>` (admin unless told; `null` sends none).
   * A `json` value is sent as the body; a string body gets Content-Type (JSON unless given) and Content-Length.
   */
  request(path: string, init?: RequestOptions): Promise<Response>;
  /**
   * As test/helpers/server.ts's `server.api`: the admin token unless `headers` give another Authorization
   * (`''` sends none, for any header); an object body is sent as JSON, a string as it is; the body read.
   */
  api<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  /** `api`, for a step a test relies on: anything but a 2xx throws, with the answer in the message. */
  ok<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  close(): void;
  /** Stops the delivery worker (if `delivery` started one) and waits for its round to end. */
  stopDelivery(): Promise<void>;
}

export interface TestAppOptions {
  /** Variables for loadConfig, over the defaults (rate limit off, so that tables of requests are not throttled). */
  env?: NodeJS.ProcessEnv;
  /** The lowest level `logged` collects (default warn). */
  logLevel?: LogLevel;
  /**
   * Runs a notification delivery worker with these options over the defaults (loopback receivers need
   * `env: { FLAGSTAFF_NOTIFY_ALLOW_PRIVATE: '1' }`); without it, outbox rows are written and nothing delivers them.
   */
  delivery?: Partial<Omit<WorkerOptions, 'store' | 'log'>>;
  /** Builds streaming (hub, stream route, propagation reports) into the app, as start.ts does. */
  streaming?: boolean;
}

export function testApp({ env = {}, logLevel = 'warn', delivery, streaming = false }: TestAppOptions = {}): TestApp {
  const config: Config = { ...loadConfig({ FLAGSTAFF_RATE_LIMIT: '0', ...env }), dbPath: ':memory:' };
  const logged: string[] = [];
  const log: Logger = createLogger(logLevel, (line) => void logged.push(line));
  const feed = new LocalChangeFeed();
  const store = Store.open({ dbPath: config.dbPath, feed, log });
  const worker =
    delivery === undefined ? undefined : new DeliveryWorker({ store, log, allowPrivate: config.notify.allowPrivate, ...delivery });
  store.onAudit(outboxWriter(store, () => worker?.kick()));
  const deps: AppDeps = {
    config,
    store,
    snapshots: store.snapshots,
    feed,
    auth: new Auth(store.keys),
    metrics: createServerMetrics(),
    log,
    lifecycle: new Lifecycle(),
    ...(worker ? { notifications: worker } : {}),
  };
  const stream = streaming ? createStreaming({ config, store, feed, auth: deps.auth, log }) : undefined;
  if (stream !== undefined) deps.streaming = stream;
  const meta = { actor: TEST_ACTOR };
  const adminToken = bootstrapAdminToken(store, config, log)!;
  const token = (scope: Scope) => store.keys.create({ kind: 'admin', name: scope, scopes: [scope] }, meta).key;
  const tokens = { read: token('read'), write: token('write'), admin: adminToken };
  const keys = {
    server: store.keys.create({ kind: 'server', env: TEST_ENV }, meta).key,
    client: store.keys.create({ kind: 'client', env: TEST_ENV }, meta).key,
  };
  const app = createApp(deps);
  worker?.start();

  const request: TestApp['request'] = (path, { token = tokens.admin, json, address = TEST_ADDRESS, ...init } = {}) => {
    const headers = new Headers(init.headers);
    if (token !== null && !headers.has('Authorization')) headers.set('Authorization', `Bearer ${token}`);
    if (json !== undefined) init.body = JSON.stringify(json);
    if (typeof init.body === 'string') {
      if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
      // As a Node server sees it: jsonBodies checks the declared length.
      headers.set('Content-Length', String(Buffer.byteLength(init.body)));
    }
    // What @hono/node-server's getConnInfo reads (the rate limiter keys refusals by address).
    const bindings = { incoming: { socket: { remoteAddress: address, remotePort: 40_000, remoteFamily: 'IPv4' } } };
    return Promise.resolve(app.request(path, { ...init, headers }, bindings));
  };

  const self: TestApp = {
    app,
    store,
    deps,
    tokens,
    keys,
    logged,
    request,
    async api(method, path, body, extra = {}) {
      const headers: Record<string, string> = { Authorization: `Bearer ${tokens.admin}` };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      for (const [name, value] of Object.entries(extra)) {
        const existing = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
        if (existing) delete headers[existing];
        if (value !== '') headers[name] = value;
      }
      const init: RequestOptions = { method, headers, token: null };
      if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
      const res = await request(path, init);
      return { status: res.status, headers: res.headers, body: await bodyOf(res) };
    },
    async ok(method, path, body, headers) {
      const res = await self.api(method, path, body, headers);
      if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
      return res;
    },
    async stopDelivery() {
      await worker?.stop();
    },
    streaming: stream,
    close() {
      void worker?.stop();
      stream?.hub.stop();
      store.close();
    },
  };
  return self;
}

async function bodyOf(res: Response): Promise<any> {
  const text = await res.text();
  if (text === '') return null;
  if (!/json/i.test(res.headers.get('content-type') ?? '')) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
