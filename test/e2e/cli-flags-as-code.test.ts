// `flagstaff export` and `flagstaff apply` against real servers: export → apply is a no-op, --dry-run
// changes nothing, a plan shows readable diffs, apply carries the reason into the audit log, and a file
// exported from one server rebuilds the same flags on an empty one.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startServer } from '../helpers/server.js';
import { type Cli, cliIn, parseJson, tempHome } from './cli-harness.js';

type Server = Awaited<ReturnType<typeof startServer>>;
type Doc = { format: string; flags: Record<string, { environments: Record<string, Record<string, unknown>> } & Record<string, unknown>> };

let server: Server;
let home: Awaited<ReturnType<typeof tempHome>>;
let cli: Cli;
const file = (name: string) => join(home.home, name);

/** Everything that changes when anything changes: every state version and the audit log's length. */
async function fingerprint(target: Server) {
  const get = async (path: string) => (await target.api('GET', `/api/v1/${path}`)).body as unknown;
  const { flags } = (await get('flags?archived=all')) as {
    flags: { key: string; version: number; environments: Record<string, { version: number }> }[];
  };
  const { entries } = (await get('audit?limit=200')) as { entries: unknown[] };
  return { versions: flags.map((f) => [f.key, f.version, Object.values(f.environments).map((s) => s.version)]), audit: entries.length };
}

beforeAll(async () => {
  server = await startServer();
  home = await tempHome();
  cli = cliIn(home.home, { FLAGSTAFF_URL: server.url, FLAGSTAFF_TOKEN: server.adminToken });
  const setup = [
    ['segments', 'create', 'beta-users', '--env', 'production', '--include', 'user-1,user-2', '--yes'],
    ['flags', 'create', 'new-checkout', '--description', 'One-page checkout', '--tag', 'checkout'],
    ['rollout', 'new-checkout', '25', '--env', 'production', '--yes'],
    ['on', 'new-checkout', '--env', 'production', '--yes'],
    ['flags', 'create', 'button-colour', '--type', 'string', '--variations', 'red,green,blue'],
    ['target', 'button-colour', '--env', 'staging', '--variation', 'green', '--add', 'user-3'],
  ];
  for (const args of setup) {
    const result = await cli(args);
    if (result.code !== 0) throw new Error(`flagstaff ${args.join(' ')}: ${result.stderr}`);
  }
  await writeFile(
    file('rules.yaml'),
    stringify([{ id: 'beta', clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['beta-users'] }], serve: { variation: 2 } }]),
  );
  const rules = await cli(['flags', 'set-rules', 'button-colour', '--env', 'production', '-f', file('rules.yaml'), '--yes']);
  if (rules.code !== 0) throw new Error(rules.stderr);
});

afterAll(async () => {
  await server?.stop();
  await home?.remove();
});

describe('export', () => {
  it('writes every flag and segment as YAML, identically each time', async () => {
    const first = await cli(['export']);
    expect(first.code, first.stderr).toBe(0);
    expect((await cli(['export'])).stdout).toBe(first.stdout);
    const doc = parse(first.stdout) as Doc & { segments: Record<string, Record<string, unknown>> };
    expect(doc.format).toBe('flagstaff/v1');
    expect(Object.keys(doc.flags)).toEqual(['button-colour', 'new-checkout']);
    expect(doc.flags['new-checkout']!.environments.production).toEqual({
      on: true,
      offVariation: 0,
      targets: [],
      rules: [],
      fallthrough: { rollout: { bucketBy: 'key', weights: [75_000, 25_000] } },
    });
    expect(doc.segments.production!['beta-users']).toMatchObject({ included: ['user-1', 'user-2'] });
    expect(first.stdout).not.toMatch(/version:|updatedAt|createdAt/);
  });

  it('limits itself to one environment with --env, and refuses an unknown one', async () => {
    const doc = parse((await cli(['export', '--env', 'staging'])).stdout) as Doc;
    expect(Object.keys(doc.flags['button-colour']!.environments)).toEqual(['staging']);
    const unknown = await cli(['export', '--env', 'nowhere']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no environment nowhere');
  });
});

describe('apply', () => {
  it('is a no-op right after export: every step unchanged, nothing sent', async () => {
    await writeFile(file('flags.yaml'), (await cli(['export'])).stdout);
    const before = await fingerprint(server);
    const result = await cli(['apply', '-f', file('flags.yaml')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^= new-checkout in production \(version \d+\)$/m);
    expect(result.stdout).toMatch(/Plan: 0 to create, 0 to update, \d+ unchanged\.\nNothing to change\./);
    expect(await fingerprint(server)).toEqual(before);
  });

  it('shows the plan with a readable diff and changes nothing with --dry-run', async () => {
    const doc = parse(await readFile(file('flags.yaml'), 'utf8')) as Doc;
    doc.flags['new-checkout']!.environments.production!.fallthrough = { rollout: { bucketBy: 'key', weights: [50_000, 50_000] } };
    doc.flags['new-checkout']!.description = 'One-page checkout, v2';
    doc.flags['button-colour']!.environments.development!.on = true;
    await writeFile(file('edited.yaml'), stringify(doc));
    const before = await fingerprint(server);

    const result = await cli(['apply', '-f', file('edited.yaml'), '--dry-run']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^~ flag new-checkout \(boolean\) \(version \d+\)\n {4}description: "One-page checkout" → "One-page checkout, v2"$/m,
    );
    expect(result.stdout).toMatch(/^~ new-checkout in production \(version \d+\)\n {4}fallthrough:\n/m);
    expect(result.stdout).toContain('      -   weights: [75000, 25000]\n      +   weights: [50000, 50000]\n');
    expect(result.stdout).toMatch(/^~ button-colour in development \(version \d+\)\n {4}on: false → true$/m);
    expect(result.stdout).toMatch(/^= button-colour in staging/m);
    expect(result.stdout).toContain('Plan: 0 to create, 3 to update,');
    expect(result.stdout).toContain('Dry run: nothing was changed.');
    expect(await fingerprint(server)).toEqual(before);

    const json = parseJson<{
      applied: boolean;
      counts: Record<string, number>;
      plan: { action: string; key: string; env?: string; changes: { field: string }[] }[];
    }>(await cli(['apply', '-f', file('edited.yaml'), '--dry-run', '--json']));
    expect(json.applied).toBe(false);
    expect(json.counts).toMatchObject({ create: 0, update: 3 });
    expect(json.plan.find((step) => step.key === 'new-checkout' && step.env === 'production')).toMatchObject({
      action: 'update',
      changes: [{ field: 'fallthrough' }],
    });
  });

  it('needs --yes to change production from a script, then applies with the reason and ends as a no-op', async () => {
    const before = await fingerprint(server);
    const refused = await cli(['apply', '-f', file('edited.yaml')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('hint: add --yes');
    expect(await fingerprint(server)).toEqual(before);

    const applied = await cli(['apply', '-f', file('edited.yaml'), '--yes', '--reason', 'PR #42']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toMatch(/✓ updated new-checkout in production \(version \d+\)/);
    expect(applied.stdout).toContain('Applied 3 changes.');

    const audit = parseJson<{ entries: { reason?: string }[] }>(await cli(['audit', '--since', '1h', '--limit', '3', '--json']));
    expect(audit.entries.map((entry) => entry.reason)).toEqual(['PR #42', 'PR #42', 'PR #42']);

    const again = await cli(['apply', '-f', file('edited.yaml')]);
    expect(again.stdout).toContain('Nothing to change.');
    expect(parse((await cli(['export'])).stdout)).toEqual(parse(await readFile(file('edited.yaml'), 'utf8')));
  });

  it('refuses a file that cannot apply, before changing anything', async () => {
    const before = await fingerprint(server);
    await writeFile(
      file('qa.yaml'),
      stringify({ format: 'flagstaff/v1', flags: { 'new-checkout': { environments: { qa: { on: true } } }, fresh: {} } }),
    );
    const result = await cli(['apply', '-f', file('qa.yaml'), '--yes']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('environment qa does not exist');
    expect(await fingerprint(server)).toEqual(before);

    await writeFile(file('typo.yaml'), 'format: flagstaff/v1\nflags:\n  new-checkout:\n    enviroments: {}\n');
    const typo = await cli(['apply', '-f', file('typo.yaml')]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('flags.new-checkout.enviroments is not a known field');
  });

  it('rebuilds the same flags and segments on an empty server', async () => {
    const exported = (await cli(['export'])).stdout;
    const empty = await startServer();
    try {
      const other = cliIn(home.home, { FLAGSTAFF_URL: empty.url, FLAGSTAFF_TOKEN: empty.adminToken });
      const dry = await other(['apply', '-f', '-', '--dry-run'], { input: exported });
      expect(dry.stdout).toMatch(/^\+ segment beta-users in production$/m);
      expect(dry.stdout).toMatch(/^\+ flag new-checkout \(boolean\)$/m);

      const applied = await other(['apply', '-f', '-', '--yes', '--json'], { input: exported });
      expect(applied.code, applied.stderr).toBe(0);
      const outcomes = parseJson<{ outcomes: { status: string }[] }>(applied).outcomes;
      expect(outcomes.length).toBeGreaterThan(0);
      expect(outcomes.every((outcome) => outcome.status === 'applied')).toBe(true);
      expect((await other(['export'])).stdout).toBe(exported);
    } finally {
      await empty.stop();
    }
  });
});
