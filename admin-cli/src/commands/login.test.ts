// `flagstaff login` against a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerCli, startServerCli } from '../testing/server.js';

let harness: ServerCli;

beforeAll(async () => {
  harness = await startServerCli();
});

afterAll(async () => {
  await harness?.stop();
});

describe('login', () => {
  it('refuses a wrong token with a hint that fits a login, and saves nothing', async () => {
    const result = await harness.cli(['login', '--url', harness.server.url], {
      input: 'fsa_wrong\n',
      env: { FLAGSTAFF_TOKEN: undefined, XDG_CONFIG_HOME: '/nonexistent-config' },
    });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^error: .*\nhint: check --token \/ FLAGSTAFF_TOKEN, or the token you typed: nothing was saved/);
    expect(result.err).not.toContain('flagstaff login');
  });
});
