import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerCli, startServerCli } from '../testing/server.js';
import { parseHold, parseSteps } from './plans.js';

describe('parseHold', () => {
  it.each([
    ['90', 90],
    ['90s', 90],
    ['15m', 900],
    ['1h', 3600],
    ['2d', 172_800],
    [' 1h ', 3600],
  ])('reads %j as %i seconds', (text, seconds) => {
    expect(parseHold(text)).toBe(seconds);
  });

  it.each(['', '0', '0h', '1.5h', '1w', 'soon', '-1h', '1 h'])('refuses %j with a usage error', (text) => {
    expect(() => parseHold(text)).toThrow(
      expect.objectContaining({ code: 'usage', message: expect.stringMatching(/--hold is a duration/) }),
    );
  });
});

describe('parseSteps', () => {
  it.each([
    ['5,25,50,100', [5, 25, 50, 100]],
    ['0.5, 1, 100', [0.5, 1, 100]],
    ['100', [100]],
  ])('reads %j', (text, steps) => {
    expect(parseSteps(text)).toEqual(steps);
  });

  it.each(['', '5,,50', '5,abc', '5,101', '5,0.0001', '5,200'])('refuses %j with a usage error and a hint about steps', (text) => {
    expect(() => parseSteps(text)).toThrow(
      expect.objectContaining({ code: 'usage', hint: expect.stringContaining('--steps 5,25,50,100') }),
    );
  });

  it('names the bad step, not `flagstaff rollout`', () => {
    expect(() => parseSteps('5,200')).toThrow(
      expect.objectContaining({
        message: '--steps: a step\'s percentage must be a number from 0 to 100 with at most 3 decimals, not "200"',
        hint: expect.not.stringContaining('flagstaff rollout'),
      }),
    );
  });
});

describe('plans against a real server', () => {
  let harness: ServerCli;

  beforeAll(async () => {
    harness = await startServerCli();
    expect((await harness.cli(['flags', 'create', 'new-checkout'])).code).toBe(0);
  });

  afterAll(async () => {
    await harness?.stop();
  });

  it('says that a flag does not exist, rather than that it has no plan', async () => {
    const result = await harness.cli(['plans', 'pause', 'nope', '--env', 'production', '--yes']);
    expect(result.code).toBe(1);
    expect(result.err).toBe('error: flag "nope" does not exist\n');
  });

  it('says that an existing flag has no plan', async () => {
    const result = await harness.cli(['plans', 'pause', 'new-checkout', '--env', 'production', '--yes']);
    expect(result.code).toBe(1);
    expect(result.err).toBe('error: new-checkout has no active or paused rollout plan in production\n');
  });

  it('on a flag that is off, says the plan waits for `on` instead of showing a time for the next step', async () => {
    const result = await harness.cli(['plans', 'create', 'new-checkout', '--env', 'development', '--steps', '5,25,100', '--hold', '1h']);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toMatch(/next +waiting: the flag is off; 25 % one hold after it is turned on\n/);
    expect(result.out).not.toMatch(/next +25 % at /);
    expect(result.err).toBe(
      'warning: new-checkout is off in development: the plan waits, and nobody gets 5 % until `flagstaff on new-checkout --env development`; the next step comes one hold after that\n',
    );
  });

  it('on a flag that is on, shows when the next step is due and warns about nothing', async () => {
    expect(
      (await harness.server.api('PATCH', '/api/v1/flags/new-checkout/environments/staging', { on: true, fallthrough: { variation: 0 } }))
        .status,
    ).toBe(200);
    const result = await harness.cli(['plans', 'create', 'new-checkout', '--env', 'staging', '--steps', '5,100', '--hold', '1h']);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toMatch(/next +100 % at \d{4}-/);
    expect(result.err).toBe('');
  });

  it('prints what the server refuses in the steps once', async () => {
    const result = await harness.cli(['plans', 'create', 'new-checkout', '--env', 'staging', '--steps', '50,25', '--hold', '1h']);
    expect(result.code).toBe(1);
    expect(result.err).toBe(
      'error: the server refused the request as invalid:\n  - steps[1]: steps must increase: 25 % comes after 50 %\n',
    );
  });
});
