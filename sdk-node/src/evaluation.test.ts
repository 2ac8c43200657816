// The evaluation surface: typed by the default, a reason for every default served, and no input —
// however strange — throws into the application.
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { flagOff, flagOn, jsonFlag, numberFlag, stringFlag } from '@flagstaff/core/testing';
import { createClient, type FlagsClient } from './index.js';
import { ADVERSARIAL_CONTEXTS, ADVERSARIAL_KEYS, THROWING_CONTEXT } from './testing/adversarial.js';
import { FakeServer, SDK_KEY } from './testing/fake-server.js';

let fake: FakeServer;
let flags: FlagsClient;

beforeAll(async () => {
  fake = await FakeServer.start([
    flagOn('new-checkout', {
      targets: [{ variation: 0, values: ['blocked'] }],
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
    stringFlag('banner-text', ['Welcome', 'Hello']),
    numberFlag('max-items', [10, 50]),
    jsonFlag('theme', [{ color: 'red' }, { color: 'blue' }], { clientSide: true }),
    flagOff('killed'),
  ]);
  flags = createClient({ url: fake.url, sdkKey: SDK_KEY, usage: false });
  await flags.ready();
});

afterAll(async () => {
  await flags.close();
  await fake.close();
});

describe('variation', () => {
  it('returns the type of its default', () => {
    expectTypeOf(flags.variation('banner-text', {}, 'Welcome')).toEqualTypeOf<string>();
    expectTypeOf(flags.variation('max-items', {}, 10)).toEqualTypeOf<number>();
    expectTypeOf(flags.variation('new-checkout', {}, false)).toEqualTypeOf<boolean>();
    expectTypeOf(flags.variation('theme', {}, { color: 'red' })).toEqualTypeOf<{ color: string }>();
    expect(flags.variation('max-items', {}, 10)).toBe(50);
    expect(flags.variation('theme', {}, { color: 'green' })).toEqual({ color: 'blue' });
  });

  it.each([
    ['an unknown flag', 'no-such-flag', 'FLAG_NOT_FOUND'],
    ['a flag of another type', 'max-items', 'WRONG_TYPE'],
  ])('serves the default with a reason for %s', (_, key, errorKind) => {
    expect(flags.variationDetail(key, { key: 'u' }, 'Welcome')).toEqual({
      value: 'Welcome',
      variationIndex: null,
      reason: { kind: 'ERROR', errorKind },
      source: 'server',
    });
  });

  it('is false from isEnabled on anything but a served true', () => {
    expect(flags.isEnabled('banner-text', { key: 'u' })).toBe(false);
    expect(flags.isEnabled('no-such-flag', { key: 'u' })).toBe(false);
    expect(flags.isEnabled('killed', { key: 'u' })).toBe(false);
    expect(flags.isEnabled('new-checkout', { key: 'u', email: 'a@example.com' })).toBe(true);
    expect(flags.isEnabled('new-checkout', { key: 'blocked', email: 'a@example.com' })).toBe(false);
  });

  it('gives the reason, rule id and rollout in the detail', () => {
    expect(flags.variationDetail('killed', {}, true).reason).toEqual({ kind: 'OFF' });
    expect(flags.variationDetail('new-checkout', { key: 'blocked' }, false).reason).toEqual({ kind: 'TARGET_MATCH' });
    const rollout = Array.from({ length: 200 }, (_, i) => flags.variationDetail('new-checkout', { key: `u${i}`, plan: 'pro' }, false));
    expect(new Set(rollout.map((d) => d.value))).toEqual(new Set([true, false]));
    for (const d of rollout) expect(d.reason).toEqual({ kind: 'RULE_MATCH', ruleId: 'half', ruleIndex: 1, inRollout: true });
  });

  it('lists every value for a context, or only the client-side ones', () => {
    expect(flags.allFlags({ key: 'u' })).toEqual({
      'new-checkout': false,
      'banner-text': 'Hello',
      'max-items': 50,
      theme: { color: 'blue' },
      killed: false,
    });
    expect(flags.allFlags({ key: 'u' }, { clientSideOnly: true })).toEqual({ theme: { color: 'blue' } });
  });
});

describe('adversarial input never throws', () => {
  const contexts = ADVERSARIAL_CONTEXTS;
  const keys: unknown[] = ['new-checkout', ...ADVERSARIAL_KEYS];

  it.each(contexts)('with %s as the context', (_, context) => {
    for (const key of keys) {
      const k = key as string;
      const c = context as never;
      expect(() => flags.isEnabled(k, c)).not.toThrow();
      expect(typeof flags.isEnabled(k, c)).toBe('boolean');
      expect(() => flags.variation(k, c, 'd')).not.toThrow();
      expect(flags.variationDetail(k, c, 'd').reason.kind).toMatch(/^(ERROR|OFF|TARGET_MATCH|RULE_MATCH|FALLTHROUGH)$/);
      expect(() => flags.allFlags(c)).not.toThrow();
    }
  });

  it('serves the default with reason EXCEPTION when the context throws', () => {
    expect(flags.variationDetail('new-checkout', THROWING_CONTEXT as never, false)).toMatchObject({
      value: false,
      reason: { kind: 'ERROR', errorKind: 'EXCEPTION' },
    });
  });
});
