// The web provider, driven through the real @openfeature/web-sdk as a page would use it: one static
// context set on OpenFeature, flags resolved synchronously from the client's local evaluation.
import { ErrorCode, OpenFeature, ProviderEvents, StandardResolutionReasons, type EvaluationContext } from '@openfeature/web-sdk';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flagOff, flagOn, jsonFlag, snapshotOf, stringFlag } from '@flagstaff/core/testing';
import { FlagstaffWebProvider } from './openfeature.js';
import { FakeEventSource } from './testing/fakes.js';

const held = snapshotOf(4, [
  flagOff('killed'),
  flagOn('new-checkout', {
    targets: [{ variation: 1, values: ['vip'] }],
    rules: [
      {
        id: 'pro',
        clauses: [{ attribute: 'plan', op: 'in', values: ['pro'] }],
        serve: { rollout: { bucketBy: 'key', weights: [0, 100_000] } },
      },
    ],
    fallthrough: { variation: 0 },
  }),
  stringFlag('banner-text', ['Welcome', 'Hello']),
  jsonFlag('theme', [{ color: 'red' }, { color: 'blue' }]),
]);

beforeEach(() => {
  FakeEventSource.instances = [];
  vi.stubGlobal('EventSource', FakeEventSource);
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => Promise.reject(new TypeError('offline'))),
  );
});

afterEach(async () => {
  await OpenFeature.clearProviders();
  await OpenFeature.clearContext();
  vi.unstubAllGlobals();
});

/** A provider whose client receives `held` from the (fake) stream once initialize() starts waiting. */
async function ready(context: EvaluationContext) {
  const provider = new FlagstaffWebProvider({ url: 'https://flags.example', clientKey: 'fsc_test', cache: false });
  await OpenFeature.setContext(context);
  const set = OpenFeature.setProviderAndWait(provider);
  FakeEventSource.latest.open().emit('put', held);
  await set;
  return { provider, client: OpenFeature.getClient() };
}

describe('FlagstaffWebProvider through @openfeature/web-sdk', () => {
  it('resolves every type with the reasons mapped to OpenFeature', async () => {
    const { client } = await ready({ targetingKey: 'vip' });
    expect(client.getBooleanDetails('new-checkout', false)).toMatchObject({
      value: true,
      variant: '1',
      reason: StandardResolutionReasons.TARGETING_MATCH,
    });
    expect(client.getBooleanDetails('killed', true)).toMatchObject({ value: false, reason: StandardResolutionReasons.DISABLED });
    expect(client.getStringDetails('banner-text', 'x')).toMatchObject({ value: 'Hello', reason: StandardResolutionReasons.DEFAULT });
    expect(client.getObjectValue('theme', {})).toEqual({ color: 'blue' });
  });

  it('re-evaluates locally when the static context changes, announcing the flags that moved', async () => {
    const { provider, client } = await ready({ targetingKey: 'u-1' });
    expect(client.getBooleanValue('new-checkout', true)).toBe(false);
    const changed = new Promise((resolve) => provider.events.addHandler(ProviderEvents.ConfigurationChanged, resolve));

    await OpenFeature.setContext({ targetingKey: 'u-1', plan: 'pro' });

    expect(await changed).toMatchObject({ flagsChanged: ['new-checkout'] });
    expect(client.getBooleanDetails('new-checkout', false)).toMatchObject({
      value: true,
      reason: StandardResolutionReasons.SPLIT,
      flagMetadata: { reason: 'RULE_MATCH', ruleId: 'pro', inRollout: true, source: 'server' },
    });
    expect(FakeEventSource.instances).toHaveLength(1);
  });

  it.each([
    ['an unknown flag', 'missing', true, ErrorCode.FLAG_NOT_FOUND],
    ['a flag of another type', 'banner-text', true, ErrorCode.TYPE_MISMATCH],
  ])('answers %s with the default and an error code, never a throw', async (_, key, fallback, errorCode) => {
    const { client } = await ready({ targetingKey: 'u-1' });
    expect(client.getBooleanDetails(key, fallback)).toMatchObject({ value: fallback, reason: StandardResolutionReasons.ERROR, errorCode });
  });

  it('reports flags served before the server answered as STALE', async () => {
    const provider = new FlagstaffWebProvider(
      { url: 'https://flags.example', clientKey: 'fsc_test', cache: false, bootstrap: { 'new-checkout': true } },
      { readyTimeoutMs: 10 },
    );
    await OpenFeature.setProviderAndWait(provider);
    expect(OpenFeature.getClient().getBooleanDetails('new-checkout', false)).toMatchObject({
      value: true,
      reason: StandardResolutionReasons.STALE,
    });
  });
});
