// examples/node, run as the README tells a new user to run it: a real server, a server key from the admin
// API, the app started with FLAGSTAFF_URL and FLAGSTAFF_SDK_KEY — and a flag flip that changes its answer
// without a restart. Keeps the example (and the README's walk-through) from rotting.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, until, type RunningServer } from '../helpers/server.js';

const EXAMPLE = fileURLToPath(new URL('../../examples/node/server.mjs', import.meta.url));

let server: RunningServer;
let app: ChildProcess;
let appUrl: string;
let output = '';

const page = async (query: string) => (await fetch(`${appUrl}/?${query}`)).text();

beforeAll(async () => {
  server = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0' } });
  expect((await server.api('POST', '/api/v1/flags', { key: 'new-checkout' })).status).toBe(201);
  expect(
    (await server.api('POST', '/api/v1/flags', { key: 'banner-text', kind: 'string', variations: ['Welcome', 'Hello from Flagstaff'] }))
      .status,
  ).toBe(201);
  const key = await server.api('POST', '/api/v1/keys', { kind: 'server', env: 'production', name: 'example' });
  expect(key.status).toBe(201);

  app = spawn(process.execPath, [EXAMPLE], {
    env: { ...process.env, FLAGSTAFF_URL: server.url, FLAGSTAFF_SDK_KEY: key.body.key, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  app.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  app.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  appUrl = (await until(() => /example app on (http:\/\/localhost:\d+)\//.exec(output)?.[1], 15_000, `the example to listen:\n${output}`))!;
});

afterAll(async () => {
  if (app?.exitCode === null) {
    const exited = new Promise((resolve) => app.once('exit', resolve));
    app.kill('SIGTERM');
    await exited;
  }
  await server?.stop();
});

describe('examples/node', () => {
  it('starts on the flags of production, all off', async () => {
    expect(output).toMatch(/flags ready \(version \d+\)/);
    expect(await page('user=user-1&country=ZA')).toBe('Welcome, user-1: the old checkout\n');
  });

  it('changes its answer when the flags are flipped, without a restart', async () => {
    const rule = { id: 'africa', clauses: [{ attribute: 'country', op: 'in', values: ['ZA', 'NG', 'KE'] }], serve: { variation: 1 } };
    expect(
      (
        await server.api('PATCH', '/api/v1/flags/new-checkout/environments/production', {
          on: true,
          rules: [rule],
          fallthrough: { variation: 0 },
        })
      ).status,
    ).toBe(200);
    expect(
      (await server.api('PATCH', '/api/v1/flags/banner-text/environments/production', { on: true, fallthrough: { variation: 1 } })).status,
    ).toBe(200);

    await until(
      async () => (await page('user=user-1&country=ZA')) === 'Hello from Flagstaff, user-1: the new checkout\n',
      5_000,
      'the flip',
    );
    expect(await page('user=user-2&country=FR')).toBe('Hello from Flagstaff, user-2: the old checkout\n');
    expect(output).toMatch(/flags changed at version \d+: new-checkout/);
  });

  it('reports its status, and its usage when it stops', async () => {
    const status = await (await fetch(`${appUrl}/status`)).json();
    expect(status).toMatchObject({ state: 'ready', source: 'server', connection: 'streaming' });

    const exited = new Promise((resolve) => app.once('exit', resolve));
    app.kill('SIGTERM');
    expect(await exited).toBe(0);
    const usage = await server.api('GET', '/api/v1/flags/new-checkout/usage?env=production');
    expect(usage.body.usage[0].evaluations).toBeGreaterThanOrEqual(3);
  });
});
