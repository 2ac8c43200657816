import { afterEach, describe, expect, it } from 'vitest';
import { flagOff, flagOn } from '@flagstaff/core/testing';
import { createClient, type UsageReport } from './index.js';
import { FakeServer, SDK_KEY } from './testing/fake-server.js';
import { until } from './testing/wait.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const reports = (fake: FakeServer): UsageReport[] => fake.requestsTo('/sdk/v1/usage').map((r) => JSON.parse(r.body));

describe('usage reports', () => {
  it('sends batched counts with the applied version and instance id, every interval and at close', async () => {
    const fake = await FakeServer.start([flagOn('new-checkout'), flagOff('old-flag')]);
    cleanup.push(() => fake.close());
    const flags = createClient({ url: fake.url, sdkKey: SDK_KEY, usage: { intervalMs: 100 }, instanceId: 'web-1' });
    cleanup.push(() => flags.close());
    await flags.ready();
    for (let i = 0; i < 5; i++) flags.isEnabled('new-checkout', { key: `u${i}` });
    flags.variation('old-flag', {}, true);
    flags.isEnabled('missing-flag');

    const report = await until(() => reports(fake).find((r) => r.flags.length > 0), { what: 'a report with counts' });
    expect(report).toMatchObject({ instanceId: 'web-1', sdk: '@flagstaff/node 0.1.0', version: 1 });
    expect(report.flags).toEqual(
      expect.arrayContaining([
        { key: 'new-checkout', variation: 1, count: 5 },
        { key: 'old-flag', variation: 0, count: 1 },
        { key: 'missing-flag', variation: null, count: 1 },
      ]),
    );
    expect(Date.parse(report.window.end)).toBeGreaterThanOrEqual(Date.parse(report.window.start));
    const request = fake.requestsTo('/sdk/v1/usage')[0]!;
    expect(request.headers).toMatchObject({ authorization: SDK_KEY, 'content-type': 'application/json' });

    // The applied version moves with changes, so the server can tell how far a change has reached.
    const version = fake.setFlag(flagOff('new-checkout'));
    await until(() => reports(fake).some((r) => r.version === version), { what: 'a report of the new version' });

    flags.isEnabled('new-checkout');
    const sent = fake.requestsTo('/sdk/v1/usage').length;
    await flags.close();
    expect(fake.requestsTo('/sdk/v1/usage').length).toBe(sent + 1);
    expect(reports(fake).at(-1)!.flags).toEqual([{ key: 'new-checkout', variation: 0, count: 1 }]);
  });

  it('sends nothing when disabled', async () => {
    const fake = await FakeServer.start([flagOn('new-checkout')]);
    cleanup.push(() => fake.close());
    const flags = createClient({ url: fake.url, sdkKey: SDK_KEY, usage: false });
    await flags.ready();
    flags.isEnabled('new-checkout');
    await flags.close();
    expect(fake.requestsTo('/sdk/v1/usage')).toHaveLength(0);
  });
});
