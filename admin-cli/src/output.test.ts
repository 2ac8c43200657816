import { describe, expect, it } from 'vitest';
import { ServerRefusal, UsageError } from './errors.js';
import { Output, wantsColour } from './output.js';
import { fakeIo } from './testing/fake-io.js';

describe('wantsColour', () => {
  const tty = { write: () => true, isTTY: true };
  const pipe = { write: () => true, isTTY: false };
  it.each([
    [tty, {}, true, true],
    [pipe, {}, true, false],
    [tty, { NO_COLOR: '1' }, true, false],
    [tty, { NO_COLOR: '' }, true, true],
    [tty, { TERM: 'dumb' }, true, false],
    [tty, {}, false, false],
  ])('%#: stream %o with env %o and --color=%s → %s', (stream, env, flag, expected) => {
    expect(wantsColour(stream, env, flag)).toBe(expected);
  });
});

describe('Output', () => {
  it('aligns table columns and upper-cases headers', () => {
    const io = fakeIo();
    new Output(io, { json: false, colour: true }).table(
      ['key', 'kind'],
      [
        ['new-checkout', 'boolean'],
        ['x', 'string'],
      ],
    );
    expect(io.out()).toBe('KEY           KIND\nnew-checkout  boolean\nx             string\n');
  });

  it('colours on a terminal, and never with NO_COLOR', () => {
    const coloured = fakeIo({ stdoutIsTTY: true });
    new Output(coloured, { json: false, colour: true }).table(['key'], [['a']]);
    expect(coloured.out()).toContain('\x1b[1m');
    const plain = fakeIo({ stdoutIsTTY: true, env: { NO_COLOR: '1' } });
    new Output(plain, { json: false, colour: true }).table(['key'], [['a']]);
    expect(plain.out()).not.toContain('\x1b[');
  });

  it('prints the JSON document instead of the human rendering with --json', () => {
    const io = fakeIo();
    new Output(io, { json: true, colour: true }).result({ flags: [] }, () => {
      throw new Error('the human rendering must not run');
    });
    expect(JSON.parse(io.out())).toEqual({ flags: [] });
  });

  it('writes errors to stderr: a message, validation issues and a hint, or one JSON line', () => {
    const human = fakeIo();
    const refusal = new ServerRefusal(400, 'validation_failed', 'the rules are invalid', {
      issues: [{ path: 'rules[0].clauses[0].op', message: 'unknown operator "equals"' }],
    });
    new Output(human, { json: false, colour: true }).error(refusal);
    expect(human.err()).toBe('error: the rules are invalid\n  - rules[0].clauses[0].op: unknown operator "equals"\n');
    expect(human.out()).toBe('');

    const summarised = fakeIo();
    const issues = [
      { path: 'steps[1]', message: 'steps must increase: 25 % comes after 50 %' },
      { path: 'steps[2]', message: 'steps must increase: 10 % comes after 25 %' },
    ];
    new Output(summarised, { json: false, colour: true }).error(
      new ServerRefusal(400, 'validation_failed', 'steps[1]: steps must increase: 25 % comes after 50 % (and 1 more)', { issues }),
    );
    // The message only restates the first issue: each issue is printed once, under a heading.
    expect(summarised.err()).toBe(
      'error: the server refused the request as invalid:\n' +
        '  - steps[1]: steps must increase: 25 % comes after 50 %\n' +
        '  - steps[2]: steps must increase: 10 % comes after 25 %\n',
    );

    const script = fakeIo();
    new Output(script, { json: true, colour: true }).error(new UsageError('bad percentage', 'use 0-100'));
    expect(JSON.parse(script.err())).toEqual({ error: { code: 'usage', message: 'bad percentage', exitCode: 2 } });
  });
});
