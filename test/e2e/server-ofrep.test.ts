// OFREP (/ofrep/v1) with the real OpenFeature server SDK and its OFREP provider. It needs a process: the
// provider speaks HTTP to a URL, over a socket. OFREP's status codes and bodies themselves are tested
// in-process beside the route (server/src/routes/ofrep.test.ts).
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { OpenFeature, type Client } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, startServer, type RunningServer } from '../helpers/server.js';
import { seedOfrepFlags } from '../helpers/ofrep-fixture.js';

let server: RunningServer;
let serverKey: string;
let client: Client;

async function ok(method: string, path: string, body?: unknown) {
  const res = await server.api(method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

beforeAll(async () => {
  server = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0' } });
  serverKey = (await createKey(server, { kind: 'server', env: 'production' })).key;
  await seedOfrepFlags(ok);

  await OpenFeature.setProviderAndWait(new OFREPProvider({ baseUrl: server.url, headers: [['Authorization', `Bearer ${serverKey}`]] }));
  client = OpenFeature.getClient();
});

afterAll(async () => {
  await OpenFeature.close();
  await server?.stop();
});

describe('the OpenFeature server SDK through OFREPProvider', () => {
  it.each([
    [
      'boolean, by rule',
      () => client.getBooleanDetails('new-checkout', false, { targetingKey: 'u-1', country: 'KE' }),
      { value: true, reason: 'TARGETING_MATCH', variant: '1' },
    ],
    [
      'boolean, by rollout',
      () => client.getBooleanDetails('new-checkout', false, { targetingKey: 'u-1', country: 'FR' }),
      { value: true, reason: 'SPLIT' },
    ],
    ['string, static', () => client.getStringDetails('theme', 'light', { targetingKey: 'u-1' }), { value: 'dark', reason: 'STATIC' }],
    ['number, by target', () => client.getNumberDetails('max-items', 0, { targetingKey: 'vip' }), { value: 50, reason: 'TARGETING_MATCH' }],
    ['json, disabled', () => client.getObjectDetails('layout', {}, { targetingKey: 'u-1' }), { value: { cols: 1 }, reason: 'DISABLED' }],
  ])('resolves a %s flag', async (_name, resolve, expected) => {
    const details = await resolve();
    expect(details).toMatchObject(expected);
    expect(details.errorCode).toBeUndefined();
    expect(details.flagMetadata).toMatchObject({ flagVersion: expect.any(Number) });
  });

  it.each([
    ['a flag that does not exist', () => client.getBooleanDetails('nope', false, { targetingKey: 'u' }), false, 'FLAG_NOT_FOUND'],
    ['an archived flag', () => client.getBooleanDetails('retired', false, { targetingKey: 'u' }), false, 'FLAG_NOT_FOUND'],
    [
      'a rollout without a targeting key',
      () => client.getBooleanDetails('new-checkout', false, { country: 'FR' }),
      false,
      'TARGETING_KEY_MISSING',
    ],
    ['the wrong type', () => client.getNumberDetails('theme', 7, { targetingKey: 'u' }), 7, 'TYPE_MISMATCH'],
  ])('returns the default, never throws, for %s', async (_name, resolve, fallback, errorCode) => {
    const details = await resolve();
    expect(details).toMatchObject({ value: fallback, reason: 'ERROR', errorCode });
  });

  it('sees a change on the next evaluation', async () => {
    await ok('PATCH', '/api/v1/flags/theme/environments/production', { fallthrough: { variation: 0 } });
    expect(await client.getStringValue('theme', 'x', { targetingKey: 'u-1' })).toBe('light');
  });

  it('returns the default with an error for a revoked key', async () => {
    const key = await createKey(server, { kind: 'server', env: 'production' });
    await ok('DELETE', `/api/v1/keys/${key.id}`);
    const revoked = new OFREPProvider({ baseUrl: server.url, headers: [['Authorization', `Bearer ${key.key}`]] });
    await OpenFeature.setProviderAndWait('revoked', revoked);
    const details = await OpenFeature.getClient('revoked').getBooleanDetails('new-checkout', false, { targetingKey: 'u' });
    expect(details).toMatchObject({ value: false, reason: 'ERROR' });
  });
});
