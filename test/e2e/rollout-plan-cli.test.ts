// `flagstaff plans …` against a real server: what an operator types to run a progressive rollout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../helpers/server.js';
import { type Cli, cliIn, parseJson, tempHome } from './cli-harness.js';

type Plan = {
  id: number;
  state: string;
  percent: number;
  steps: Array<{ percent: number; holdSeconds: number }>;
  reason: string | null;
  variation: unknown;
  from: unknown;
};

let server: RunningServer;
let home: Awaited<ReturnType<typeof tempHome>>;
let cli: Cli;

beforeAll(async () => {
  server = await startServer();
  home = await tempHome();
  cli = cliIn(home.home, { FLAGSTAFF_URL: server.url, FLAGSTAFF_TOKEN: server.adminToken });
  for (const args of [
    ['flags', 'create', 'new-checkout'],
    ['flags', 'create', 'button-colour', '--type', 'string', '--variations', 'red,green'],
  ]) {
    const result = await cli(args);
    expect(result.code, result.stderr).toBe(0);
  }
});

afterAll(async () => {
  await server?.stop();
  await home?.remove();
});

describe('flagstaff plans', () => {
  it('refuses to start a plan in production without --yes when nobody can confirm', async () => {
    const result = await cli(['plans', 'create', 'new-checkout', '--env', 'production', '--steps', '5,25,50,100', '--hold', '1h']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('add --yes');
    expect((await server.api('GET', '/api/v1/rollout-plans')).body.plans).toEqual([]);
  });

  it('creates, shows, pauses, resumes and aborts a plan', async () => {
    const created = await cli([
      'plans',
      'create',
      'new-checkout',
      '--env',
      'production',
      '--steps',
      '5,25,50,100',
      '--hold',
      '1h',
      '--yes',
      '--reason',
      'release 4.2',
      '--json',
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(parseJson<Plan>(created)).toMatchObject({
      state: 'active',
      percent: 5,
      variation: true,
      from: false,
      steps: [5, 25, 50, 100].map((percent) => ({ percent, holdSeconds: 3600 })),
    });

    const shown = await cli(['plans', 'get', 'new-checkout', '--env', 'production']);
    expect(shown.stdout).toMatch(/state\s+active/);
    expect(shown.stdout).toMatch(/at\s+step 1 of 4: true to 5 %, false to the rest/);
    expect(shown.stdout).toMatch(/next\s+25 % at \d{4}-/);

    const paused = await cli(['plans', 'pause', 'new-checkout', '--env', 'production', '--yes', '--reason', 'latency up', '--json']);
    expect(parseJson<Plan>(paused)).toMatchObject({ state: 'paused', reason: 'latency up' });
    const resumed = await cli(['plans', 'resume', 'new-checkout', '--env', 'production', '--yes', '--json']);
    expect(parseJson<Plan>(resumed).state).toBe('active');
    const aborted = await cli(['plans', 'abort', 'new-checkout', '--env', 'production', '--yes', '--reason', 'wrong build', '--json']);
    expect(parseJson<Plan>(aborted)).toMatchObject({ state: 'aborted', reason: 'wrong build' });

    const list = await cli(['plans', 'list', '--flag', 'new-checkout']);
    expect(list.stdout).toMatch(/^ID\s+FLAG\s+ENV\s+STATE/);
    expect(list.stdout).toMatch(/new-checkout\s+production\s+aborted\s+5%\s+1\/4/);
  });

  it('rolls out a named variation of a string flag outside production without asking', async () => {
    const created = await cli([
      'plans',
      'create',
      'button-colour',
      '--env',
      'staging',
      '--steps',
      '10,100',
      '--hold',
      '30m',
      '--variation',
      'green',
      '--from',
      'red',
      '--json',
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(parseJson<Plan>(created)).toMatchObject({
      variation: 'green',
      from: 'red',
      percent: 10,
      steps: [{ percent: 10, holdSeconds: 1800 }, { percent: 100 }],
    });
  });

  it.each([
    ['a step that is not a percentage', ['--steps', '5,abc', '--hold', '1h'], 2, /percentage must be a number/],
    ['a hold that is not a duration', ['--steps', '5,100', '--hold', 'soon'], 2, /--hold is a duration/],
    ['steps the server refuses', ['--steps', '50,25', '--hold', '1h'], 1, /steps must increase/],
  ])('refuses %s with its exit code and a clear message', async (_case, args, code, message) => {
    const result = await cli(['plans', 'create', 'new-checkout', '--env', 'staging', ...args]);
    expect(result.code).toBe(code);
    expect(result.stderr).toMatch(message);
  });

  it('exits 1 when there is no plan to pause', async () => {
    const result = await cli(['plans', 'pause', 'new-checkout', '--env', 'development']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('new-checkout has no active or paused rollout plan in development');
  });
});
