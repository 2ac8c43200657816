// What an operator relies on that needs the server's own process: metrics that start.ts wires (committed
// changes, SDK stream connections over a socket), configuration errors that name the variable and the exit
// code, and a clean exit on SIGTERM/SIGINT. Health, readiness, request metrics and request logs are tested
// in-process (server/src/routes/health.test.ts, server/src/http/observe.test.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, SERVER_MAIN, startServer, until, type RunningServer } from '../helpers/server.js';

let server: RunningServer;
let serverKey: string;

beforeAll(async () => {
  server = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0' } });
  serverKey = (await createKey(server, { kind: 'server', env: 'production' })).key;
});

afterAll(async () => {
  await server?.stop();
});

/** The value of one series in the Prometheus text, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((pair) => l.includes(pair)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('metrics', () => {
  it('counts flag changes and SDK connections', async () => {
    await server.api('POST', '/api/v1/flags', { key: 'metered' });
    await server.api('PATCH', '/api/v1/flags/metered/environments/production', { on: true });
    const stream = new AbortController();
    const res = await fetch(`${server.url}/sdk/v1/stream`, { headers: { Authorization: serverKey }, signal: stream.signal });
    expect(res.status).toBe(200);
    try {
      const text = await until(
        async () => {
          const body = await (await fetch(`${server.url}/metrics`)).text();
          return (sample(body, 'flagstaff_stream_clients', { env: 'production' }) ?? 0) >= 1 ? body : undefined;
        },
        10_000,
        'the stream connection in /metrics',
      );
      expect(sample(text, 'flagstaff_changes_total', { env: 'production', action: 'flag_state.update' })).toBe(1);
      expect(sample(text, 'flagstaff_stream_clients', { env: 'production', audience: 'server' })).toBe(1);
    } finally {
      stream.abort();
    }
  });
});

describe('configuration', () => {
  it.each([
    ['FLAGSTAFF_PORT', 'eighty', /FLAGSTAFF_PORT must be an integer from 0 to 65535, not "eighty"/],
    ['FLAGSTAFF_LOG_LEVEL', 'loud', /FLAGSTAFF_LOG_LEVEL must be one of debug, info, warn, error/],
    ['FLAGSTAFF_ADMIN_TOKEN', 'fsa_short', /FLAGSTAFF_ADMIN_TOKEN is too short to be a secret/],
    ['FLAGSTAFF_BODY_LIMIT', '-1', /FLAGSTAFF_BODY_LIMIT must be an integer/],
  ])('refuses %s=%s before opening anything, exit code 2', (name, value, message) => {
    const run = spawnSync(process.execPath, [SERVER_MAIN], {
      env: { PATH: process.env.PATH, FLAGSTAFF_DB: '/nonexistent/never/created.db', [name]: value },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it.each([
    ['FLAGSTAFF_STREAM_RETRY_MS', 'soon', /FLAGSTAFF_STREAM_RETRY_MS must be an integer from 100 to 600000, not "soon"/],
    ['FLAGSTAFF_STREAM_MAX_CLIENTS', '0', /FLAGSTAFF_STREAM_MAX_CLIENTS must be an integer from 1 to 10000000, not "0"/],
    ['FLAGSTAFF_HEARTBEAT_MS', '5', /FLAGSTAFF_HEARTBEAT_MS must be an integer from 100 to 600000, not "5"/],
  ])('refuses the stream setting %s=%s before the database file is created, exit code 2', (name, value, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'flagstaff-badstream-'));
    try {
      const path = join(dir, 'data', 'flagstaff.db');
      const run = spawnSync(process.execPath, [SERVER_MAIN], {
        env: { PATH: process.env.PATH, FLAGSTAFF_PORT: '0', FLAGSTAFF_DB: path, [name]: value },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(run.stderr).toMatch(message);
      expect(run.status).toBe(2);
      expect(existsSync(path)).toBe(false);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the file when FLAGSTAFF_DB is not a database, exit code 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flagstaff-notdb-'));
    try {
      const path = join(dir, 'flagstaff.db');
      writeFileSync(path, 'these are not the bytes of a SQLite database\n'.repeat(20));
      const run = spawnSync(process.execPath, [SERVER_MAIN], {
        env: { PATH: process.env.PATH, FLAGSTAFF_PORT: '0', FLAGSTAFF_DB: path },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain(`cannot open the database ${path}: file is not a database`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists every variable in --help', () => {
    const run = spawnSync(process.execPath, [SERVER_MAIN, '--help'], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(0);
    for (const name of ['FLAGSTAFF_PORT', 'FLAGSTAFF_DB', 'FLAGSTAFF_ADMIN_TOKEN', 'FLAGSTAFF_BODY_LIMIT', 'REDIS_URL'])
      expect(run.stdout).toContain(name);
    for (const name of ['FLAGSTAFF_HEARTBEAT_MS', 'FLAGSTAFF_STREAM_RETRY_MS', 'FLAGSTAFF_STREAM_GAP_MS', 'FLAGSTAFF_NO_BUNDLE'])
      expect(run.stdout).toContain(name);
  });
});

describe('graceful shutdown', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('on %s: logs, ends open streams, and exits 0', async (signal) => {
    const own = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0' } });
    const key = (await createKey(own, { kind: 'server', env: 'production' })).key;
    const stream = await fetch(`${own.url}/sdk/v1/stream`, { headers: { Authorization: key } });
    expect(stream.status).toBe(200);
    const reading = (async () => {
      const reader = stream.body!.getReader();
      while (!(await reader.read()).done);
    })();
    const exited = new Promise<number | null>((resolve) => own.proc.once('exit', (code) => resolve(code)));
    own.proc.kill(signal);
    expect(await exited).toBe(0);
    await reading; // the stream ended instead of hanging
    const messages = own.logs().map((l) => l.msg);
    expect(messages).toEqual(expect.arrayContaining(['shutting down', 'stopped']));
    expect(own.logs().find((l) => l.msg === 'shutting down')).toMatchObject({ reason: signal });
    await own.stop();
  });

  it('lets a request in flight finish and commit before the database closes', async () => {
    const own = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0' } });
    const body = '{"key":"late-arrival"}';
    const socket = connect(own.port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    socket.write(
      `POST /api/v1/flags HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${own.adminToken}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`,
    );
    // "100 Continue" proves the server holds the request: it is in flight when the signal arrives.
    await until(() => received.includes('100 Continue'), 10_000, '100 Continue');
    const exited = new Promise<number | null>((resolve) => own.proc.once('exit', (code) => resolve(code)));
    own.proc.kill('SIGTERM');
    await own.waitForOutput(/"msg":"shutting down"/);
    socket.write(body);
    const response = await until(() => (/\r\n\r\n\{.*\}$/s.test(received) ? received : undefined), 10_000, 'the response');
    socket.destroy();
    expect(response).toMatch(/^HTTP\/1\.1 201 /m);
    expect(response).toMatch(/^connection: close/im);
    expect(await exited).toBe(0);
    await own.restart();
    expect((await own.api('GET', '/api/v1/flags/late-arrival')).status).toBe(200);
    await own.stop();
  });
});
