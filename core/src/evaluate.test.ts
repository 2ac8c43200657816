import { afterEach, describe, expect, it } from 'vitest';
import { bucketOf } from './bucket.js';
import { evaluate, isEnabled } from './evaluate.js';
import type { Clause, Context, Segment } from './model.js';
import type { PreparedSnapshot } from './snapshot.js';
import { clause, flagOff, flagOn, jsonFlag, numberFlag, preparedOf, rolloutFlag, ruleFlag, segment, stringFlag } from './testing/index.js';

/** Flag `f`, serving true when `c` matches, false otherwise. */
function withClause(c: Clause, segments: Segment[] = []): PreparedSnapshot {
  return preparedOf([ruleFlag('f', [c])], segments);
}

const matches = (s: PreparedSnapshot, context: unknown) => evaluate(s, 'f', context as Context, false).value;

describe('evaluation order and reasons', () => {
  const newCheckout = flagOn('new-checkout', {
    targets: [{ variation: 1, values: ['user-1'] }],
    rules: [
      { id: 'africa', clauses: [{ attribute: 'country', op: 'in', values: ['ZA', 'NG', 'KE'] }], serve: { variation: 1 } },
      { id: 'blocked', clauses: [{ attribute: 'country', op: 'in', values: ['ZA'] }], serve: { variation: 0 } },
      {
        id: 'staff',
        clauses: [{ attribute: 'email', op: 'endsWith', values: ['@example.com'] }],
        serve: { rollout: { bucketBy: 'key', weights: [0, 100_000] } },
      },
    ],
    fallthrough: { rollout: { bucketBy: 'key', weights: [100_000, 0] } },
  });
  const s = preparedOf([newCheckout]);

  it('answers an unknown flag with the default and ERROR/FLAG_NOT_FOUND', () => {
    expect(evaluate(s, 'nope', { key: 'u' }, 'fallback')).toEqual({
      value: 'fallback',
      variationIndex: null,
      reason: { kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' },
    });
  });

  it('serves offVariation to everyone, targeted or not, when the flag is off', () => {
    const off = preparedOf([{ ...newCheckout, on: false }]);
    for (const context of [{ key: 'user-1' }, { key: 'x', country: 'ZA' }, {}]) {
      expect(evaluate(off, 'new-checkout', context, true)).toEqual({ value: false, variationIndex: 0, reason: { kind: 'OFF' } });
    }
  });

  it('serves the first target that lists a key, whichever comes later (validation refuses such flags; SDKs may still meet one)', () => {
    const twice = preparedOf([
      flagOn('twice', {
        targets: [
          { variation: 1, values: ['u'] },
          { variation: 0, values: ['v', 'u'] },
        ],
      }),
    ]);
    expect(evaluate(twice, 'twice', { key: 'u' }, false)).toEqual({ value: true, variationIndex: 1, reason: { kind: 'TARGET_MATCH' } });
    expect(evaluate(twice, 'twice', { key: 'v' }, true).value).toBe(false);
  });

  it.each(['constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__proto__'])(
    'answers FLAG_NOT_FOUND for a flag key %s that only Object.prototype knows',
    (key) => {
      expect(evaluate(s, key, { key: 'u' }, 'fallback').reason).toEqual({ kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' });
      expect(isEnabled(s, key, { key: 'u' })).toBe(false);
    },
  );

  it('serves a target before any rule', () => {
    expect(evaluate(s, 'new-checkout', { key: 'user-1', country: 'US' }, false)).toEqual({
      value: true,
      variationIndex: 1,
      reason: { kind: 'TARGET_MATCH' },
    });
  });

  it('serves the first matching rule, naming it', () => {
    expect(evaluate(s, 'new-checkout', { key: 'u', country: 'ZA' }, false)).toEqual({
      value: true,
      variationIndex: 1,
      reason: { kind: 'RULE_MATCH', ruleId: 'africa', ruleIndex: 0 },
    });
  });

  it('marks a rule that served through a rollout with inRollout', () => {
    expect(evaluate(s, 'new-checkout', { key: 'u', email: 'ada@example.com' }, false).reason).toEqual({
      kind: 'RULE_MATCH',
      ruleId: 'staff',
      ruleIndex: 2,
      inRollout: true,
    });
  });

  it('falls through when nothing else matches', () => {
    expect(evaluate(s, 'new-checkout', { key: 'u', country: 'US' }, true)).toEqual({
      value: false,
      variationIndex: 0,
      reason: { kind: 'FALLTHROUGH', inRollout: true },
    });
    const fixed = preparedOf([flagOn('f')]);
    expect(evaluate(fixed, 'f', {}, false).reason).toEqual({ kind: 'FALLTHROUGH' });
  });

  it('requires every clause of a rule to match', () => {
    const both = preparedOf([ruleFlag('f', [clause('country', 'in', ['ZA']), clause('plan', 'in', ['pro'])])]);
    expect(matches(both, { country: 'ZA', plan: 'pro' })).toBe(true);
    expect(matches(both, { country: 'ZA', plan: 'free' })).toBe(false);
    expect(matches(both, { country: 'ZA' })).toBe(false);
  });
});

describe('types', () => {
  const s = preparedOf([
    flagOn('bool'),
    stringFlag('text', ['a', 'b']),
    numberFlag('count', [1, 2], { fallthrough: { variation: 0 } }),
    jsonFlag('config', [{ a: 1 }, [1, 2], null], { fallthrough: { variation: 0 } }),
    jsonFlag('list', [[1, 2]], { fallthrough: { variation: 0 } }),
    jsonFlag('nothing', [null], { fallthrough: { variation: 0 } }),
  ]);
  const wrongType = { kind: 'ERROR', errorKind: 'WRONG_TYPE' };

  it('serves a value whose type is the default’s', () => {
    expect(evaluate(s, 'bool', {}, false).value).toBe(true);
    expect(evaluate(s, 'text', {}, '').value).toBe('b');
    expect(evaluate(s, 'count', {}, 0).value).toBe(1);
    expect(evaluate(s, 'config', {}, {}).value).toEqual({ a: 1 });
    expect(evaluate(s, 'list', {}, {}).value).toEqual([1, 2]);
    expect(evaluate(s, 'nothing', {}, {}).value).toBeNull();
  });

  it('answers a value of another type with the default and ERROR/WRONG_TYPE', () => {
    expect(evaluate(s, 'text', {}, false)).toEqual({ value: false, variationIndex: null, reason: wrongType });
    expect(evaluate(s, 'bool', {}, 'x')).toEqual({ value: 'x', variationIndex: null, reason: wrongType });
    expect(evaluate(s, 'count', {}, '1')).toEqual({ value: '1', variationIndex: null, reason: wrongType });
    expect(evaluate(s, 'config', {}, 0)).toEqual({ value: 0, variationIndex: null, reason: wrongType });
    expect(evaluate(s, 'text', {}, {}).reason).toEqual(wrongType);
    expect(isEnabled(s, 'text', {})).toBe(false);
  });

  it('lets a null default take any type', () => {
    expect(evaluate(s, 'text', {}, null).value).toBe('b');
    expect(evaluate(s, 'bool', {}, null).value).toBe(true);
  });

  it('checks the type of an OFF value too', () => {
    const off = preparedOf([stringFlag('text', ['a'], { on: false, fallthrough: { variation: 0 } })]);
    expect(evaluate(off, 'text', {}, false).reason).toEqual(wrongType);
  });
});

describe('malformed flags', () => {
  const malformed = { kind: 'ERROR', errorKind: 'MALFORMED_FLAG' };

  it('answers only the broken path with MALFORMED_FLAG', () => {
    const s = preparedOf([
      flagOn('f', {
        targets: [{ variation: 7, values: ['broken'] }],
        rules: [
          { id: 'bad', clauses: [{ attribute: 'plan', op: 'in', values: ['bad'] }], serve: { variation: 2 } },
          {
            id: 'weights',
            clauses: [{ attribute: 'plan', op: 'in', values: ['weights'] }],
            serve: { rollout: { bucketBy: 'key', weights: [1, 2] } },
          },
          { id: 'negative', clauses: [{ attribute: 'plan', op: 'in', values: ['negative'] }], serve: { variation: -1 } },
          { id: 'fraction', clauses: [{ attribute: 'plan', op: 'in', values: ['fraction'] }], serve: { variation: 0.5 } },
          {
            id: 'long',
            clauses: [{ attribute: 'plan', op: 'in', values: ['long'] }],
            serve: { rollout: { bucketBy: 'key', weights: [0, 0, 100_000] } },
          },
        ],
      }),
    ]);
    for (const context of [
      { key: 'broken' },
      { plan: 'bad' },
      { plan: 'weights' },
      { plan: 'negative' },
      { plan: 'fraction' },
      { plan: 'long' },
    ]) {
      expect(evaluate(s, 'f', context, false), JSON.stringify(context)).toEqual({ value: false, variationIndex: null, reason: malformed });
      expect(isEnabled(s, 'f', context)).toBe(false);
    }
    expect(evaluate(s, 'f', { plan: 'good' }, false).value).toBe(true);
  });

  it('answers an off flag whose offVariation does not exist with MALFORMED_FLAG', () => {
    const s = preparedOf([flagOff('f', { offVariation: 5 })]);
    expect(evaluate(s, 'f', {}, true)).toEqual({ value: true, variationIndex: null, reason: malformed });
  });
});

describe('clauses', () => {
  it('match when any of their values matches, and an array attribute when any element matches', () => {
    const s = withClause({ attribute: 'groups', op: 'in', values: ['a', 'b'] });
    expect(matches(s, { groups: 'b' })).toBe(true);
    expect(matches(s, { groups: ['x', 'b'] })).toBe(true);
    expect(matches(s, { groups: ['x', 'y'] })).toBe(false);
    expect(matches(s, { groups: [['a']] })).toBe(false);
  });

  it('are inverted by negate', () => {
    const s = withClause({ attribute: 'country', op: 'in', values: ['ZA'], negate: true });
    expect(matches(s, { country: 'US' })).toBe(true);
    expect(matches(s, { country: 'ZA' })).toBe(false);
    expect(matches(s, { country: ['US', 'ZA'] })).toBe(false);
    expect(matches(s, { country: [] })).toBe(true);
    expect(matches(s, { country: 7 })).toBe(true);
  });

  it('never match a missing or null attribute, negated or not', () => {
    for (const negate of [false, true]) {
      const s = withClause({ attribute: 'country', op: 'in', values: ['ZA'], negate });
      expect(matches(s, {})).toBe(false);
      expect(matches(s, { country: null })).toBe(false);
      expect(matches(s, { country: undefined })).toBe(false);
    }
  });

  it('with an operator this version does not know never match, negated or not', () => {
    for (const negate of [false, true]) {
      const s = withClause({ attribute: 'country', op: 'equals' as Clause['op'], values: ['ZA'], negate });
      expect(matches(s, { country: 'ZA' })).toBe(false);
      expect(matches(s, { country: 'US' })).toBe(false);
    }
  });
});

describe('segments', () => {
  const beta = segment('beta', {
    included: ['in-1', 'both'],
    excluded: ['out-1', 'both', 'ruled-out'],
    rules: [{ clauses: [{ attribute: 'email', op: 'endsWith', values: ['@example.com'] }] }],
  });
  const s = withClause({ attribute: '', op: 'segmentMatch', values: ['beta'] }, [beta]);

  it('hold their included keys, and contexts that match one of their rules', () => {
    expect(matches(s, { key: 'in-1' })).toBe(true);
    expect(matches(s, { key: 'x', email: 'ada@example.com' })).toBe(true);
    expect(matches(s, { email: 'ada@example.com' })).toBe(true);
    expect(matches(s, { key: 'x' })).toBe(false);
  });

  it('let excluded keys beat included keys, and included keys beat rules', () => {
    expect(matches(s, { key: 'both' })).toBe(false);
    expect(matches(s, { key: 'ruled-out', email: 'ada@example.com' })).toBe(false);
  });

  it('match when any named segment holds the context; an unknown segment holds nobody', () => {
    const other = segment('other', { included: ['o'] });
    const many = withClause({ attribute: '', op: 'segmentMatch', values: ['ghost', 'beta', 'other'] }, [beta, other]);
    expect(matches(many, { key: 'o' })).toBe(true);
    expect(matches(many, { key: 'in-1' })).toBe(true);
    const ghost = withClause({ attribute: '', op: 'segmentMatch', values: ['ghost'] });
    expect(matches(ghost, { key: 'in-1' })).toBe(false);
    const notGhost = withClause({ attribute: '', op: 'segmentMatch', values: ['ghost'], negate: true });
    expect(matches(notGhost, { key: 'in-1' })).toBe(true);
  });

  it('are inverted by negate', () => {
    const outside = withClause({ attribute: '', op: 'segmentMatch', values: ['beta'], negate: true }, [beta]);
    expect(matches(outside, { key: 'in-1' })).toBe(false);
    expect(matches(outside, { key: 'x' })).toBe(true);
  });

  it('ignore segmentMatch inside their own rules', () => {
    const nested = segment('nested', { rules: [{ clauses: [{ attribute: '', op: 'segmentMatch', values: ['beta'], negate: true }] }] });
    const s2 = withClause({ attribute: '', op: 'segmentMatch', values: ['nested'] }, [beta, nested]);
    expect(matches(s2, { key: 'x' })).toBe(false);
  });
});

describe('attributes are own properties only', () => {
  afterEach(() => {
    delete (Object.prototype as Record<string, unknown>).country;
    delete (Object.prototype as Record<string, unknown>).key;
  });

  it('ignores inherited attributes', () => {
    const s = withClause({ attribute: 'country', op: 'in', values: ['ZA'] });
    expect(matches(s, Object.create({ country: 'ZA' }))).toBe(false);
    const notUs = withClause({ attribute: 'country', op: 'in', values: ['US'], negate: true });
    expect(matches(notUs, Object.create({ country: 'ZA' }))).toBe(false);
  });

  it('is not fooled by a polluted Object.prototype, in clauses, targets or bucketing', () => {
    (Object.prototype as Record<string, unknown>).country = 'ZA';
    (Object.prototype as Record<string, unknown>).key = 'user-1';
    const s = preparedOf([
      ruleFlag('clause', [clause('country', 'in', ['ZA'])]),
      flagOn('target', { targets: [{ variation: 1, values: ['user-1'] }], fallthrough: { variation: 0 } }),
      rolloutFlag('rollout', [50_000, 50_000]),
      flagOn('country', { fallthrough: { rollout: { bucketBy: 'country', weights: [50_000, 50_000] } } }),
    ]);
    expect(isEnabled(s, 'clause', {})).toBe(false);
    expect(isEnabled(s, 'target', {})).toBe(false);
    expect(evaluate(s, 'target', { key: 'user-1' }, false).reason).toEqual({ kind: 'TARGET_MATCH' });
    // bucket 0 (missing key) is in the first 50%: false, whatever the polluted key would hash to.
    expect(evaluate(s, 'rollout', {}, true)).toEqual({ value: false, variationIndex: 0, reason: { kind: 'FALLTHROUGH', inRollout: true } });
    expect(evaluate(s, 'country', {}, true).variationIndex).toBe(0);
    expect(isEnabled(s, 'clause', { country: 'ZA' })).toBe(true);
  });

  it('reads a JSON "__proto__" key as plain data, and never resolves constructor or toString', () => {
    const s = withClause({ attribute: 'country', op: 'in', values: ['ZA'] });
    expect(matches(s, JSON.parse('{"__proto__": {"country": "ZA"}}'))).toBe(false);
    const proto = withClause({ attribute: '__proto__', op: 'in', values: ['x'] });
    expect(matches(proto, {})).toBe(false);
    expect(matches(proto, JSON.parse('{"__proto__": "x"}'))).toBe(true);
    for (const attribute of ['constructor', 'toString', 'hasOwnProperty']) {
      const s2 = withClause({ attribute, op: 'contains', values: ['function'], negate: true });
      expect(matches(s2, {}), attribute).toBe(false);
    }
  });

  it('reads attributes of class instances that are their own', () => {
    class User {
      country = 'ZA';
      get plan() {
        return 'pro';
      }
    }
    expect(matches(withClause({ attribute: 'country', op: 'in', values: ['ZA'] }), new User())).toBe(true);
    expect(matches(withClause({ attribute: 'plan', op: 'in', values: ['pro'] }), new User())).toBe(false);
  });
});

describe('rollouts', () => {
  const rollout = (bucketBy: string, weights: number[], seed?: string) =>
    preparedOf([flagOn('r', { ...(seed ? { seed } : {}), fallthrough: { rollout: { bucketBy, weights } } })]);

  it('serve the first variation whose cumulative weight exceeds the bucket', () => {
    const bucket = bucketOf('r', 'user-7');
    expect(evaluate(rollout('key', [bucket, 100_000 - bucket]), 'r', { key: 'user-7' }, false).value).toBe(true);
    expect(evaluate(rollout('key', [bucket + 1, 99_999 - bucket]), 'r', { key: 'user-7' }, false).value).toBe(false);
  });

  it('put a context without the bucketBy attribute in bucket 0', () => {
    const s = rollout('key', [1, 99_999]);
    for (const context of [{}, { key: null }, { key: true }, { key: { id: 1 } }, { key: ['a'] }]) {
      expect(evaluate(s, 'r', context as Context, true).value).toBe(false);
    }
    expect(evaluate(rollout('key', [0, 100_000]), 'r', {}, false).value).toBe(true);
  });

  it('bucket numbers by String(n), and by any attribute', () => {
    const bucket = bucketOf('r', '42');
    const s = rollout('accountId', [bucket + 1, 99_999 - bucket]);
    expect(evaluate(s, 'r', { accountId: 42 }, true).value).toBe(false);
    expect(evaluate(rollout('accountId', [bucket, 100_000 - bucket]), 'r', { accountId: 42 }, false).value).toBe(true);
  });

  it('salt with the seed when there is one, the flag key otherwise', () => {
    const bucket = bucketOf('salt', 'user-7');
    const s = rollout('key', [bucket, 100_000 - bucket], 'salt');
    expect(evaluate(s, 'r', { key: 'user-7' }, false).value).toBe(true);
    expect(bucketOf('salt', 'user-7')).not.toBe(bucketOf('r', 'user-7'));
  });
});

describe('never throws', () => {
  const s = preparedOf([
    flagOn('f', {
      targets: [{ variation: 1, values: ['t'] }],
      rules: [
        { id: 'a', clauses: [{ attribute: 'country', op: 'matches', values: ['^(a+)+$'] }], serve: { variation: 1 } },
        { id: 'b', clauses: [{ attribute: '', op: 'segmentMatch', values: ['beta'] }], serve: { variation: 1 } },
        {
          id: 'c',
          clauses: [
            { attribute: 'n', op: 'gt', values: [1] },
            { attribute: 'v', op: 'semverGt', values: ['1.0.0'] },
          ],
          serve: { variation: 1 },
        },
      ],
      fallthrough: { rollout: { bucketBy: 'key', weights: [50_000, 50_000] } },
    }),
  ]);

  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'user-1'],
    ['a number', 7],
    ['an array', [{ key: 'user-1' }]],
    ['a function', () => 1],
    ['numbers where strings belong', { key: 12, country: 3, n: '5', v: 1 }],
    ['a huge string', { key: 'k'.repeat(1_000_000), country: 'é'.repeat(100_000) }],
    ['deeply nested values', { country: [[[['ZA']]]], key: { key: 'x' } }],
    ['an object without a prototype', Object.assign(Object.create(null), { key: 'user-1', country: 'ZA' })],
  ])('for a context that is %s', (_, context) => {
    expect(() => evaluate(s, 'f', context as Context, false)).not.toThrow();
    expect(typeof isEnabled(s, 'f', context as Context)).toBe('boolean');
  });

  it('answers a context whose getter throws with the default and ERROR/EXCEPTION', () => {
    const hostile = {
      get key(): string {
        throw new Error('boom');
      },
    };
    expect(evaluate(s, 'f', hostile, 'd' as never)).toEqual({
      value: 'd',
      variationIndex: null,
      reason: { kind: 'ERROR', errorKind: 'EXCEPTION' },
    });
    expect(isEnabled(s, 'f', hostile)).toBe(false);
    const proxy = new Proxy(
      {},
      {
        get: () => {
          throw new Error('trap');
        },
        getOwnPropertyDescriptor: () => {
          throw new Error('trap');
        },
      },
    );
    expect(evaluate(s, 'f', proxy, false).reason).toEqual({ kind: 'ERROR', errorKind: 'EXCEPTION' });
  });

  it('answers a missing state with the default and ERROR/CLIENT_NOT_READY', () => {
    expect(evaluate(null as unknown as PreparedSnapshot, 'f', {}, 3).reason).toEqual({ kind: 'ERROR', errorKind: 'CLIENT_NOT_READY' });
    expect(isEnabled(null as unknown as PreparedSnapshot, 'f', {})).toBe(false);
  });
});

describe('outcomes', () => {
  it('are prepared once, shared and frozen', () => {
    const s = preparedOf([flagOn('f')]);
    const a = evaluate(s, 'f', { key: 'a' }, false);
    const b = evaluate(s, 'f', { key: 'b' }, false);
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a.reason)).toBe(true);
  });

  it('make isEnabled agree with evaluate(…, false)', () => {
    const s = preparedOf([
      flagOn('f', {
        targets: [{ variation: 1, values: ['user-3'] }],
        rules: [
          {
            id: 'r',
            clauses: [{ attribute: 'n', op: 'lt', values: [10] }],
            serve: { rollout: { bucketBy: 'key', weights: [30_000, 70_000] } },
          },
        ],
        fallthrough: { rollout: { bucketBy: 'key', weights: [60_000, 40_000] } },
      }),
    ]);
    for (let i = 0; i < 2000; i++) {
      const context = { key: `user-${i}`, n: i % 20 };
      expect(isEnabled(s, 'f', context)).toBe(evaluate(s, 'f', context, false).value);
    }
  });
});
