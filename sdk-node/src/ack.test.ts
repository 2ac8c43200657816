// Acknowledgements (ack.ts): the stream names this instance, each applied version is acknowledged within
// the window, versions applied together go as one ack of the newest, and a server without the route is
// not asked again.
import { afterEach, describe, expect, it } from 'vitest';
import { flagOff, flagOn } from '@flagstaff/core/testing';
import { createClient } from './index.js';
import { FakeServer, SDK_KEY } from './testing/fake-server.js';
import { until } from './testing/wait.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const acks = (fake: FakeServer) => fake.requestsTo('/sdk/v1/ack').map((r) => JSON.parse(r.body));

async function started(fake: FakeServer, debug: string[] = []) {
  cleanup.push(() => fake.close());
  const logger = { debug: (line: string) => void debug.push(line), info: () => {}, warn: () => {}, error: () => {} };
  const flags = createClient({ url: fake.url, sdkKey: SDK_KEY, usage: false, instanceId: 'checkout-1', logger });
  cleanup.push(() => flags.close());
  await flags.ready();
  return flags;
}

describe('acknowledgements', () => {
  it('names the instance on the stream, acks the put, and sends changes applied together as one ack of the newest', async () => {
    const fake = await FakeServer.start([flagOn('new-checkout')]);
    await started(fake);
    const [stream] = fake.requestsTo('/sdk/v1/stream');
    expect(stream?.headers['x-flagstaff-instance']).toBe('checkout-1');
    expect(stream?.headers['x-flagstaff-sdk']).toBe('node/0.1.0');
    await until(() => acks(fake).length === 1, { what: 'the ack of the put' });
    expect(acks(fake)[0]).toMatchObject({ instance: 'checkout-1', version: 1, ageMs: expect.any(Number) });

    fake.setFlag(flagOff('new-checkout'));
    fake.setFlag(flagOn('new-checkout'));
    const last = fake.setFlag(flagOff('new-checkout'));
    await until(() => acks(fake).some((a) => a.version === last), { what: 'the ack of the newest version' });
    expect(acks(fake).map((a) => a.version)).toEqual([1, last]);
    expect(acks(fake)[1].ageMs).toBeLessThanOrEqual(1000);
  });

  it('stops acknowledging when the server has no such route (404), and keeps serving flags', async () => {
    const fake = await FakeServer.start([flagOn('new-checkout')]);
    fake.acks = false;
    const debug: string[] = [];
    const flags = await started(fake, debug);
    await until(() => debug.some((line) => line.includes('does not take acknowledgements')), { what: 'the 404 noticed' });
    const version = fake.setFlag(flagOff('new-checkout'));
    await until(() => flags.status().version === version, { what: 'the change applied' });
    expect(flags.isEnabled('new-checkout')).toBe(false);
    // Applying it armed no ack: the sender stopped at the 404, so nothing can be on its way.
    await flags.close();
    expect(acks(fake)).toHaveLength(1);
  });
});
