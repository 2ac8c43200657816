// Usage and acknowledgement end to end: what @flagstaff/node reports to POST /sdk/v1/usage becomes, in the
// admin API, "when was this flag last evaluated, and how often per variation" and "which version has
// each SDK instance applied" — so an operator can tell a dead flag, and how far a change has reached.
import { createClient, type FlagsClient } from '@flagstaff/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, until, type RunningServer } from '../helpers/server.js';

const ENV = 'production';
let server: RunningServer;
let sdkKey: string;
const clients: FlagsClient[] = [];

function client(instanceId: string): FlagsClient {
  const flags = createClient({ url: server.url, sdkKey, instanceId, usage: { intervalMs: 100 } });
  clients.push(flags);
  return flags;
}

const usageOf = async (flag: string, env?: string) =>
  (await server.api('GET', `/api/v1/flags/${flag}/usage${env === undefined ? '' : `?env=${env}`}`)).body.usage as {
    env: string;
    lastEvaluatedAt: string | null;
    evaluations: number;
    variations: { variation: number | null; count: number; lastEvaluatedAt: string }[];
  }[];

const instances = async () =>
  (await server.api('GET', `/api/v1/environments/${ENV}/sdk-instances`)).body as {
    version: number;
    instances: { instanceId: string; sdk: string; keyId: string; appliedVersion: number | null; behind: number | null }[];
  };

beforeAll(async () => {
  server = await startServer({ env: { FLAGSTAFF_RATE_LIMIT: '0' } });
  const key = await server.api('POST', '/api/v1/keys', { kind: 'server', env: ENV, name: 'usage-test' });
  expect(key.status).toBe(201);
  sdkKey = key.body.key;
  for (const flag of ['new-checkout', 'never-used']) expect((await server.api('POST', '/api/v1/flags', { key: flag })).status).toBe(201);
  expect((await server.api('PATCH', `/api/v1/flags/new-checkout/environments/${ENV}`, { on: true })).status).toBe(200);
});

afterAll(async () => {
  for (const flags of clients) await flags.close();
  await server?.stop();
});

describe('usage reports from @flagstaff/node, read back through the admin API', () => {
  it('records evaluation counts per variation and when each flag was last evaluated, per environment', async () => {
    const flags = client('usage-counts');
    await flags.ready({ timeoutMs: 5_000 });
    const before = Date.now();
    for (let i = 0; i < 3; i++) flags.isEnabled('new-checkout', { key: `user-${i}` });
    flags.variation('new-checkout', { key: 'user-9' }, 'a string default'); // wrong type: the default is served
    flags.isEnabled('not-a-flag-here', { key: 'user-1' }); // unknown to the server: not recorded

    const [production] = await until(
      async () => {
        const usage = await usageOf('new-checkout', ENV);
        return usage[0]!.evaluations >= 4 ? usage : undefined;
      },
      5_000,
      'the usage of new-checkout',
    );
    expect(production).toMatchObject({ env: ENV, evaluations: 4 });
    expect(production!.variations.map(({ variation, count }) => ({ variation, count }))).toEqual([
      { variation: null, count: 1 },
      { variation: 1, count: 3 },
    ]);
    expect(Date.parse(production!.lastEvaluatedAt!)).toBeGreaterThanOrEqual(before - 1_000);

    const everywhere = await usageOf('new-checkout');
    expect(everywhere.find((u) => u.env === 'staging')).toMatchObject({ lastEvaluatedAt: null, evaluations: 0, variations: [] });
    expect((await usageOf('never-used', ENV))[0]).toMatchObject({ lastEvaluatedAt: null, evaluations: 0 });
    expect((await server.api('GET', '/api/v1/flags/not-a-flag-here/usage')).status).toBe(404);
  });

  it('shows the version each SDK instance has applied, and how far a change has reached', async () => {
    const flags = client('checkout-web-1');
    await flags.ready({ timeoutMs: 5_000 });
    const mine = async () => (await instances()).instances.find((i) => i.instanceId === 'checkout-web-1');

    const first = await until(
      async () => {
        const { version } = await instances();
        const instance = await mine();
        return instance?.appliedVersion === version ? instance : undefined;
      },
      5_000,
      'the instance at the current version',
    );
    expect(first).toMatchObject({ sdk: '@flagstaff/node 0.1.0', behind: 0, keyId: expect.stringMatching(/^key_/) });

    const change = await server.api('PATCH', `/api/v1/flags/new-checkout/environments/${ENV}`, { on: false });
    expect(change.status).toBe(200);
    const reached = await until(
      async () => {
        const { version, instances: all } = await instances();
        const instance = all.find((i) => i.instanceId === 'checkout-web-1');
        return version > first.appliedVersion! && instance?.appliedVersion === version ? instance : undefined;
      },
      5_000,
      'the change to reach the instance',
    );
    expect(reached.behind).toBe(0);
    expect(flags.status().version).toBe(reached.appliedVersion);
  });

  it('refuses a usage report without a valid SDK key', async () => {
    const report = { instanceId: 'x', sdk: 'curl', version: 1, flags: [{ key: 'new-checkout', variation: 1, count: 1 }] };
    const anonymous = await server.api('POST', '/sdk/v1/usage', report, { Authorization: '' });
    expect(anonymous.status).toBe(401);
    const wrongKey = await server.api('POST', '/sdk/v1/usage', report, { Authorization: 'fss_not-a-key' });
    expect(wrongKey.status).toBe(401);
  });
});
