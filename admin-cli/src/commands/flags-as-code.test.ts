// `flagstaff apply` against a real server: the steps of one file that meet on the server (a definition change
// that moves every state's version, then a state change of the same flag), and what it refuses before
// changing anything.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerCli, startServerCli } from '../testing/server.js';

let harness: ServerCli;
let dir: string;

beforeAll(async () => {
  harness = await startServerCli();
  dir = await mkdtemp(join(tmpdir(), 'flagstaff-apply-'));
});

afterAll(async () => {
  await harness?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function flagsFile(name: string, flags: Record<string, unknown>): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify({ format: 'flagstaff/v1', flags }));
  return path;
}

async function createFlag(key: string): Promise<void> {
  const created = await harness.cli(['flags', 'create', key]);
  expect(created.code, created.err).toBe(0);
}

const stateOf = async (key: string, env: string) =>
  (await harness.server.api('GET', `/api/v1/flags/${key}/environments/${env}`)).body as {
    version: number;
    on: boolean;
    targets: unknown[];
  };

describe('apply: a definition change and a state change of the same flag', () => {
  const file = (key: string) => flagsFile(`${key}.json`, { [key]: { clientSide: true, environments: { development: { on: true } } } });

  it('applies both: the state step follows the version its own definition update gave it', async () => {
    await createFlag('both-changes');
    const result = await harness.cli(['apply', '-f', await file('both-changes'), '--yes']);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('✓ updated flag both-changes (version 2)');
    // 1 → 2 by the definition update (clientSide is sent to SDKs), 2 → 3 by the state update.
    expect(result.out).toContain('✓ updated both-changes in development (version 3)');
    expect(result.out).toContain('Applied 2 changes.');
    expect(await stateOf('both-changes', 'development')).toMatchObject({ version: 3, on: true });
  });

  it('still reports a conflict when someone else changed that state between the plan and the update', async () => {
    await createFlag('edited-before');
    const path = await file('edited-before');
    // Someone targets user-1 after the plan was read, just before the definition update goes out.
    const result = await harness.cli(['apply', '-f', path, '--yes'], {
      beforeRequest: async (method, url) => {
        if (method === 'PATCH' && url.pathname === '/api/v1/flags/edited-before') {
          await harness.server.api('PATCH', '/api/v1/flags/edited-before/environments/development', {
            targets: [{ variation: 1, values: ['user-1'] }],
          });
        }
      },
    });
    expect(result.code).toBe(1);
    expect(result.out).toContain('✓ updated flag edited-before (version 2)');
    expect(result.out).toMatch(/✗ conflict: edited-before in development: .*version 3, not 1/);
    expect(await stateOf('edited-before', 'development')).toMatchObject({ on: false, targets: [{ variation: 1, values: ['user-1'] }] });
  });

  it('still reports a conflict when someone else changed that state after the definition update', async () => {
    await createFlag('edited-after');
    const path = await file('edited-after');
    const result = await harness.cli(['apply', '-f', path, '--yes'], {
      beforeRequest: async (method, url) => {
        if (method === 'PATCH' && url.pathname === '/api/v1/flags/edited-after/environments/development') {
          await harness.server.api('PATCH', '/api/v1/flags/edited-after/environments/development', {
            targets: [{ variation: 1, values: ['user-1'] }],
          });
        }
      },
    });
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/✗ conflict: edited-after in development: .*version 3, not 2/);
    expect(await stateOf('edited-after', 'development')).toMatchObject({ on: false });
  });
});

describe('apply: a file that core validation refuses', () => {
  const fallthrough = (rollout: Record<string, unknown>) => ({
    'checked-flag': { environments: { production: { on: true, fallthrough: { rollout } } } },
  });
  let versions: () => Promise<unknown>;

  beforeAll(async () => {
    await createFlag('checked-flag');
    versions = async () => (await harness.server.api('GET', '/api/v1/flags/checked-flag')).body;
  });

  it.each([
    ['a dry run', ['--dry-run']],
    ['an apply', ['--yes']],
  ])('refuses %s whole (exit 2), naming the field by its path in the file', async (_name, flags) => {
    const before = await versions();
    const path = await flagsFile('weights.json', fallthrough({ bucketBy: 'key', weights: [1, 2] }));
    const result = await harness.cli(['apply', '-f', path, ...flags]);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`error: ${path} is not valid; nothing was changed:\n`);
    expect(result.err).toContain(
      '  - flags.checked-flag.environments.production.fallthrough.rollout.weights: weights must sum to 100000, not 3\n',
    );
    expect(result.out).not.toContain('Dry run');
    expect(result.requests.every((request) => request.method === 'GET')).toBe(true);
    expect(await versions()).toEqual(before);
  });

  it('says what a missing bucketBy is for', async () => {
    const path = await flagsFile('bucket-by.json', fallthrough({ weights: [50_000, 50_000] }));
    const result = await harness.cli(['apply', '-f', path, '--dry-run']);
    expect(result.code).toBe(2);
    expect(result.err).toContain(
      'flags.checked-flag.environments.production.fallthrough.rollout.bucketBy: bucketBy is required: the context attribute users are bucketed by, e.g. "key"',
    );
    expect(result.err).not.toContain('Invalid input');
  });

  it('checks segments and the segments a rule names', async () => {
    const path = join(dir, 'segments.json');
    const rule = { id: 'beta', clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['no-such-segment'] }], serve: { variation: 1 } };
    await writeFile(
      path,
      JSON.stringify({
        format: 'flagstaff/v1',
        segments: { staging: { testers: { included: [''] } } },
        flags: { 'checked-flag': { environments: { staging: { rules: [rule] } } } },
      }),
    );
    const result = await harness.cli(['apply', '-f', path, '--dry-run']);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/ {2}- segments\.staging\.testers\.included\[0\]: /);
    expect(result.err).toContain(
      '  - flags.checked-flag.environments.staging.rules[0].clauses[0].values[0]: unknown segment "no-such-segment"',
    );
  });
});

describe('apply: a step the server refuses for another reason than a conflict', () => {
  it('gives no conflict hint', async () => {
    await createFlag('segment-gone');
    const segment = await harness.cli(['segments', 'create', 'vanishing', '--env', 'development', '--include', 'user-1']);
    expect(segment.code, segment.err).toBe(0);
    const rule = { id: 'vip', clauses: [{ attribute: 'key', op: 'segmentMatch', values: ['vanishing'] }], serve: { variation: 1 } };
    const path = await flagsFile('segment-gone.json', { 'segment-gone': { environments: { development: { rules: [rule] } } } });
    // The segment the rule names is deleted after the plan was checked: the server refuses the rule.
    const result = await harness.cli(['apply', '-f', path, '--yes'], {
      beforeRequest: async (method) => {
        if (method === 'PATCH') await harness.server.api('DELETE', '/api/v1/environments/development/segments/vanishing');
      },
    });
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/✗ refused: segment-gone in development: .*vanishing/);
    expect(result.err).not.toContain('conflict');
    expect(result.err).toContain('hint: the ✓ steps were applied; fix what the server refused');
  });

  it('gives the conflict hint for a conflict', async () => {
    await createFlag('conflicted');
    const path = await flagsFile('conflicted.json', { conflicted: { environments: { development: { on: true } } } });
    const result = await harness.cli(['apply', '-f', path, '--yes'], {
      beforeRequest: async (method) => {
        if (method === 'PATCH') await harness.server.api('PATCH', '/api/v1/flags/conflicted/environments/development', { offVariation: 1 });
      },
    });
    expect(result.code).toBe(1);
    expect(result.err).toContain('hint: a conflict means someone changed it after the plan was made');
  });
});
