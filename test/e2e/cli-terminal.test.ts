// The `flagstaff` binary on a pseudo-terminal against a real server: what changes when a person is at the
// keyboard. Production changes are confirmed, the token prompt does not echo, tables are coloured unless
// NO_COLOR or --no-color, and a concurrent edit made while apply waits for its "y" is reported, not
// overwritten. The same commands without a terminal are in cli-commands.test.ts.
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startServer } from '../helpers/server.js';
import { type Cli, cliIn, tempHome } from './cli-harness.js';
import { type Terminal, terminalIn } from './cli-terminal.js';

type Server = Awaited<ReturnType<typeof startServer>>;
type FlagState = { version: number; on: boolean; targets: { variation: number; values: string[] }[]; fallthrough: unknown };

let server: Server;
let home: Awaited<ReturnType<typeof tempHome>>;
let terminal: Terminal;
let cli: Cli;

beforeAll(async () => {
  server = await startServer();
  home = await tempHome();
  const connection = { FLAGSTAFF_URL: server.url, FLAGSTAFF_TOKEN: server.adminToken };
  terminal = terminalIn(home.home, connection);
  cli = cliIn(home.home, connection);
});

afterAll(async () => {
  await server?.stop();
  await home?.remove();
});

async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await server.api<T>(method, `/api/v1/${path}`, body);
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

const stateOf = (flag: string, env: string) => admin<FlagState>('GET', `flags/${flag}/environments/${env}`);

async function flagOnInProduction(key: string): Promise<void> {
  await admin('POST', 'flags', { key });
  await admin('PATCH', `flags/${key}/environments/production`, { on: true });
}

describe('the production confirmation', () => {
  beforeAll(() => flagOnInProduction('guarded'));

  it('asks before the kill switch in production, and changes nothing on "n"', async () => {
    const before = await stateOf('guarded', 'production');
    const session = terminal(['off', 'guarded', '--env', 'production']);
    await session.waitFor(/Turn off guarded in production\? \[y\/N\] $/);
    session.type('n\r');
    const { code, screen } = await session.done;
    expect(code).toBe(1);
    expect(screen).toContain('not confirmed; nothing changed');
    expect(await stateOf('guarded', 'production')).toEqual(before);
  });

  it.each([
    ['Enter alone', '\r'],
    ['an answer other than yes', 'sure\r'],
  ])('takes %s as no', async (_name, keys) => {
    const session = terminal(['off', 'guarded', '--env', 'production']);
    await session.waitFor(/\[y\/N\] $/);
    session.type(keys);
    expect((await session.done).code).toBe(1);
    expect((await stateOf('guarded', 'production')).on).toBe(true);
  });

  it('goes ahead on "y" and records the reason', async () => {
    const session = terminal(['off', 'guarded', '--env', 'production', '--reason', 'INC-9 errors']);
    await session.waitFor(/Turn off guarded in production\? \[y\/N\] $/);
    session.type('y\r');
    const { code, screen } = await session.done;
    expect(code, screen).toBe(0);
    expect(screen).toMatch(/guarded is .*OFF.* in production/);
    expect((await stateOf('guarded', 'production')).on).toBe(false);
    const { entries } = await admin<{ entries: { reason?: string }[] }>('GET', 'audit?flag=guarded&env=production&limit=1');
    expect(entries[0]?.reason).toBe('INC-9 errors');
  });

  it('does not ask with --yes, nor for other environments', async () => {
    for (const args of [
      ['on', 'guarded', '--env', 'production', '--yes'],
      ['rollout', 'guarded', '30', '--env', 'staging'],
    ]) {
      const { code, screen } = await terminal(args).done;
      expect(code, screen).toBe(0);
      expect(screen).not.toContain('[y/N]');
    }
    expect((await stateOf('guarded', 'production')).on).toBe(true);
  });
});

describe('login on a terminal', () => {
  it('asks for the token without showing it, and stores it readable by the owner only', async () => {
    const own = await tempHome();
    try {
      const session = terminalIn(own.home)(['login', '--url', server.url]);
      await session.waitFor(/Admin token: $/);
      session.type(`${server.adminToken}\r`);
      const { code, screen } = await session.done;
      expect(code, screen).toBe(0);
      expect(screen).toContain(`Logged in to ${server.url}`);
      expect(screen).not.toContain(server.adminToken);
      expect((await stat(join(own.home, '.config', 'flagstaff', 'config.json'))).mode & 0o777).toBe(0o600);
    } finally {
      await own.remove();
    }
  });
});

describe('colours', () => {
  const ESC = '\x1b[';

  it.each([
    ['shows the flag table in colour on a terminal', [], {}, true],
    ['shows it plain with NO_COLOR set', [], { NO_COLOR: '1' }, false],
    ['shows it plain with --no-color', ['--no-color'], {}, false],
    ['shows it plain with TERM=dumb', [], { TERM: 'dumb' }, false],
  ] as const)('%s', async (_name, args, env, coloured) => {
    const { code, screen } = await terminal(['flags', 'list', ...args], { env }).done;
    expect(code, screen).toBe(0);
    expect(screen).toMatch(/KEY\s+KIND/);
    expect(screen.includes(ESC)).toBe(coloured);
  });

  it('never colours output that goes to a pipe', async () => {
    const { stdout } = await cli(['flags', 'list']);
    expect(stdout).toMatch(/^KEY\s+KIND/);
    expect(stdout).not.toContain(ESC);
  });
});

describe('apply and a concurrent edit', () => {
  it('reports a change made while it waited for confirmation as a conflict, keeps that change, and applies the rest', async () => {
    await flagOnInProduction('raced');
    const exported = await cli(['export']);
    const doc = parse(exported.stdout) as { flags: Record<string, { environments: Record<string, Record<string, unknown>> }> };
    const raced = doc.flags.raced!.environments;
    raced.production!.fallthrough = { rollout: { bucketBy: 'key', weights: [75_000, 25_000] } };
    raced.staging!.on = true;
    const file = join(home.home, 'raced.yaml');
    await writeFile(file, stringify(doc));

    const session = terminal(['apply', '-f', file]);
    await session.waitFor(/Apply this plan \(0 to create, 2 to update\)\? \[y\/N\] $/);
    // Someone else's kill-switch edit lands between the plan and the "y".
    await admin('PATCH', 'flags/raced/environments/production', { targets: [{ variation: 0, values: ['vip-1'] }] });
    session.type('y\r');
    const { code, screen } = await session.done;

    expect(code, screen).toBe(1);
    expect(screen).toMatch(/✗ conflict: raced in production/);
    expect(screen).toMatch(/✓ updated raced in staging/);
    expect(screen).toContain('1 of 2 changes were not applied');
    const production = await stateOf('raced', 'production');
    expect(production.targets).toEqual([{ variation: 0, values: ['vip-1'] }]);
    expect(production.fallthrough).not.toEqual({ rollout: { bucketBy: 'key', weights: [75_000, 25_000] } });
    expect((await stateOf('raced', 'staging')).on).toBe(true);
  });
});
