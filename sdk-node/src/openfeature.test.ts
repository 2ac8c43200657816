// The provider, driven through the real @openfeature/server-sdk as an application would use it.
import { ErrorCode, OpenFeature, ProviderEvents, StandardResolutionReasons, type EventDetails } from '@openfeature/server-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { flagOff, flagOn, jsonFlag, numberFlag, stringFlag } from '@flagstaff/core/testing';
import { createClient } from './index.js';
import { FlagstaffProvider } from './openfeature.js';
import { FakeServer, SDK_KEY } from './testing/fake-server.js';
import { until } from './testing/wait.js';

const flagsOf = () => [
  flagOff('killed'),
  flagOn('new-checkout', {
    targets: [{ variation: 1, values: ['vip'] }],
    rules: [
      { id: 'staff', clauses: [{ attribute: 'email', op: 'endsWith', values: ['@example.com'] }], serve: { variation: 1 } },
      {
        id: 'half',
        clauses: [{ attribute: 'plan', op: 'in', values: ['pro'] }],
        serve: { rollout: { bucketBy: 'key', weights: [50_000, 50_000] } },
      },
    ],
    fallthrough: { variation: 0 },
  }),
  flagOn('everyone', { fallthrough: { rollout: { bucketBy: 'key', weights: [0, 100_000] } } }),
  stringFlag('banner-text', ['Welcome', 'Hello']),
  numberFlag('max-items', [10, 50]),
  jsonFlag('theme', [{ color: 'red' }, { color: 'blue' }]),
];

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setUp(options: { readyTimeoutMs?: number } = {}) {
  const fake = await FakeServer.start(flagsOf());
  cleanup.push(() => fake.close());
  const provider = new FlagstaffProvider(
    { url: fake.url, sdkKey: SDK_KEY, usage: false, reconnect: { baseMs: 20, maxMs: 100 }, pollIntervalMs: 100 },
    options,
  );
  cleanup.push(() => OpenFeature.clearProviders());
  return { fake, provider };
}

describe('FlagstaffProvider through @openfeature/server-sdk', () => {
  it('resolves every type with the reasons mapped to OpenFeature', async () => {
    const { provider } = await setUp();
    await OpenFeature.setProviderAndWait(provider);
    const client = OpenFeature.getClient();

    expect(await client.getBooleanDetails('new-checkout', false, { targetingKey: 'vip' })).toMatchObject({
      value: true,
      variant: '1',
      reason: StandardResolutionReasons.TARGETING_MATCH,
      flagMetadata: { reason: 'TARGET_MATCH' },
    });
    expect(await client.getBooleanDetails('new-checkout', false, { targetingKey: 'u', email: 'a@example.com' })).toMatchObject({
      value: true,
      reason: StandardResolutionReasons.TARGETING_MATCH,
      flagMetadata: { reason: 'RULE_MATCH', ruleId: 'staff' },
    });
    expect(await client.getBooleanDetails('new-checkout', true, { targetingKey: 'u', plan: 'pro' })).toMatchObject({
      reason: StandardResolutionReasons.SPLIT,
      flagMetadata: { ruleId: 'half', inRollout: true },
    });
    expect(await client.getBooleanDetails('everyone', false, { targetingKey: 'u' })).toMatchObject({
      value: true,
      reason: StandardResolutionReasons.SPLIT,
    });
    expect(await client.getBooleanDetails('new-checkout', true, { targetingKey: 'u' })).toMatchObject({
      value: false,
      reason: StandardResolutionReasons.DEFAULT,
    });
    expect(await client.getBooleanDetails('killed', true, {})).toMatchObject({ value: false, reason: StandardResolutionReasons.DISABLED });
    expect(await client.getStringValue('banner-text', 'Welcome')).toBe('Hello');
    expect(await client.getNumberValue('max-items', 10)).toBe(50);
    expect(await client.getObjectValue('theme', { color: 'green' })).toEqual({ color: 'blue' });
  });

  it('answers errors with the default, reason ERROR and the OpenFeature error code', async () => {
    const { provider } = await setUp();
    await OpenFeature.setProviderAndWait(provider);
    const client = OpenFeature.getClient();
    expect(await client.getBooleanDetails('no-such-flag', true)).toMatchObject({
      value: true,
      reason: StandardResolutionReasons.ERROR,
      errorCode: ErrorCode.FLAG_NOT_FOUND,
    });
    expect(await client.getNumberDetails('banner-text', 7)).toMatchObject({
      value: 7,
      reason: StandardResolutionReasons.ERROR,
      errorCode: ErrorCode.TYPE_MISMATCH,
    });
  });

  it('emits CONFIGURATION_CHANGED with the changed keys, STALE when the server is lost and READY when it is back', async () => {
    const { fake, provider } = await setUp();
    await OpenFeature.setProviderAndWait(provider);
    const client = OpenFeature.getClient();
    const seen: [string, EventDetails][] = [];
    for (const event of [ProviderEvents.ConfigurationChanged, ProviderEvents.Stale, ProviderEvents.Ready, ProviderEvents.Error]) {
      client.addHandler(event, (details) => seen.push([event, details!]));
    }
    seen.length = 0; // READY handlers run at once for a provider that is already ready

    fake.setFlag(flagOn('killed'));
    await until(() => seen.find(([e]) => e === ProviderEvents.ConfigurationChanged), { what: 'CONFIGURATION_CHANGED' });
    expect(seen[0]![1]).toMatchObject({ flagsChanged: ['killed'] });
    expect(await client.getBooleanValue('killed', false)).toBe(true);

    fake.down = true;
    fake.dropStreams();
    await until(() => seen.find(([e]) => e === ProviderEvents.Stale), { what: 'STALE' });
    expect(await client.getBooleanDetails('killed', false)).toMatchObject({ value: true, reason: StandardResolutionReasons.STALE });

    fake.down = false;
    await until(() => seen.find(([e]) => e === ProviderEvents.Ready), { what: 'READY' });
    expect(await client.getBooleanDetails('killed', false)).toMatchObject({ reason: StandardResolutionReasons.DEFAULT });
  });

  it('reports an error state when the key is refused', async () => {
    const { fake, provider } = await setUp({ readyTimeoutMs: 2_000 });
    fake.streamPlan.push({ status: 401 });
    await expect(OpenFeature.setProviderAndWait(provider)).rejects.toThrow(/failed.*401/);
    expect(OpenFeature.getClient().providerStatus).toBe('ERROR');
    expect(await OpenFeature.getClient().getBooleanDetails('new-checkout', true)).toMatchObject({ value: true, reason: 'ERROR' });
  });

  it('wraps a client the application keeps, and leaves it open on close', async () => {
    const fake = await FakeServer.start(flagsOf());
    cleanup.push(() => fake.close());
    const flags = createClient({ url: fake.url, sdkKey: SDK_KEY, usage: false });
    cleanup.push(() => flags.close());
    await OpenFeature.setProviderAndWait(new FlagstaffProvider(flags));
    expect(await OpenFeature.getClient().getStringValue('banner-text', 'Welcome')).toBe('Hello');
    await OpenFeature.clearProviders();
    expect(flags.status().state).toBe('ready');
  });
});
