// Starts a real Flagstaff server (the `flagstaff-server` command: server/bin/flagstaff-server.js) on a free port and a temporary SQLite
// file, for tests that need the whole thing: HTTP, SQLite, signals. Build first: `npx tsc -b server`.
//
//   const server = await startServer();
//   const res = await server.api('POST', '/api/v1/flags', { key: 'new-checkout' });
//   await server.stop();
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** The command an operator runs: it loads the server's bundle while that is current, else its modules. */
export const SERVER_MAIN = join(REPO, 'server/bin/flagstaff-server.js');
const SERVER_BUILT = join(REPO, 'server/dist/main.js');

export interface StartServerOptions {
  /** Extra environment variables; `FLAGSTAFF_ADMIN_TOKEN: ''` lets the server generate (and print) one. */
  env?: Record<string, string>;
  /** Reuse this SQLite file (it is not deleted on stop). Default: a fresh file in a temp dir. */
  dbPath?: string;
  args?: string[];
  /** How long to wait for the server to listen and be ready (default 20 s). */
  startTimeoutMs?: number;
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON, the text of a non-JSON body, or null when there is none. */
  body: T;
}

export interface RunningServer {
  url: string;
  port: number;
  adminToken: string;
  dbPath: string;
  /** The current process (a new one after restart). */
  proc: ChildProcess;
  /** SIGTERM, then wait for the process to exit. Removes the temp dir it created. */
  stop(): Promise<void>;
  /** SIGKILL, then wait for the process to exit. The database stays for a restart. */
  kill(): Promise<void>;
  /** Stop if running, then start again on the same database and port, and wait until ready. */
  restart(): Promise<void>;
  /** A request with the admin token (`headers: { Authorization: '' }` sends none). JSON bodies are encoded. */
  api<T = any>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  /** Everything the current process wrote to stdout and stderr. */
  output(): string;
  /** The JSON log lines of the current process. */
  logs(): Array<Record<string, unknown>>;
  /** Resolves when the output matches `pattern`; rejects after `timeoutMs`. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

const live = new Set<ChildProcess>();
const ownedDirs = new Set<string>();
process.once('exit', () => {
  for (const proc of live) proc.kill('SIGKILL');
  for (const dir of ownedDirs) rmSync(dir, { recursive: true, force: true });
});

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function until<T>(check: () => T | Promise<T>, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  // The developer's own settings must not leak into a test server.
  for (const name of Object.keys(env)) if (name.startsWith('FLAGSTAFF_') || name === 'REDIS_URL') delete env[name];
  return env;
}

async function parseBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return null;
  if (/json/i.test(res.headers.get('content-type') ?? '')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  if (!existsSync(SERVER_BUILT)) throw new Error(`${SERVER_BUILT} is missing: build the server first (npx tsc -b server)`);
  const ownDir = options.dbPath === undefined ? mkdtempSync(join(tmpdir(), 'flagstaff-test-')) : undefined;
  if (ownDir) ownedDirs.add(ownDir);
  const dbPath = options.dbPath ?? join(ownDir!, 'flagstaff.db');
  const generateToken = options.env?.FLAGSTAFF_ADMIN_TOKEN === '';
  let adminToken = options.env?.FLAGSTAFF_ADMIN_TOKEN || `fsa_${randomBytes(24).toString('base64url')}`;
  const timeoutMs = options.startTimeoutMs ?? 20_000;

  let proc!: ChildProcess;
  let out = '';
  let exited!: Promise<number | null>;
  let port = 0;

  const spawnOnce = async (fixedPort: number) => {
    out = '';
    const env: NodeJS.ProcessEnv = {
      ...cleanEnv(),
      FLAGSTAFF_PORT: String(fixedPort),
      FLAGSTAFF_DB: dbPath,
      ...(generateToken ? {} : { FLAGSTAFF_ADMIN_TOKEN: adminToken }),
      ...options.env,
    };
    if (generateToken) delete env.FLAGSTAFF_ADMIN_TOKEN;
    const child = spawn(process.execPath, [SERVER_MAIN, ...(options.args ?? [])], { env, cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    proc = child;
    live.add(child);
    exited = new Promise((resolve) => child.once('exit', (code) => (live.delete(child), resolve(code))));
    // Both pipes are always drained: a full pipe would block the server's writes.
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));

    const exitedEarly = exited.then((code) => {
      throw new Error(`the server exited with ${code} before it was ready:\n${out}`);
    });
    exitedEarly.catch(() => {}); // only the race below cares, and only until the server is ready
    const listening = await Promise.race([
      until(() => logLines().find((line) => line.msg === 'listening'), timeoutMs, 'the server to listen'),
      exitedEarly,
    ]).catch(async (error) => {
      child.kill('SIGKILL');
      throw error;
    });
    port = Number(listening.port);
    if (generateToken) {
      const printed = /^\s+(fsa_[\w-]+)\s*$/m.exec(out);
      if (printed) adminToken = printed[1]!;
    }
    await Promise.race([
      until(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, timeoutMs, 'GET /readyz → 200'),
      exitedEarly,
    ]);
  };

  const logLines = () =>
    out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });

  const running = () => proc.exitCode === null && proc.signalCode === null;

  const terminate = async (signal: NodeJS.Signals) => {
    if (!running()) return;
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };

  await spawnOnce(0);

  const server: RunningServer = {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    get adminToken() {
      return adminToken;
    },
    dbPath,
    get proc() {
      return proc;
    },
    async stop() {
      await terminate('SIGTERM');
      if (ownDir) {
        rmSync(ownDir, { recursive: true, force: true });
        ownedDirs.delete(ownDir);
      }
    },
    kill: () => terminate('SIGKILL'),
    async restart() {
      await terminate('SIGTERM');
      await spawnOnce(port);
    },
    async api(method, path, body, headers = {}) {
      const merged: Record<string, string> = { Authorization: `Bearer ${adminToken}` };
      if (body !== undefined) merged['Content-Type'] = 'application/json';
      for (const [name, value] of Object.entries(headers)) {
        const existing = Object.keys(merged).find((k) => k.toLowerCase() === name.toLowerCase());
        if (existing) delete merged[existing];
        if (value !== '') merged[name] = value;
      }
      const res = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        headers: merged,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      return { status: res.status, headers: res.headers, body: (await parseBody(res)) as any };
    },
    output: () => out,
    logs: logLines,
    waitForOutput: (pattern, ms = 10_000) => until(() => out.match(pattern), ms, `output matching ${pattern}`),
  };
  return server;
}

/** Creates an SDK key (or an admin token) through the admin API; returns its id and its secret. */
export async function createKey(
  server: RunningServer,
  body: { kind: 'admin' | 'server' | 'client'; env?: string; scopes?: string[]; name?: string },
): Promise<{ id: string; key: string }> {
  const res = await server.api('POST', '/api/v1/keys', body);
  if (res.status !== 201) throw new Error(`creating a ${body.kind} key failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
