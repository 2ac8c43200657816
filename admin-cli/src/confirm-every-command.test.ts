// The production guard (confirm.ts) as a table over every command of the CLI, generated from the command
// tree itself: each command is either one that asks before changing production, a write that does not
// change production (with the reason why it is not asked about), or a read. A command added to cli.ts
// without a row here fails the first test; one filed as a read that writes, or as asking when it does not
// ask, fails its row.
//
// The rows run the whole CLI in-process (testing/server.ts) against a real server process, with stdin a
// pipe — the PassThrough that process.stdin also is under `echo | flagstaff …`. In-process, because ~40
// commands run three ways each would take a minute as child processes; against a real server, because
// "nothing changed" is then read back from the server's own state, audit log included, and not from what
// a fake was told. test/e2e/cli-failures.test.ts runs the real binary for the two cases that once went
// ahead (apply of a definition-only change, segments delete).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProgram } from './cli.js';
import { fakeIo } from './testing/fake-io.js';
import { type ServerCli, startServerCli } from './testing/server.js';

const PROD = 'production';

/** A command line to run, made ready on the server for a key of its own (`k`: unique per row). */
interface Row {
  name: string;
  prepare: (k: string) => Promise<string[]>;
  /** Reads or writes the login file, which then lives in the test's temporary directory. */
  config?: boolean;
}

let harness: ServerCli;
let dir: string;

beforeAll(async () => {
  // Each row reads the whole server state several times: more than a minute's worth of the default limit.
  harness = await startServerCli({ env: { FLAGSTAFF_RATE_LIMIT: '0' } });
  dir = await mkdtemp(join(tmpdir(), 'flagstaff-guard-'));
});

afterAll(async () => {
  await harness?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await harness.server.api<T>(method, path, body);
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

const flag = async (key: string, production: Record<string, unknown> = {}) => {
  await api('POST', '/api/v1/flags', { key });
  if (Object.keys(production).length) await api('PATCH', `/api/v1/flags/${key}/environments/${PROD}`, production);
  return key;
};
const plan = async (key: string) =>
  (await api<{ id: number }>('POST', '/api/v1/rollout-plans', { flag: await flag(key), env: PROD, steps: [5, 100], holdSeconds: 3600 })).id;
const segment = (key: string) => api('POST', `/api/v1/environments/${PROD}/segments`, { key });
const file = async (name: string, content: unknown) => {
  const path = join(dir, `${name}.json`);
  await writeFile(path, JSON.stringify(content));
  return path;
};
const flagsFile = (name: string, flags: Record<string, unknown>, segments?: Record<string, unknown>) =>
  file(name, { format: 'flagstaff/v1', flags, ...(segments ? { segments } : {}) });

/** Commands that change production (or every environment, production included): each must ask. */
const ASKS: Record<string, Row[]> = {
  on: [{ name: 'turn a flag on', prepare: async (k) => ['on', await flag(k), '--env', PROD] }],
  off: [{ name: 'turn a flag off', prepare: async (k) => ['off', await flag(k, { on: true }), '--env', PROD] }],
  rollout: [{ name: 'roll out to 25 %', prepare: async (k) => ['rollout', await flag(k), '25', '--env', PROD] }],
  target: [
    { name: 'target a user', prepare: async (k) => ['target', await flag(k), '--env', PROD, '--variation', 'true', '--add', 'user-1'] },
  ],
  'flags set-rules': [
    {
      name: 'replace the rules',
      prepare: async (k) => {
        const rules = [{ id: 'za', clauses: [{ attribute: 'country', op: 'in', values: ['ZA'] }], serve: { variation: 1 } }];
        return ['flags', 'set-rules', await flag(k), '--env', PROD, '-f', await file(k, rules)];
      },
    },
  ],
  'flags update': [
    { name: 'send it to browsers', prepare: async (k) => ['flags', 'update', await flag(k), '--client-side'] },
    { name: 'a new seed', prepare: async (k) => ['flags', 'update', await flag(k), '--seed', 'reshuffle'] },
  ],
  'flags archive': [{ name: 'archive', prepare: async (k) => ['flags', 'archive', await flag(k)] }],
  'flags unarchive': [
    {
      name: 'unarchive',
      prepare: async (k) => {
        await api('POST', `/api/v1/flags/${await flag(k)}/archive`);
        return ['flags', 'unarchive', k];
      },
    },
  ],
  'plans create': [
    { name: 'start a plan', prepare: async (k) => ['plans', 'create', await flag(k), '--env', PROD, '--steps', '5,100', '--hold', '1h'] },
  ],
  'plans pause': [{ name: 'pause', prepare: async (k) => (await plan(k), ['plans', 'pause', k, '--env', PROD]) }],
  'plans resume': [
    {
      name: 'resume',
      prepare: async (k) => {
        await api('POST', `/api/v1/rollout-plans/${await plan(k)}/pause`);
        return ['plans', 'resume', k, '--env', PROD];
      },
    },
  ],
  'plans abort': [{ name: 'abort', prepare: async (k) => (await plan(k), ['plans', 'abort', k, '--env', PROD]) }],
  'segments create': [{ name: 'create', prepare: async (k) => ['segments', 'create', k, '--env', PROD, '--include', 'user-1'] }],
  'segments update': [
    {
      name: 'update',
      prepare: async (k) => (await segment(k), ['segments', 'update', k, '--env', PROD, '-f', await file(k, { included: ['user-2'] })]),
    },
  ],
  'segments delete': [{ name: 'delete', prepare: async (k) => (await segment(k), ['segments', 'delete', k, '--env', PROD]) }],
  'keys revoke': [
    {
      // Always asked, whatever its environment: a revoked key may be the one a production service uses.
      name: 'revoke a staging key',
      prepare: async () => ['keys', 'revoke', (await api<{ id: string }>('POST', '/api/v1/keys', { kind: 'server', env: 'staging' })).id],
    },
  ],
  'hooks revoke': [
    {
      name: 'revoke',
      prepare: async () => {
        const hook = await api<{ id: string }>('POST', `/api/v1/environments/${PROD}/hooks`, { provider: 'generic' });
        return ['hooks', 'revoke', hook.id, '--env', PROD];
      },
    },
  ],
  'notify delete': [
    {
      // Deleting one silences the team's announcements of what happens to production.
      name: 'delete',
      prepare: async () => {
        const sub = await api<{ id: string }>('POST', `/api/v1/environments/${PROD}/notifications`, {
          target: 'slack',
          url: 'https://hooks.slack.example/services/T/B/X',
          events: ['kill'],
        });
        return ['notify', 'delete', sub.id, '--env', PROD];
      },
    },
  ],
  'kill-rules delete': [
    {
      name: 'delete',
      prepare: async (k) => {
        const rule = await api<{ id: string }>('POST', `/api/v1/environments/${PROD}/kill-rules`, {
          alert: 'A',
          matchers: [],
          flag: await flag(k),
        });
        return ['kill-rules', 'delete', rule.id, '--env', PROD];
      },
    },
  ],
  apply: [
    // A definition is shared by every environment, so changing it — even only its description — is a change
    // to production.
    {
      name: 'a definition-only change',
      prepare: async (k) => ['apply', '-f', await flagsFile(k, { [await flag(k)]: { description: 'changed' } })],
    },
    {
      name: 'a production state',
      prepare: async (k) => ['apply', '-f', await flagsFile(k, { [await flag(k)]: { environments: { [PROD]: { on: true } } } })],
    },
    {
      name: 'a new flag with a production state',
      prepare: async (k) => ['apply', '-f', await flagsFile(k, { [k]: { environments: { [PROD]: { on: true } } } })],
    },
    {
      name: 'a production segment',
      prepare: async (k) => ['apply', '-f', await flagsFile(k, {}, { [PROD]: { [k]: { included: ['user-1'] } } })],
    },
  ],
};

/**
 * Commands that write, but change nothing production serves: not asked about. Each says why; a change of
 * that reason is a change of the rule, to be made in confirm.ts's callers and docs/cli.md as well.
 */
const WRITES_WITHOUT_ASKING: Record<string, { why: string } & Row> = {
  'flags create': { why: 'a new flag starts off in every environment', name: 'create', prepare: async (k) => ['flags', 'create', k] },
  'envs create': { why: 'a new environment is not production', name: 'create', prepare: async (k) => ['envs', 'create', k] },
  'keys create': {
    why: 'a new key serves nothing different; revoking one is asked',
    name: 'a production server key',
    prepare: async () => ['keys', 'create', '--kind', 'server', '--env', PROD],
  },
  'hooks create': {
    why: 'a hook acts only through kill rules; revoking one is asked',
    name: 'a production hook',
    prepare: async () => ['hooks', 'create', '--provider', 'generic', '--env', PROD],
  },
  'notify create': {
    why: 'a subscription announces what production does and changes none of it; deleting one is asked',
    name: 'a production subscription',
    prepare: async () => ['notify', 'create', '--env', PROD, '--slack', 'https://hooks.slack.example/services/T/B/X', '--events', 'kill'],
  },
  'notify test': {
    why: 'a test message goes to the receiver; nothing production serves changes',
    name: 'a test message',
    prepare: async () => {
      const sub = await api<{ id: string }>('POST', `/api/v1/environments/${PROD}/notifications`, {
        target: 'slack',
        url: 'https://hooks.slack.example/services/T/B/X',
        events: ['kill'],
      });
      return ['notify', 'test', sub.id, '--env', PROD];
    },
  },
  'kill-rules create': {
    why: 'DESIGN.md names it without --yes; it changes nothing until an alert fires, and each action is audited',
    name: 'a production rule',
    prepare: async (k) => ['kill-rules', 'create', '--env', PROD, '--alert', 'A', '--flag', await flag(k)],
  },
};

/** Commands that change nothing on the server. */
const READS: Record<string, Row> = {
  login: { name: 'login', prepare: async () => ['login'], config: true },
  logout: { name: 'logout', prepare: async () => ['logout'], config: true },
  'envs list': { name: 'list', prepare: async () => ['envs', 'list'] },
  'flags list': { name: 'list', prepare: async () => ['flags', 'list'] },
  'flags get': { name: 'get', prepare: async (k) => ['flags', 'get', await flag(k)] },
  'plans list': { name: 'list', prepare: async () => ['plans', 'list'] },
  'plans get': { name: 'get', prepare: async (k) => (await plan(k), ['plans', 'get', k, '--env', PROD]) },
  'segments list': { name: 'list', prepare: async () => ['segments', 'list', '--env', PROD] },
  'segments get': { name: 'get', prepare: async (k) => (await segment(k), ['segments', 'get', k, '--env', PROD]) },
  'keys list': { name: 'list', prepare: async () => ['keys', 'list'] },
  audit: { name: 'audit', prepare: async () => ['audit'] },
  eval: { name: 'eval', prepare: async (k) => ['eval', await flag(k), '--env', PROD, '--context', '{"key":"user-1"}'] },
  export: { name: 'export', prepare: async () => ['export'] },
  'hooks list': { name: 'list', prepare: async () => ['hooks', 'list', '--env', PROD] },
  'kill-rules list': { name: 'list', prepare: async () => ['kill-rules', 'list', '--env', PROD] },
  'notify list': { name: 'list', prepare: async () => ['notify', 'list', '--env', PROD] },
  'notify log': {
    name: 'log',
    prepare: async () => {
      const sub = await api<{ id: string }>('POST', `/api/v1/environments/${PROD}/notifications`, {
        target: 'slack',
        url: 'https://hooks.slack.example/services/T/B/X',
        events: ['kill'],
      });
      return ['notify', 'log', sub.id, '--env', PROD];
    },
  },
};

/** Every command of the CLI that runs something, by its words: `flags set-rules`, `on`. */
function commandNames(command: Command, prefix: string[] = []): string[] {
  return command.commands.flatMap((sub) => {
    const words = [...prefix, sub.name()];
    return sub.commands.length ? commandNames(sub, words) : [words.join(' ')];
  });
}

/** What the server holds that a command could change; the audit log gets an entry for every admin write. */
async function serverState() {
  const envs = (await api<{ environments: { key: string }[] }>('GET', '/api/v1/environments')).environments.map((env) => env.key);
  const perEnv = async (what: string) => Promise.all(envs.map((env) => api('GET', `/api/v1/environments/${env}/${what}`)));
  const keys = (await api<{ keys: { lastUsedAt: unknown }[] }>('GET', '/api/v1/keys')).keys;
  return {
    lastAudit: (await api<{ entries: { id: string }[] }>('GET', '/api/v1/audit?limit=1')).entries[0]?.id,
    envs,
    flags: await api('GET', '/api/v1/flags?archived=all'),
    plans: await api('GET', '/api/v1/rollout-plans'),
    segments: await perEnv('segments'),
    hooks: await perEnv('hooks'),
    killRules: await perEnv('kill-rules'),
    notifications: await perEnv('notifications'),
    // The admin token's lastUsedAt moves with every request, this test's own included.
    keys: keys.map(({ lastUsedAt: _used, ...key }) => key),
  };
}

let counter = 0;
const uniqueKey = () => `guard-${++counter}`;

describe('the production guard, over every command', () => {
  const all = commandNames(createProgram(fakeIo()));

  it('files every command of the CLI as asking, writing without asking, or reading', () => {
    const filed = [...Object.keys(ASKS), ...Object.keys(WRITES_WITHOUT_ASKING), ...Object.keys(READS)];
    const unfiled = all.filter((name) => !filed.includes(name));
    expect(unfiled, 'new commands: add a row to ASKS (and call ctx.confirm), WRITES_WITHOUT_ASKING (with why) or READS').toEqual([]);
    expect(
      filed.filter((name) => !all.includes(name)),
      'rows for commands that no longer exist',
    ).toEqual([]);
    expect(new Set(filed).size, 'a command filed twice').toBe(filed.length);
  });

  const asking = Object.entries(ASKS).flatMap(([command, rows]) => rows.map((row) => ({ command, ...row })));

  describe.each(asking)('$command ($name)', ({ prepare }) => {
    it('from a pipe without --yes: refuses with exit 2, says to add --yes, sends no write and changes nothing', async () => {
      const args = await prepare(uniqueKey());
      const before = await serverState();
      const result = await harness.cli(args, { stdinIsTTY: false });
      expect(result.code, result.err).toBe(2);
      expect(result.err).toMatch(
        /^error: refusing to .+ without confirmation \(stdin is not a terminal, so I cannot ask\)\nhint: add --yes to confirm the change\n$/,
      );
      expect(result.requests.filter((request) => request.method !== 'GET')).toEqual([]);
      expect(await serverState()).toEqual(before);
    });

    it('on a terminal: asks, and a "n" changes nothing (exit 1)', async () => {
      const args = await prepare(uniqueKey());
      const before = await serverState();
      const result = await harness.cli(args, { stdinIsTTY: true, input: 'n\n' });
      expect(result.err).toMatch(/\? \[y\/N\] /);
      expect(result.code, result.err).toBe(1);
      expect(await serverState()).toEqual(before);
    });

    it('with --yes from a pipe: goes ahead, and the server changed', async () => {
      const args = await prepare(uniqueKey());
      const before = await serverState();
      const result = await harness.cli([...args, '--yes'], { stdinIsTTY: false });
      expect(result.code, result.err).toBe(0);
      expect(result.err).not.toMatch(/\[y\/N\]/);
      expect((await serverState()).lastAudit).not.toEqual(before.lastAudit);
    });
  });

  describe.each(Object.entries(WRITES_WITHOUT_ASKING).map(([command, row]) => ({ command, ...row })))('$command: $why', ({ prepare }) => {
    it('goes ahead from a pipe without --yes, without asking', async () => {
      const args = await prepare(uniqueKey());
      const before = await serverState();
      const result = await harness.cli(args, { stdinIsTTY: false });
      expect(result.code, result.err).toBe(0);
      expect(result.err).not.toMatch(/\[y\/N\]/);
      expect((await serverState()).lastAudit).not.toEqual(before.lastAudit);
    });
  });

  describe.each(Object.entries(READS).map(([command, row]) => ({ command, ...row })))('$command', ({ prepare, config }) => {
    it('reads: exit 0 from a pipe, and the server is as it was', async () => {
      const args = await prepare(uniqueKey());
      const before = await serverState();
      const result = await harness.cli(args, { stdinIsTTY: false, env: config ? { XDG_CONFIG_HOME: dir } : undefined });
      expect(result.code, result.err).toBe(0);
      expect(await serverState()).toEqual(before);
    });
  });
});
