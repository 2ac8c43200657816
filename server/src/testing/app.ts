// The whole HTTP application in-process (STYLE.md, "Routes tested in-process"): createApp over a real
// store on a temporary SQLite file, with a token of each scope and SDK keys of one environment, so that
// a route's validation, status codes, headers and error bodies are tested through `app.request(...)` in
// milliseconds. A spawned server (test/helpers/server.ts) is for what needs a process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { createApp } from '../app.js';
import { Auth } from '../auth.js';
import { loadConfig, type Config } from '../config.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { Lifecycle } from '../lifecycle.js';
import { createLogger, type Logger } from '../log.js';
import { createServerMetrics } from '../metrics.js';
import type { Actor, Scope } from '../store/resources.js';
import { Store } from '../store/store.js';
import { LocalChangeFeed } from '../store/changes.js';

export const TEST_ACTOR: Actor = { kind: 'admin', id: 'key_test', name: 'test' };
/** The environment the SDK keys belong to. */
export const TEST_ENV = 'production';

export interface TestApp {
  app: Hono<AppEnv>;
  store: Store;
  deps: AppDeps;
  /** Admin tokens, one per scope. */
  tokens: Record<Scope, string>;
  /** SDK keys of TEST_ENV. */
  keys: { server: string; client: string };
  /** Lines the app logged at warn or above. */
  logged: string[];
  /**
   * `app.request(path, init)` with `Authorization: Bearer <token>` (admin unless told; `null` sends none).
   * A `json` value is sent as the body; a string body gets Content-Type (JSON unless given) and Content-Length.
   */
  request(path: string, init?: RequestInit & { token?: string | null; json?: unknown }): Promise<Response>;
  close(): void;
}

export interface TestAppOptions {
  /** Variables for loadConfig, over the defaults (rate limit off, so that tables of requests are not throttled). */
  env?: NodeJS.ProcessEnv;
}

export function testApp({ env = {} }: TestAppOptions = {}): TestApp {
  const dir = mkdtempSync(join(tmpdir(), 'flagstaff-app-'));
  const config: Config = loadConfig({ FLAGSTAFF_RATE_LIMIT: '0', ...env, FLAGSTAFF_DB: join(dir, 'flagstaff.db') });
  const logged: string[] = [];
  const log: Logger = createLogger('warn', (line) => void logged.push(line));
  const feed = new LocalChangeFeed();
  const store = Store.open({ dbPath: config.dbPath, feed, log });
  const deps: AppDeps = {
    config,
    store,
    snapshots: store.snapshots,
    feed,
    auth: new Auth(store.keys),
    metrics: createServerMetrics(),
    log,
    lifecycle: new Lifecycle(),
  };
  const meta = { actor: TEST_ACTOR };
  const token = (scope: Scope) => store.keys.create({ kind: 'admin', name: scope, scopes: [scope] }, meta).key;
  const tokens = { read: token('read'), write: token('write'), admin: token('admin') };
  const keys = {
    server: store.keys.create({ kind: 'server', env: TEST_ENV }, meta).key,
    client: store.keys.create({ kind: 'client', env: TEST_ENV }, meta).key,
  };
  const app = createApp(deps);

  return {
    app,
    store,
    deps,
    tokens,
    keys,
    logged,
    request(path, { token = tokens.admin, json, ...init } = {}) {
      const headers = new Headers(init.headers);
      if (token !== null && !headers.has('Authorization')) headers.set('Authorization', `Bearer ${token}`);
      if (json !== undefined) init.body = JSON.stringify(json);
      if (typeof init.body === 'string') {
        if (!headers.has('Content-Type')) headers.set('Content-Type', 'application/json');
        // As a Node server sees it: jsonBodies checks the declared length.
        headers.set('Content-Length', String(Buffer.byteLength(init.body)));
      }
      return Promise.resolve(app.request(path, { ...init, headers }));
    },
    close() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
