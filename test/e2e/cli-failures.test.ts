// How every command fails, against a real server: the same exit code for the same cause whatever the command
// (3 unreachable, 1 refused by the server, with its message), nothing changed by a refused command, and one
// JSON error line on stderr with --json. Plus the --json document each read command prints, as scripts use it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server.js';
import { type Cli, cliIn, deadUrl, parseJson, tempHome } from './cli-harness.js';

type Server = Awaited<ReturnType<typeof startServer>>;

let server: Server;
let home: Awaited<ReturnType<typeof tempHome>>;
let cli: Cli;
let nowhere: string;

const FLAG = 'failure-probe';

beforeAll(async () => {
  server = await startServer();
  home = await tempHome();
  nowhere = await deadUrl();
  cli = cliIn(home.home, { FLAGSTAFF_URL: server.url, FLAGSTAFF_TOKEN: server.adminToken });
  const created = await cli(['flags', 'create', FLAG]);
  if (created.code !== 0) throw new Error(created.stderr);
});

afterAll(async () => {
  await server?.stop();
  await home?.remove();
});

/** What the server holds, to show that a failed command changed nothing. */
async function snapshot() {
  const flags = await server.api('GET', '/api/v1/flags?archived=all');
  const audit = await server.api('GET', '/api/v1/audit?limit=200');
  return { flags: flags.body, audit: audit.body.entries.length };
}

const reads = [
  ['envs', 'list'],
  ['flags', 'list'],
  ['flags', 'get', FLAG],
  ['segments', 'list', '--env', 'staging'],
  ['keys', 'list'],
  ['audit', '--flag', FLAG],
  ['eval', FLAG, '--env', 'staging', '--context', '{"key":"user-1"}'],
  ['export'],
];

const writes = [
  ['envs', 'create', 'qa'],
  ['flags', 'create', 'another-flag'],
  ['on', FLAG, '--env', 'staging'],
  ['off', FLAG, '--env', 'production', '--yes'],
  ['rollout', FLAG, '25', '--env', 'staging'],
  ['target', FLAG, '--env', 'staging', '--variation', 'true', '--add', 'user-1'],
  ['segments', 'create', 'beta', '--env', 'staging'],
  ['keys', 'create', '--kind', 'server', '--env', 'staging'],
];

const every = [...reads, ...writes].map((args) => [args.join(' '), args] as const);

describe('the server cannot be reached', () => {
  it.each(every)('flagstaff %s exits 3 and says where it tried', async (_name, args) => {
    const result = await cli([...args, '--url', nowhere]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`error: cannot reach the Flagstaff server at ${nowhere}`);
    expect(result.stdout).toBe('');
  });

  it('reports it as one JSON line with --json', async () => {
    const result = await cli(['flags', 'list', '--url', nowhere, '--json']);
    expect(JSON.parse(result.stderr)).toMatchObject({ error: { code: 'unreachable', exitCode: 3 } });
  });
});

describe('a bad token', () => {
  it.each(every)('flagstaff %s exits 1 with the server message, and changes nothing', async (_name, args) => {
    const before = await snapshot();
    const result = await cli([...args, '--token', 'fsa_not-a-real-token']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: .+\nhint: check --token/);
    expect(await snapshot()).toEqual(before);
  });

  it('reports it as one JSON line with --json', async () => {
    const result = await cli(['flags', 'list', '--token', 'fsa_not-a-real-token', '--json']);
    expect(JSON.parse(result.stderr)).toMatchObject({ error: { code: 'unauthorized', exitCode: 1 } });
  });
});

describe('an unknown flag or environment', () => {
  it.each(
    [
      ['flags', 'get', 'no-such-flag'],
      ['on', 'no-such-flag', '--env', 'staging'],
      ['off', 'no-such-flag', '--env', 'production', '--yes'],
      ['rollout', 'no-such-flag', '25', '--env', 'staging'],
      ['target', 'no-such-flag', '--env', 'staging', '--variation', 'true', '--add', 'user-1'],
      ['flags', 'archive', 'no-such-flag', '--yes'],
    ].map((args) => [args.join(' '), args] as const),
  )('flagstaff %s exits 1 naming the flag', async (_name, args) => {
    const before = await snapshot();
    const result = await cli(args);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: .*no-such-flag/);
    expect(await snapshot()).toEqual(before);
  });

  it.each(
    [
      ['on', FLAG, '--env', 'nowhere'],
      ['rollout', FLAG, '25', '--env', 'nowhere'],
      ['segments', 'list', '--env', 'nowhere'],
    ].map((args) => [args.join(' '), args] as const),
  )('flagstaff %s exits 1 naming the environment', async (_name, args) => {
    const result = await cli(args);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: .*nowhere/);
  });
});

describe('--json documents of the read commands', () => {
  it.each(
    (
      [
        [
          ['envs', 'list'],
          { environments: expect.arrayContaining([expect.objectContaining({ key: 'production', version: expect.any(Number) })]) },
        ],
        [['flags', 'list'], { flags: [expect.objectContaining({ key: FLAG, kind: 'boolean', environments: expect.any(Object) })] }],
        [
          ['flags', 'get', FLAG, '--env', 'staging'],
          {
            key: FLAG,
            variations: [false, true],
            environments: { staging: expect.objectContaining({ on: false, version: expect.any(Number) }) },
          },
        ],
        [['segments', 'list', '--env', 'staging'], { segments: [] }],
        [['keys', 'list'], { keys: [expect.objectContaining({ kind: 'admin', hint: expect.any(String) })] }],
        [
          ['audit', '--flag', FLAG],
          { entries: [expect.objectContaining({ action: 'flag.create', resource: { kind: 'flag', key: FLAG } })], nextCursor: null },
        ],
        [['eval', FLAG, '--env', 'staging', '--context', '{"key":"user-1"}'], { value: false, variationIndex: 0, reason: { kind: 'OFF' } }],
        [['export'], { format: 'flagstaff/v1', flags: { [FLAG]: expect.objectContaining({ kind: 'boolean' }) } }],
      ] as [string[], object][]
    ).map(([args, shape]) => [args.join(' '), args, shape] as const),
  )('flagstaff %s --json', async (_name, args, shape) => {
    const result = await cli([...args, '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(parseJson(result)).toMatchObject(shape);
  });
});

// The two production changes the hardening issue saw go ahead from a pipe; the guard over every command is
// admin-cli/src/confirm-every-command.test.ts. A "y" on a pipe is not an answer: nobody was asked.
describe('a production change from a pipe without --yes', () => {
  const definitionOnly = JSON.stringify({ format: 'flagstaff/v1', flags: { [FLAG]: { description: 'changed from a pipe' } } });

  it.each([
    ['segments delete, stdin empty', ['segments', 'delete', 'pipe-guarded', '--env', 'production'], ''],
    ['segments delete, "y" piped in', ['segments', 'delete', 'pipe-guarded', '--env', 'production'], 'y\n'],
    ['apply of a definition-only change, the file on stdin', ['apply', '-f', '-'], definitionOnly],
  ] as const)('%s: refuses with exit 2 and changes nothing', async (_name, args, input) => {
    if ((await server.api('GET', '/api/v1/environments/production/segments/pipe-guarded')).status === 404) {
      expect((await server.api('POST', '/api/v1/environments/production/segments', { key: 'pipe-guarded' })).status).toBe(201);
    }
    const before = { ...(await snapshot()), segments: (await server.api('GET', '/api/v1/environments/production/segments')).body };
    const result = await cli([...args], { input });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(
      /^error: refusing to .+ without confirmation \(stdin is not a terminal, so I cannot ask\)\nhint: add --yes/,
    );
    expect({ ...(await snapshot()), segments: (await server.api('GET', '/api/v1/environments/production/segments')).body }).toEqual(before);
  });
});
