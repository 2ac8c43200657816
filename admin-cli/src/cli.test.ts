// The whole CLI in-process, with a scripted server: argument parsing, exit codes, what goes on the wire.
// The same paths against a real server are in test/e2e/cli-*.test.ts.
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createProgram, run } from './cli.js';
import { fakeIo, type FakeIoOptions, json } from './testing/fake-io.js';
import { adminFlag, flagState } from './testing/flags.js';

const connection = ['--url', 'http://flags.test', '--token', 'fsa_test'];
const flag = adminFlag('checkout', { environments: { production: flagState({ version: 7, on: true }) } });

async function cli(args: string[], options: FakeIoOptions = {}) {
  const io = fakeIo(options);
  const code = await run([...args, ...connection], io);
  return { code, out: io.out(), err: io.err(), requests: io.requests };
}

describe('help', () => {
  const commands: string[][] = [];
  const walk = (command: Command, path: string[]) => {
    for (const sub of command.commands) {
      commands.push([...path, sub.name()]);
      walk(sub, [...path, sub.name()]);
    }
  };
  walk(createProgram(fakeIo()), []);

  it.each(commands.map((path) => [path.join(' '), path]))('flagstaff %s --help shows an example', async (_name, path) => {
    const io = fakeIo();
    expect(await run([...path, '--help'], io)).toBe(0);
    expect(io.out()).toContain('Examples:\n  $ flagstaff');
  });

  // An example is pasted into a shell: a `|` or `;` outside quotes is a pipe or a second command, so
  // `--match severity=~page|critical` would run a program named "critical".
  it.each(commands.map((path) => [path.join(' '), path]))(
    'flagstaff %s --help: no example has a stray pipe or operator',
    async (_name, path) => {
      const io = fakeIo();
      await run([...path, '--help'], io);
      const lines = io
        .out()
        .split('Examples:\n')[1]!
        .split('\n')
        .filter((line) => line.startsWith('  $ '));
      for (const line of lines) {
        const command = line.slice(4).replace(/\s+#.*$/, '');
        const meant = /^(\| (jq|flagstaff) |&& flagstaff |> )/;
        expect(
          unquotedOperators(command).filter((op) => !meant.test(op)),
          line,
        ).toEqual([]);
      }
    },
  );
});

/** The shell operators of a command line outside quotes, each with what follows it: `| jq -r …`. */
function unquotedOperators(command: string): string[] {
  const found: string[] = [];
  let quote: string | undefined;
  for (let index = 0; index < command.length; index += 1) {
    const char = command[index]!;
    if (quote) {
      if (char === quote) quote = undefined;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if ('|;&<>'.includes(char)) {
      found.push(command.slice(index));
      if (command[index + 1] === char) index += 1;
    }
  }
  return found;
}

describe('usage errors: exit 2, nothing sent', () => {
  it.each([
    [['rollout', 'checkout', '101', '--env', 'production'], /from 0 to 100/],
    [['rollout', 'checkout', '-5', '--env', 'production'], /from 0 to 100/],
    [['rollout', 'checkout', 'half', '--env', 'production'], /from 0 to 100/],
    [['rollout', 'checkout', '25'], /required option '--env <env>'/],
    [['on', 'checkout', '--env', 'production', '--bogus'], /unknown option '--bogus'/],
    [['flags', 'create', 'x', '--type', 'bool'], /Allowed choices are boolean, string, number, json/],
    [['flags', 'create', 'x', '--type', 'number', '--variations', '1,two'], /"two" is not a number/],
    [['eval', 'checkout', '--env', 'production', '--context', '{key:1}'], /--context is not valid JSON/],
    [['eval', 'checkout', '--env', 'production', '--context', '"user-1"'], /--context must be a JSON object/],
    [['target', 'checkout', '--env', 'production', '--variation', 'true'], /--add or --remove/],
    [['keys', 'create', '--kind', 'server'], /belongs to one environment: add --env/],
    [['audit', '--since', 'yesterday'], /--since takes a duration/],
    [['apply', '-f', '/nonexistent/flags.yaml'], /cannot read \/nonexistent\/flags.yaml: no such file/],
    [['on', 'checkout', '--env', 'production', '--reason', 'x'.repeat(501)], /limited to 500 characters/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['flags'], /Usage: flagstaff flags/],
  ])('flagstaff %j', async (args, message) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(result.requests).toEqual([]);
  });

  it('needs a token', async () => {
    const io = fakeIo();
    expect(await run(['flags', 'list', '--url', 'http://flags.test'], io)).toBe(2);
    expect(io.err()).toContain('no admin token for http://flags.test');
  });
});

describe('server answers', () => {
  const answering = (status: number, body: unknown) => ({ respond: () => json(status, body) });

  it('shows the server message of a refusal and exits 1', async () => {
    const result = await cli(['flags', 'get', 'nope'], answering(404, { error: { code: 'not_found', message: 'no flag nope' } }));
    expect(result).toMatchObject({ code: 1, out: '' });
    expect(result.err).toBe('error: no flag nope\n');
  });

  it('adds a hint to a bad token', async () => {
    const result = await cli(['envs', 'list'], answering(401, { error: { code: 'unauthorized', message: 'unknown token' } }));
    expect(result.code).toBe(1);
    expect(result.err).toContain('hint: check --token / FLAGSTAFF_TOKEN');
  });

  it('reports errors as JSON on stderr with --json', async () => {
    const result = await cli(['--json', 'envs', 'list'], answering(403, { error: { code: 'forbidden', message: 'read-only token' } }));
    expect(result.code).toBe(1);
    expect(JSON.parse(result.err)).toEqual({ error: { code: 'forbidden', message: 'read-only token', exitCode: 1 } });
  });

  it.each([502, 503, 504])('treats HTTP %i as an unreachable server (exit 3)', async (status) => {
    const result = await cli(['envs', 'list'], answering(status, { error: { code: 'unavailable', message: 'shutting down' } }));
    expect(result.code).toBe(3);
  });

  it('exits 3 when nothing answers', async () => {
    const result = await cli(['envs', 'list'], {
      respond: () => {
        throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
      },
    });
    expect(result.code).toBe(3);
    expect(result.err).toBe('error: cannot reach the Flagstaff server at http://flags.test: ECONNREFUSED\n');
  });

  it('says so when the URL is not a Flagstaff server', async () => {
    const result = await cli(['envs', 'list'], {
      respond: () => new Response('<html>', { status: 404, headers: { 'content-type': 'text/html' } }),
    });
    expect(result.code).toBe(1);
    expect(result.err).toContain('is this a Flagstaff server?');
  });
});

describe('writes', () => {
  const server: FakeIoOptions['respond'] = (method, url) => {
    if (method === 'GET' && url.pathname === '/api/v1/flags/checkout') return json(200, flag);
    if (method === 'PATCH') return json(200, flagState({ version: 8, on: true }));
    return json(404, { error: { code: 'not_found', message: `${method} ${url.pathname}` } });
  };

  it('rolls out with If-Match from the state it read, and sends the reason for the audit log', async () => {
    const result = await cli(['rollout', 'checkout', '0.5', '--env', 'production', '--yes', '--reason', 'INC-7 ünïcode'], {
      respond: server,
    });
    expect(result.code).toBe(0);
    const patch = result.requests.find((request) => request.method === 'PATCH')!;
    expect(patch.url).toBe('http://flags.test/api/v1/flags/checkout/environments/production');
    expect(patch.headers['if-match']).toBe('"7"');
    expect(patch.headers['x-flagstaff-reason']).toBe(encodeURIComponent('INC-7 ünïcode'));
    expect(decodeURIComponent(patch.headers['x-flagstaff-reason']!)).toBe('INC-7 ünïcode');
    expect(patch.body).toEqual({ fallthrough: { rollout: { bucketBy: 'key', weights: [99_500, 500] } } });
  });

  it.each([
    ['checkout errors', 'checkout errors'],
    ['50% of users', '50%25%20of%20users'],
  ])('sends the reason %j as %j', async (reason, header) => {
    const result = await cli(['off', 'checkout', '--env', 'production', '--yes', '--reason', reason], { respond: server });
    expect(result.requests.find((request) => request.method === 'PATCH')!.headers['x-flagstaff-reason']).toBe(header);
  });

  it('refuses to change production from a script without --yes, before writing anything', async () => {
    const result = await cli(['off', 'checkout', '--env', 'production'], { respond: server });
    expect(result.code).toBe(2);
    expect(result.err).toContain('refusing to turn off checkout in production without confirmation');
    expect(result.err).toContain('hint: add --yes');
    expect(result.requests.map((request) => request.method)).toEqual(['GET']);
  });

  it('asks on a terminal, and changes nothing when the answer is no', async () => {
    const result = await cli(['off', 'checkout', '--env', 'production'], { respond: server, stdinIsTTY: true, input: 'n\n' });
    expect(result.code).toBe(1);
    expect(result.err).toContain('Turn off checkout in production? [y/N]');
    expect(result.requests.map((request) => request.method)).toEqual(['GET']);
  });

  it('neither asks nor writes when the flag is already in that state', async () => {
    const result = await cli(['on', 'checkout', '--env', 'production'], { respond: server, stdinIsTTY: true });
    expect(result.code).toBe(0);
    expect(result.out).toBe('checkout is ON in production (version 7): default true (already; nothing changed)\n');
    expect(result.err).toBe('');
    expect(result.requests.map((request) => request.method)).toEqual(['GET']);
  });

  it('reports a concurrent edit (409) with the server message and a hint', async () => {
    const result = await cli(['rollout', 'checkout', '50', '--env', 'production', '--yes'], {
      respond: (method, url) =>
        method === 'GET'
          ? server(method, url)
          : json(409, {
              error: {
                code: 'version_conflict',
                message: 'flag checkout in production is at version 8, not 7',
                details: { currentVersion: 8 },
              },
            }),
    });
    expect(result.code).toBe(1);
    expect(result.err).toContain('error: flag checkout in production is at version 8, not 7');
    expect(result.err).toContain('hint: someone changed it after it was read');
  });
});
