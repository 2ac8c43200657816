// OFREP (/ofrep/v1) with the real OpenFeature server SDK and its OFREP provider, then the protocol's
// status codes and error bodies on the wire.
import { OFREPProvider } from '@openfeature/ofrep-provider';
import { OpenFeature, type Client } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, startServer, type RunningServer } from '../helpers/server.js';

let server: RunningServer;
let serverKey: string;
let clientKey: string;
let client: Client;

async function ok(method: string, path: string, body?: unknown) {
  const res = await server.api(method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

function ofrep(path: string, body: unknown, key = serverKey, headers: Record<string, string> = {}) {
  return server.api('POST', `/ofrep/v1/evaluate/flags${path}`, body, { Authorization: `Bearer ${key}`, ...headers });
}

beforeAll(async () => {
  server = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0' } });
  serverKey = (await createKey(server, { kind: 'server', env: 'production' })).key;
  clientKey = (await createKey(server, { kind: 'client', env: 'production' })).key;
  await ok('POST', '/api/v1/flags', { key: 'new-checkout' });
  await ok('PATCH', '/api/v1/flags/new-checkout/environments/production', {
    on: true,
    rules: [{ id: 'africa', clauses: [{ attribute: 'country', op: 'in', values: ['ZA', 'KE'] }], serve: { variation: 1 } }],
    fallthrough: { rollout: { bucketBy: 'key', weights: [0, 100000] } },
  });
  await ok('POST', '/api/v1/flags', { key: 'theme', kind: 'string', variations: ['light', 'dark'], clientSide: true });
  await ok('PATCH', '/api/v1/flags/theme/environments/production', { on: true, fallthrough: { variation: 1 } });
  await ok('POST', '/api/v1/flags', { key: 'max-items', kind: 'number', variations: [10, 50] });
  await ok('PATCH', '/api/v1/flags/max-items/environments/production', { on: true, targets: [{ variation: 1, values: ['vip'] }] });
  await ok('POST', '/api/v1/flags', { key: 'layout', kind: 'json', variations: [{ cols: 1 }, { cols: 2 }] });
  await ok('POST', '/api/v1/flags', { key: 'retired' });
  await ok('POST', '/api/v1/flags/retired/archive');

  await OpenFeature.setProviderAndWait(new OFREPProvider({ baseUrl: server.url, headers: [['Authorization', `Bearer ${serverKey}`]] }));
  client = OpenFeature.getClient();
});

afterAll(async () => {
  await OpenFeature.close();
  await server?.stop();
});

describe('the OpenFeature server SDK through OFREPProvider', () => {
  it.each([
    ['boolean, by rule', () => client.getBooleanDetails('new-checkout', false, { targetingKey: 'u-1', country: 'KE' }), { value: true, reason: 'TARGETING_MATCH', variant: '1' }],
    ['boolean, by rollout', () => client.getBooleanDetails('new-checkout', false, { targetingKey: 'u-1', country: 'FR' }), { value: true, reason: 'SPLIT' }],
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
    ['a rollout without a targeting key', () => client.getBooleanDetails('new-checkout', false, { country: 'FR' }), false, 'TARGETING_KEY_MISSING'],
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

describe('OFREP on the wire', () => {
  it('answers one flag with key, value, reason, variant and metadata', async () => {
    const res = await ofrep('/new-checkout', { context: { targetingKey: 'u-1', country: 'ZA' } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ key: 'new-checkout', value: true, reason: 'TARGETING_MATCH', variant: '1', metadata: { flagVersion: 2, ruleId: 'africa' } });
  });

  it.each([
    ['an unknown flag', '/nope', { context: { targetingKey: 'u' } }, 404, 'FLAG_NOT_FOUND'],
    ['a body that is not JSON', '/new-checkout', '{"context":', 400, 'PARSE_ERROR'],
    ['a context that is not an object', '/new-checkout', { context: 'u-1' }, 400, 'INVALID_CONTEXT'],
    ['a targetingKey that is not a string', '/new-checkout', { context: { targetingKey: 42 } }, 400, 'INVALID_CONTEXT'],
    ['a rollout without a targetingKey', '/new-checkout', { context: { country: 'FR' } }, 400, 'TARGETING_KEY_MISSING'],
  ])('answers %s with %i and errorCode %s', async (_name, path, body, status, errorCode) => {
    const res = await ofrep(path, body);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ key: path.slice(1), errorCode, errorDetails: expect.any(String) });
    expect(res.body.errorDetails.length).toBeGreaterThan(10);
  });

  it('answers bulk evaluation with every visible flag, and 304 for an unchanged ETag', async () => {
    const body = { context: { targetingKey: 'u-1', country: 'FR' } };
    const res = await ofrep('', body);
    expect(res.status).toBe(200);
    expect(res.body.flags.map((f: { key: string }) => f.key)).toEqual(['layout', 'max-items', 'new-checkout', 'theme']);
    const etag = res.headers.get('etag')!;
    expect((await ofrep('', body, serverKey, { 'If-None-Match': etag })).status).toBe(304);
    // Another context is another answer.
    expect((await ofrep('', { context: { targetingKey: 'u-2' } }, serverKey, { 'If-None-Match': etag })).status).toBe(200);
    await ok('PATCH', '/api/v1/flags/layout/environments/production', { on: true });
    expect((await ofrep('', body, serverKey, { 'If-None-Match': etag })).status).toBe(200);
  });

  it('puts per-flag failures inside a bulk answer, and refuses a bad bulk body with 400', async () => {
    const res = await ofrep('', { context: { country: 'FR' } });
    expect(res.body.flags.find((f: { key: string }) => f.key === 'new-checkout')).toMatchObject({ errorCode: 'TARGETING_KEY_MISSING' });
    const bad = await ofrep('', '[1, 2');
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ errorCode: 'PARSE_ERROR', errorDetails: expect.stringContaining('not valid JSON') });
  });

  it('shows client keys only clientSide flags', async () => {
    const res = await ofrep('', { context: { targetingKey: 'u' } }, clientKey);
    expect(res.body.flags.map((f: { key: string }) => f.key)).toEqual(['theme']);
  });

  it('answers 401 without a key and 403 for an admin token', async () => {
    expect((await server.api('POST', '/ofrep/v1/evaluate/flags/theme', {}, { Authorization: '' })).status).toBe(401);
    expect((await server.api('POST', '/ofrep/v1/evaluate/flags/theme', {})).status).toBe(403);
  });
});
