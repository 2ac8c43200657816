// The `flagstaff` binary against a real server on a temporary database: every command's happy path, its
// failure paths and exit codes, and the --json shapes scripts rely on (docs/cli.md).
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server.js';
import { type Cli, cliIn, deadUrl, parseJson, tempHome } from './cli-harness.js';

type Server = Awaited<ReturnType<typeof startServer>>;
type FlagState = {
  version: number;
  on: boolean;
  targets: { variation: number; values: string[] }[];
  rules: { id: string }[];
  fallthrough: unknown;
};

let server: Server;
let home: Awaited<ReturnType<typeof tempHome>>;
let cli: Cli;

beforeAll(async () => {
  server = await startServer();
  home = await tempHome();
  cli = cliIn(home.home, { FLAGSTAFF_URL: server.url, FLAGSTAFF_TOKEN: server.adminToken });
});

afterAll(async () => {
  await server?.stop();
  await home?.remove();
});

/** The admin API directly, to set up and check what the CLI did. */
async function admin<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await server.api<T>(method, `/api/v1/${path}`, body);
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

const stateOf = (flag: string, env: string) => admin<FlagState>('GET', `flags/${flag}/environments/${env}`);

async function createFlag(key: string, ...args: string[]) {
  const result = await cli(['flags', 'create', key, ...args]);
  expect(result, result.stderr).toMatchObject({ code: 0 });
}

describe('login', () => {
  it('checks the token, stores URL and token readable by the owner only, and later commands use them', async () => {
    const own = await tempHome();
    try {
      const bare = cliIn(own.home);
      const login = await bare(['login', '--url', server.url], { input: `${server.adminToken}\n` });
      expect(login.code, login.stderr).toBe(0);
      expect(login.stdout).toContain(`Logged in to ${server.url}`);
      const path = join(own.home, '.config', 'flagstaff', 'config.json');
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ url: server.url, token: server.adminToken });

      const envs = await bare(['envs', 'list', '--json']);
      expect(envs.code, envs.stderr).toBe(0);
      expect(parseJson<{ environments: { key: string }[] }>(envs).environments.map((env) => env.key)).toEqual(
        expect.arrayContaining(['development', 'staging', 'production']),
      );

      expect((await bare(['logout'])).code).toBe(0);
      const after = await bare(['envs', 'list']);
      expect(after.code).toBe(2);
      expect(after.stderr).toContain('no admin token');
    } finally {
      await own.remove();
    }
  });

  it('stores nothing when the server refuses the token', async () => {
    const own = await tempHome();
    try {
      const result = await cliIn(own.home)(['login', '--url', server.url, '--token', 'fsa_not-a-real-token']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('hint: check --token');
      await expect(stat(join(own.home, '.config', 'flagstaff', 'config.json'))).rejects.toThrow(/ENOENT/);
    } finally {
      await own.remove();
    }
  });
});

describe('connection failures', () => {
  it('exits 3 when the server cannot be reached', async () => {
    const url = await deadUrl();
    const result = await cli(['flags', 'list', '--url', url]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`cannot reach the Flagstaff server at ${url}`);
  });

  it('exits 1 with the server message on a bad token', async () => {
    const result = await cli(['flags', 'list', '--token', 'fsa_wrong']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: .+\nhint: check --token/);
  });
});

describe('environments', () => {
  it('creates one and lists it; a duplicate is refused', async () => {
    const created = await cli(['envs', 'create', 'qa', '--name', 'QA', '--json']);
    expect(created.code, created.stderr).toBe(0);
    expect(parseJson(created)).toMatchObject({ key: 'qa', name: 'QA', version: expect.any(Number) });
    expect((await cli(['envs', 'list'])).stdout).toMatch(/^qa\s+QA/m);
    const again = await cli(['envs', 'create', 'qa']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: /);
  });
});

describe('flags', () => {
  it('creates a boolean flag that is off everywhere and shows it', async () => {
    const created = await cli(['flags', 'create', 'new-checkout', '--description', 'One-page checkout', '--tag', 'checkout', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const flag = parseJson<{ kind: string; variations: unknown[]; environments: Record<string, FlagState> }>(created);
    expect(flag).toMatchObject({ key: 'new-checkout', kind: 'boolean', variations: [false, true], tags: ['checkout'] });
    expect(Object.values(flag.environments).every((state) => state.on === false)).toBe(true);

    const list = await cli(['flags', 'list', '--env', 'production', '--tag', 'checkout', '--json']);
    const listed = parseJson<{ flags: { key: string; environments: Record<string, unknown> }[] }>(list);
    expect(listed.flags.map((f) => f.key)).toEqual(['new-checkout']);
    expect(Object.keys(listed.flags[0]!.environments)).toEqual(['production']);

    const table = await cli(['flags', 'list']);
    expect(table.stdout).toMatch(/^KEY\s+KIND\s+/);
    expect(table.stdout).toMatch(/^new-checkout\s+boolean\s+/m);

    const get = await cli(['flags', 'get', 'new-checkout', '--env', 'production']);
    expect(get.stdout).toContain('One-page checkout');
    expect(get.stdout).toMatch(/production \(version \d+\)\n {2}off · off serves false/);
  });

  it('creates string flags from a comma list', async () => {
    const created = await cli(['flags', 'create', 'button-colour', '--type', 'string', '--variations', 'red,green,blue', '--json']);
    expect(created.code, created.stderr).toBe(0);
    expect(parseJson(created)).toMatchObject({ kind: 'string', variations: ['red', 'green', 'blue'] });
  });

  it('refuses an unknown flag with the server message', async () => {
    const result = await cli(['flags', 'get', 'no-such-flag']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: .*no-such-flag/);
    const json = await cli(['flags', 'get', 'no-such-flag', '--json']);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'not_found', exitCode: 1 } });
  });
});

describe('on, off and rollout', () => {
  beforeAll(() => createFlag('switch-me'));

  it('switches a flag on outside production without asking', async () => {
    const result = await cli(['on', 'switch-me', '--env', 'staging', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(parseJson(result)).toMatchObject({ on: true, version: expect.any(Number) });
  });

  it('refuses a production change from a script without --yes, and changes nothing', async () => {
    const before = await stateOf('switch-me', 'production');
    const result = await cli(['on', 'switch-me', '--env', 'production']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('hint: add --yes');
    expect(await stateOf('switch-me', 'production')).toEqual(before);
  });

  it('kills a flag in production with --yes and records the reason', async () => {
    expect((await cli(['on', 'switch-me', '--env', 'production', '--yes'])).code).toBe(0);
    const off = await cli(['off', 'switch-me', '--env', 'production', '--yes', '--reason', 'INC-123 checkout errors']);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toMatch(/switch-me is OFF in production/);
    expect((await stateOf('switch-me', 'production')).on).toBe(false);

    const audit = await cli(['audit', '--flag', 'switch-me', '--env', 'production', '--since', '1h', '--json']);
    const { entries } = parseJson<{ entries: { action: string; reason?: string; env?: string }[] }>(audit);
    expect(entries[0]).toMatchObject({ env: 'production', reason: 'INC-123 checkout errors' });
    expect((await cli(['audit', '--flag', 'switch-me'])).stdout).toContain('INC-123 checkout errors');
  });

  it('rolls out to a percentage, and raising it keeps everyone who had the feature', async () => {
    const at25 = await cli(['rollout', 'switch-me', '25', '--env', 'staging', '--reason', 'phase 1', '--json']);
    expect(at25.code, at25.stderr).toBe(0);
    expect(parseJson<FlagState>(at25).fallthrough).toEqual({ rollout: { bucketBy: 'key', weights: [75_000, 25_000] } });
    const users = Array.from({ length: 120 }, (_, i) => `user-${i}`);
    const winners = async () => {
      const values = await Promise.all(
        users.map((key) => admin<{ value: boolean }>('POST', 'evaluate', { env: 'staging', flag: 'switch-me', context: { key } })),
      );
      return new Set(users.filter((_, i) => values[i]!.value === true));
    };
    const first = await winners();
    expect(first.size).toBeGreaterThan(15);
    expect(first.size).toBeLessThan(45);

    expect((await cli(['rollout', 'switch-me', '50', '--env', 'staging'])).code).toBe(0);
    const second = await winners();
    expect([...first].filter((key) => !second.has(key))).toEqual([]);
    expect(second.size).toBeGreaterThan(first.size);

    const half = await cli(['rollout', 'switch-me', '0.5', '--env', 'staging', '--json']);
    expect(parseJson<FlagState>(half).fallthrough).toEqual({ rollout: { bucketBy: 'key', weights: [99_500, 500] } });
  });

  it.each(['101', '-1', 'NaN', 'abc'])('refuses percentage %s with exit 2 and changes nothing', async (percent) => {
    const before = await stateOf('switch-me', 'staging');
    const result = await cli(['rollout', 'switch-me', percent, '--env', 'staging']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('percentage must be a number from 0 to 100');
    expect(await stateOf('switch-me', 'staging')).toEqual(before);
  });

  it('rolls out a chosen variation of a string flag', async () => {
    await createFlag('banner-colour', '--type', 'string', '--variations', 'red,green');
    expect((await cli(['rollout', 'banner-colour', '10', '--env', 'staging'])).code).toBe(2);
    const result = await cli(['rollout', 'banner-colour', '10', '--env', 'staging', '--variation', 'green', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(parseJson<FlagState>(result).fallthrough).toEqual({ rollout: { bucketBy: 'key', weights: [90_000, 10_000] } });
  });

  it('reports a concurrent edit (409) instead of overwriting it', async () => {
    const { version } = await stateOf('switch-me', 'staging');
    await admin('PATCH', 'flags/switch-me/environments/staging', { on: false });
    const result = await cli(['rollout', 'switch-me', '30', '--env', 'staging', '--if-match', String(version)]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: .+\nhint: someone changed it after it was read/);
    expect((await stateOf('switch-me', 'staging')).version).toBe(version + 1);
  });
});

describe('targets, rules and eval', () => {
  beforeAll(() => createFlag('explain-me'));

  it('targets individual users and explains their value', async () => {
    await cli(['on', 'explain-me', '--env', 'development']);
    const target = await cli(['target', 'explain-me', '--env', 'development', '--variation', 'false', '--add', 'user-1,user-2', '--json']);
    expect(target.code, target.stderr).toBe(0);
    expect(parseJson<FlagState>(target).targets).toEqual([{ variation: 0, values: ['user-1', 'user-2'] }]);

    const evaluation = await cli(['eval', 'explain-me', '--env', 'development', '--context', '{"key":"user-1"}', '--json']);
    expect(parseJson(evaluation)).toMatchObject({ value: false, variationIndex: 0, reason: { kind: 'TARGET_MATCH' } });

    const removed = await cli(['target', 'explain-me', '--env', 'development', '--variation', 'false', '--remove', 'user-2', '--json']);
    expect(parseJson<FlagState>(removed).targets).toEqual([{ variation: 0, values: ['user-1'] }]);
    const human = await cli(['eval', 'explain-me', '--env', 'development', '--context', '{"key":"user-2"}']);
    expect(human.stdout).toMatch(/value\s+true\n/);
    expect(human.stdout).toMatch(/reason\s+FALLTHROUGH/);
  });

  it('replaces rules from a file, and lists the server validation issues of a bad one', async () => {
    const rules = join(home.home, 'rules.json');
    await writeFile(
      rules,
      JSON.stringify([{ id: 'dutch', clauses: [{ attribute: 'country', op: 'in', values: ['NL'] }], serve: { variation: 0 } }]),
    );
    const set = await cli(['flags', 'set-rules', 'explain-me', '--env', 'development', '-f', rules, '--reason', 'NL first']);
    expect(set.code, set.stderr).toBe(0);
    const evaluation = await cli(['eval', 'explain-me', '--env', 'development', '--context', '{"key":"u-9","country":"NL"}', '--json']);
    expect(parseJson(evaluation)).toMatchObject({ value: false, reason: { kind: 'RULE_MATCH', ruleId: 'dutch' } });

    const before = await stateOf('explain-me', 'development');
    await writeFile(
      rules,
      JSON.stringify([{ id: 'bad', clauses: [{ attribute: 'country', op: 'equals', values: ['NL'] }], serve: { variation: 0 } }]),
    );
    const invalid = await cli(['flags', 'set-rules', 'explain-me', '--env', 'development', '-f', rules]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/\n {2}- .*op/);
    await writeFile(rules, '{ not json');
    expect((await cli(['flags', 'set-rules', 'explain-me', '--env', 'development', '-f', rules])).code).toBe(2);
    expect(await stateOf('explain-me', 'development')).toEqual(before);
  });
});

describe('segments', () => {
  it('creates, lists, updates, and refuses to delete one in use', async () => {
    const created = await cli(['segments', 'create', 'beta-users', '--env', 'development', '--include', 'user-7', '--json']);
    expect(created.code, created.stderr).toBe(0);
    expect(parseJson(created)).toMatchObject({ key: 'beta-users', included: ['user-7'] });
    expect((await cli(['segments', 'list', '--env', 'development'])).stdout).toMatch(/^beta-users\s/m);

    const file = join(home.home, 'segment.yaml');
    await writeFile(file, 'included: [user-7, user-8]\n');
    const updated = await cli(['segments', 'update', 'beta-users', '--env', 'development', '-f', file, '--json']);
    expect(parseJson(updated)).toMatchObject({ included: ['user-7', 'user-8'], version: 2 });

    await createFlag('segment-user');
    const rules = join(home.home, 'segment-rules.yaml');
    await writeFile(
      rules,
      '- id: beta\n  clauses: [{ attribute: key, op: segmentMatch, values: [beta-users] }]\n  serve: { variation: 1 }\n',
    );
    expect((await cli(['flags', 'set-rules', 'segment-user', '--env', 'development', '-f', rules])).code).toBe(0);
    const inUse = await cli(['segments', 'delete', 'beta-users', '--env', 'development']);
    expect(inUse.code).toBe(1);
    expect((await cli(['segments', 'get', 'beta-users', '--env', 'development'])).code).toBe(0);
  });

  it('deletes a segment no flag uses', async () => {
    expect((await cli(['segments', 'create', 'short-lived', '--env', 'staging'])).code).toBe(0);
    const deleted = await cli(['segments', 'delete', 'short-lived', '--env', 'staging']);
    expect(deleted.code, deleted.stderr).toBe(0);
    const gone = await cli(['segments', 'get', 'short-lived', '--env', 'staging']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('short-lived');
  });
});

describe('keys', () => {
  it('creates an SDK key that works on the SDK endpoint until it is revoked', async () => {
    const created = await cli(['keys', 'create', '--kind', 'server', '--env', 'production', '--name', 'checkout-service', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const key = parseJson<{ id: string; key: string; hint: string }>(created);
    expect(key.key).toMatch(/^fss_/);
    const sdk = () => fetch(`${server.url}/sdk/v1/flags`, { headers: { authorization: key.key } });
    expect((await sdk()).status).toBe(200);

    const list = await cli(['keys', 'list', '--json']);
    expect(parseJson<{ keys: { id: string }[] }>(list).keys.map((k) => k.id)).toContain(key.id);
    expect(list.stdout).not.toContain(key.key);

    expect((await cli(['keys', 'revoke', key.id])).code).toBe(2);
    const revoked = await cli(['keys', 'revoke', key.id, '--yes', '--reason', 'leaked']);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await sdk()).status).toBe(401);
  });

  it('creates a read-only admin token that may read but not write', async () => {
    const created = await cli(['keys', 'create', '--kind', 'admin', '--scope', 'read', '--json']);
    const token = parseJson<{ key: string }>(created).key;
    expect(token).toMatch(/^fsa_/);
    expect((await cli(['flags', 'list', '--token', token])).code).toBe(0);
    const write = await cli(['flags', 'create', 'not-allowed', '--token', token]);
    expect(write.code).toBe(1);
    expect(write.stderr).toContain('hint: this token lacks the scope');
  });
});

describe('archive', () => {
  it('archives a flag (confirmed) and then refuses changes to it', async () => {
    await createFlag('old-banner');
    const archived = await cli(['flags', 'archive', 'old-banner', '--yes', '--json']);
    expect(archived.code, archived.stderr).toBe(0);
    expect(parseJson(archived)).toMatchObject({ archived: true });
    const on = await cli(['on', 'old-banner', '--env', 'staging']);
    expect(on.code).toBe(1);
    expect(on.stderr).toContain('hint: unarchive it first');
  });

  it('unarchives it as it was, and it can be switched again', async () => {
    const unarchived = await cli(['flags', 'unarchive', 'old-banner', '--yes', '--reason', 'needed after all', '--json']);
    expect(unarchived.code, unarchived.stderr).toBe(0);
    expect(parseJson(unarchived)).toMatchObject({ key: 'old-banner', archived: false });
    expect((await cli(['on', 'old-banner', '--env', 'staging'])).code).toBe(0);
    expect((await stateOf('old-banner', 'staging')).on).toBe(true);
  });
});
