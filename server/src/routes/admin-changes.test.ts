// Propagation reports in-process (admin-changes.ts, sdk-ack.ts, stream/reach.ts): streams connected to the
// hub when a change is framed are its members; POST /sdk/v1/ack marks them applied; the report names the
// rest. The streams are fake outputs handed to the real hub, with the identity the stream route reads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeOutput } from '../../../test/helpers/stream-fixtures.js';
import { TEST_ENV, testApp } from '../testing/app.js';

const t = testApp({ streaming: true });
const hub = t.streaming!.hub;
afterAll(() => t.close());

const keyIdOf = (raw: string) => {
  const key = t.deps.auth.authenticateSdkKey(raw);
  if (key === null) throw new Error('test key not found');
  return key.keyId;
};

function stream(instance: string | null, sdk: string | null, address: string, audience: 'server' | 'client' = 'server') {
  const keyId = keyIdOf(audience === 'server' ? t.keys.server : t.keys.client);
  return hub.connect(new FakeOutput(), { env: TEST_ENV, audience, keyId, lastEventId: null, identity: { instance, sdk, address } })!;
}

const ack = (instance: string, version: number, key = t.keys.server) =>
  t.request('/sdk/v1/ack', { method: 'POST', token: null, headers: { Authorization: key }, json: { instance, version } });

async function turnOff(): Promise<number> {
  const res = await t.request('/api/v1/flags/checkout/environments/production', { method: 'PATCH', json: { on: false } });
  expect(res.status).toBe(200);
  return Number(res.headers.get('x-flagstaff-env-version'));
}

beforeAll(async () => {
  expect((await t.request('/api/v1/flags', { method: 'POST', json: { key: 'checkout' } })).status).toBe(201);
  expect((await t.request('/api/v1/flags/checkout/environments/production', { method: 'PATCH', json: { on: true } })).status).toBe(200);
});

describe('GET /api/v1/environments/:env/changes/:version', () => {
  it('counts the streams connected when the change was sent, acks by instance, and names the ones that did not', async () => {
    stream('checkout-1', 'node/0.1.0', '10.0.4.16');
    stream('checkout-2', 'node/0.1.0', '10.0.4.17');
    stream(null, null, '10.0.9.9');
    const version = await turnOff();
    expect(version).toBe(hub.version(TEST_ENV));
    // Connected after the change: not part of its report.
    stream('late', 'node/0.1.0', '10.0.4.99');

    expect(await (await ack('checkout-1', version)).json()).toEqual({ counted: 1 });
    // Another key's SDK cannot acknowledge for a server key's stream, and an instance never sent it counts nothing.
    expect(await (await ack('checkout-2', version, t.keys.client)).json()).toEqual({ counted: 0 });
    expect(await (await ack('late', version)).json()).toEqual({ counted: 0 });

    const res = await t.request(`/api/v1/environments/production/changes/${version}`);
    expect(res.status).toBe(200);
    const report = await res.json();
    expect(report).toMatchObject({
      env: 'production',
      version,
      connected: 2,
      unidentified: 1,
      applied: 1,
      complete: false,
      missedDeadline: false,
      deadlineMs: 5000,
      timeToMs: { p50: expect.any(Number), p99: null, p100: null },
    });
    expect(report.pending).toEqual([{ instance: 'checkout-2', sdk: 'node/0.1.0', address: '10.0.4.17' }]);

    // A later version acknowledges the earlier ones too; the stream without an instance id is not waited for.
    expect(await (await ack('checkout-2', version + 5)).json()).toEqual({ counted: 1 });
    const after = await (await t.request(`/api/v1/environments/production/changes/${version}`)).json();
    expect(after).toMatchObject({ connected: 2, unidentified: 1, applied: 2, complete: true, pending: [] });
    expect(after.timeToMs).toEqual({ p50: expect.any(Number), p99: expect.any(Number), p100: expect.any(Number) });
  });

  it('is complete, with its times, when every connected stream acknowledged; the histogram counts it', async () => {
    const t2 = testApp({ streaming: true });
    try {
      const hub2 = t2.streaming!.hub;
      expect((await t2.request('/api/v1/flags', { method: 'POST', json: { key: 'checkout' } })).status).toBe(201);
      const keyId = t2.deps.auth.authenticateSdkKey(t2.keys.server)!.keyId;
      hub2.connect(new FakeOutput(), {
        env: TEST_ENV,
        audience: 'server',
        keyId,
        lastEventId: null,
        identity: { instance: 'only', sdk: 'node/0.1.0', address: '10.0.0.1' },
      });
      const res = await t2.request('/api/v1/flags/checkout/environments/production', { method: 'PATCH', json: { on: true } });
      const version = Number(res.headers.get('x-flagstaff-env-version'));
      const acked = await t2.request('/sdk/v1/ack', {
        method: 'POST',
        token: null,
        headers: { Authorization: t2.keys.server },
        json: { instance: 'only', version },
      });
      expect(acked.status).toBe(202);
      const report = await (await t2.request(`/api/v1/environments/production/changes/${version}`)).json();
      expect(report).toMatchObject({ connected: 1, applied: 1, complete: true, pending: [] });
      expect(report.timeToMs.p100).toBeGreaterThanOrEqual(0);
      const metrics = hub2.metricsText();
      expect(metrics).toContain('flagstaff_change_reach_seconds_count{env="production"} 1');
      expect(metrics).toContain('flagstaff_change_reach_missed_total{env="production"} 0');
    } finally {
      t2.close();
    }
  });

  it('refuses what it cannot answer: a garbled version, a version not yet reached, an unknown environment', async () => {
    expect((await t.request('/api/v1/environments/production/changes/abc')).status).toBe(400);
    expect((await t.request('/api/v1/environments/production/changes/99999')).status).toBe(404);
    expect((await t.request('/api/v1/environments/nowhere/changes/1')).status).toBe(404);
  });
});

describe('POST /sdk/v1/ack', () => {
  it('needs an SDK key and a well-formed body', async () => {
    expect((await t.request('/sdk/v1/ack', { method: 'POST', token: null, json: { instance: 'a', version: 1 } })).status).toBe(401);
    const bad = await t.request('/sdk/v1/ack', {
      method: 'POST',
      token: null,
      headers: { Authorization: t.keys.server },
      json: { version: -1 },
    });
    expect(bad.status).toBe(400);
  });
});
