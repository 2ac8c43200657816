// `flagstaff flags create|update` against a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerCli, startServerCli } from '../testing/server.js';

let harness: ServerCli;

beforeAll(async () => {
  harness = await startServerCli();
});

afterAll(async () => {
  await harness?.stop();
});

const flagOf = async (key: string) => (await harness.server.api('GET', `/api/v1/flags/${key}`)).body;

describe('flags create', () => {
  it('says so in its confirmation when the flag is client-side', async () => {
    const result = await harness.cli(['flags', 'create', 'browser-banner', '--client-side']);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain(
      'Created boolean client-side (browser SDKs receive it) flag browser-banner; it is off in every environment.\n',
    );
  });

  it('points to `flags update` when the key exists', async () => {
    expect((await harness.cli(['flags', 'create', 'taken'])).code).toBe(0);
    const result = await harness.cli(['flags', 'create', 'taken', '--client-side']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('error: flag "taken" already exists\n');
    expect(result.err).toContain('hint: to change its definition, use `flagstaff flags update taken`');
  });

  it('prints a validation error once', async () => {
    const result = await harness.cli(['flags', 'create', 'Bad Key']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^error: the server refused the request as invalid:\n {2}- key: a flag key is 1–128 characters[^\n]*\n$/);
  });
});

describe('flags update', () => {
  beforeAll(async () => {
    expect((await harness.cli(['flags', 'create', 'checkout', '--tag', 'beta'])).code).toBe(0);
  });

  it('makes a flag client-side, with If-Match from the definition it read; it asks first', async () => {
    const refused = await harness.cli(['flags', 'update', 'checkout', '--client-side']);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('refusing to change checkout in every environment (clientSide: false → true) without confirmation');
    expect((await flagOf('checkout')).clientSide).toBe(false);

    const result = await harness.cli(['flags', 'update', 'checkout', '--client-side', '--yes', '--reason', 'the page reads it']);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toBe('Updated checkout (version 2): clientSide: false → true.\n');
    const patch = result.requests.find((request) => request.method === 'PATCH')!;
    expect(new URL(patch.url).pathname).toBe('/api/v1/flags/checkout');
    expect(patch.headers['if-match']).toBe('"1"');
    expect(patch.body).toEqual({ clientSide: true });
    expect(await flagOf('checkout')).toMatchObject({ clientSide: true, version: 2 });

    const back = await harness.cli(['flags', 'update', 'checkout', '--no-client-side', '--yes']);
    expect(back.code, back.err).toBe(0);
    expect((await flagOf('checkout')).clientSide).toBe(false);
  });

  it('changes the description and tags without asking: SDKs do not see them', async () => {
    const result = await harness.cli([
      'flags',
      'update',
      'checkout',
      '--description',
      'One-page checkout',
      '--tag',
      'checkout',
      '--untag',
      'beta',
    ]);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toMatch(
      /^Updated checkout \(version \d+\): description: "" → "One-page checkout", tags: \[beta\] → \[checkout\]\.\n$/,
    );
    expect(await flagOf('checkout')).toMatchObject({ description: 'One-page checkout', tags: ['checkout'] });
  });

  it('writes nothing when the flag already is so', async () => {
    const result = await harness.cli(['flags', 'update', 'checkout', '--tag', 'checkout']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^checkout already has that definition \(version \d+\); nothing changed\.\n$/);
    expect(result.requests.map((request) => request.method)).toEqual(['GET']);
  });

  it('refuses a stale --if-match with the server conflict', async () => {
    const result = await harness.cli(['flags', 'update', 'checkout', '--description', 'x', '--if-match', '1']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('hint: someone changed it after it was read');
  });

  it.each([
    [['flags', 'update', 'checkout'], /nothing to change/],
    [['flags', 'update', 'checkout', '--variations', 'a,b'], /boolean flag always has the variations/],
  ])('refuses %j as a usage error', async (args, message) => {
    const result = await harness.cli(args);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
  });

  it('says when the flag does not exist', async () => {
    const result = await harness.cli(['flags', 'update', 'nope', '--client-side', '--yes']);
    expect(result.code).toBe(1);
    expect(result.err).toContain('error: flag "nope" does not exist');
  });
});
