import { describe, expect, it } from 'vitest';
import type { Flag, Segment } from './model.js';
import {
  FLAG_KEY_PATTERN,
  formatPath,
  MAX_REGEX_LENGTH,
  validateContext,
  validateFlag,
  validateSegment,
  validateSnapshot,
  type ValidationIssue,
} from './validate.js';

const newCheckout: Flag = {
  key: 'new-checkout',
  version: 12,
  kind: 'boolean',
  on: true,
  variations: [false, true],
  offVariation: 0,
  targets: [{ variation: 1, values: ['user-1', 'user-2'] }],
  rules: [
    { id: 'africa', clauses: [{ attribute: 'country', op: 'in', values: ['ZA', 'NG', 'KE'] }], serve: { variation: 1 } },
    {
      id: 'staff',
      clauses: [{ attribute: 'email', op: 'endsWith', values: ['@example.com'] }],
      serve: { rollout: { bucketBy: 'key', weights: [50_000, 50_000] } },
    },
  ],
  fallthrough: { rollout: { bucketBy: 'key', weights: [75_000, 25_000] } },
  seed: 'new-checkout',
  clientSide: true,
};

const withRule = (clauses: unknown[], serve: unknown = { variation: 1 }) => ({
  ...newCheckout,
  rules: [{ id: 'r', clauses, serve }],
});

const issues = (result: { ok: boolean; issues?: ValidationIssue[] }) => (result.ok ? [] : result.issues);

describe('validateFlag', () => {
  it('accepts DESIGN.md’s new-checkout flag and returns it typed', () => {
    const result = validateFlag(newCheckout);
    expect(result).toEqual({ ok: true, value: newCheckout });
  });

  it.each<[string, unknown, ValidationIssue[]]>([
    [
      'an unknown operator',
      {
        ...newCheckout,
        rules: [newCheckout.rules[0], { ...newCheckout.rules[1], clauses: [{ attribute: 'email', op: 'equals', values: ['x'] }] }],
      },
      [{ path: 'rules[1].clauses[0].op', message: 'unknown operator "equals"' }],
    ],
    [
      'weights that do not sum to 100000',
      { ...newCheckout, fallthrough: { rollout: { bucketBy: 'key', weights: [75_000, 24_999] } } },
      [{ path: 'fallthrough.rollout.weights', message: 'weights must sum to 100000, not 99999' }],
    ],
    [
      'weights that are not integers',
      { ...newCheckout, fallthrough: { rollout: { bucketBy: 'key', weights: [0.5, 99_999.5] } } },
      [
        { path: 'fallthrough.rollout.weights[0]', message: 'Invalid input: expected int, received number' },
        { path: 'fallthrough.rollout.weights[1]', message: 'Invalid input: expected int, received number' },
      ],
    ],
    [
      'one weight per variation, not more',
      { ...newCheckout, fallthrough: { rollout: { bucketBy: 'key', weights: [50_000, 25_000, 25_000] } } },
      [{ path: 'fallthrough.rollout.weights', message: '3 weights for 2 variations: give one per variation' }],
    ],
    [
      'a served variation out of range',
      withRule([{ attribute: 'x', op: 'in', values: ['a'] }], { variation: 2 }),
      [{ path: 'rules[0].serve.variation', message: 'variation 2 does not exist: the flag has 2 variations' }],
    ],
    [
      'an offVariation out of range',
      { ...newCheckout, offVariation: 5 },
      [{ path: 'offVariation', message: 'variation 5 does not exist: the flag has 2 variations' }],
    ],
    [
      'a target variation out of range',
      { ...newCheckout, targets: [{ variation: 3, values: ['u'] }] },
      [{ path: 'targets[0].variation', message: 'variation 3 does not exist: the flag has 2 variations' }],
    ],
    [
      'a key targeted twice',
      {
        ...newCheckout,
        targets: [
          { variation: 1, values: ['u', 'v'] },
          { variation: 0, values: ['v'] },
        ],
      },
      [{ path: 'targets[1].values[0]', message: '"v" is already targeted by targets[0]' }],
    ],
    [
      'a boolean flag whose variations are not [false, true]',
      { ...newCheckout, variations: [true, false] },
      [{ path: 'variations', message: 'boolean flags have exactly the variations [false, true]' }],
    ],
    [
      'a string flag with a number variation, and a duplicate',
      { ...newCheckout, kind: 'string', variations: ['a', 2, 'a'], targets: [], rules: [], fallthrough: { variation: 0 } },
      [
        { path: 'variations[1]', message: 'expected a string (the flag\'s kind is "string")' },
        { path: 'variations[2]', message: 'duplicate of variations[0]' },
      ],
    ],
    [
      'a number flag with a non-finite variation',
      { ...newCheckout, kind: 'number', variations: [1, '2'], targets: [], rules: [], fallthrough: { variation: 0 } },
      [{ path: 'variations[1]', message: 'expected a number (the flag\'s kind is "number")' }],
    ],
    [
      'a regex that does not compile',
      withRule([{ attribute: 'email', op: 'matches', values: ['^(a|b$'] }]),
      [{ path: 'rules[0].clauses[0].values[0]', message: 'invalid regular expression: missing closing ): `^(a|b$`' }],
    ],
    [
      `a regex longer than ${MAX_REGEX_LENGTH} characters`,
      withRule([{ attribute: 'email', op: 'matches', values: ['a'.repeat(MAX_REGEX_LENGTH + 1)] }]),
      [{ path: 'rules[0].clauses[0].values[0]', message: 'pattern is longer than 500 characters' }],
    ],
    [
      'duplicate rule ids',
      { ...newCheckout, rules: [newCheckout.rules[0], { ...newCheckout.rules[1], id: 'africa' }] },
      [{ path: 'rules[1].id', message: 'duplicate rule id "africa" (also rules[0])' }],
    ],
    [
      'a serve with both a variation and a rollout',
      { ...newCheckout, fallthrough: { variation: 1, rollout: { bucketBy: 'key', weights: [0, 100_000] } } },
      [{ path: 'fallthrough', message: 'expected either { "variation": i } or { "rollout": { "bucketBy", "weights" } }' }],
    ],
    [
      'a serve with neither',
      { ...newCheckout, fallthrough: {} },
      [{ path: 'fallthrough', message: 'expected either { "variation": i } or { "rollout": { "bucketBy", "weights" } }' }],
    ],
    [
      'a misspelt field',
      withRule([{ attribute: 'country', op: 'in', values: ['ZA'], negated: true }]),
      [{ path: 'rules[0].clauses[0].negated', message: 'unknown field "negated"' }],
    ],
    [
      'values of the wrong type for the operator',
      withRule([
        { attribute: 'age', op: 'gt', values: ['18'] },
        { attribute: 'v', op: 'semverGt', values: ['1.2'] },
        { attribute: 'at', op: 'before', values: ['2026-02-30'] },
        { attribute: 'x', op: 'in', values: [{ a: 1 }] },
        { attribute: 'x', op: 'startsWith', values: [1] },
        { attribute: '', op: 'segmentMatch', values: ['Not A Key'] },
      ]),
      [
        { path: 'rules[0].clauses[0].values[0]', message: 'expected a number' },
        { path: 'rules[0].clauses[1].values[0]', message: 'expected a semantic version MAJOR.MINOR.PATCH[-prerelease]' },
        { path: 'rules[0].clauses[2].values[0]', message: 'expected an ISO-8601 date or date-time, or epoch milliseconds' },
        { path: 'rules[0].clauses[3].values[0]', message: 'expected a string, number or boolean' },
        { path: 'rules[0].clauses[4].values[0]', message: 'expected a string' },
        { path: 'rules[0].clauses[5].values[0]', message: 'expected a segment key' },
      ],
    ],
    [
      'an empty attribute name',
      withRule([{ attribute: '', op: 'in', values: ['x'] }]),
      [{ path: 'rules[0].clauses[0].attribute', message: 'an attribute name is required' }],
    ],
    [
      'bucketing by "__proto__" (it is never an own attribute of a context)',
      { ...newCheckout, fallthrough: { rollout: { bucketBy: '__proto__', weights: [75_000, 25_000] } } },
      [{ path: 'fallthrough.rollout.bucketBy', message: 'bucketBy cannot be "__proto__": it is never an attribute of a context' }],
    ],
    [
      'a clause without values',
      withRule([{ attribute: 'x', op: 'in', values: [] }]),
      [{ path: 'rules[0].clauses[0].values', message: 'a clause needs at least one value' }],
    ],
    ['a rule without clauses', withRule([]), [{ path: 'rules[0].clauses', message: 'a rule needs at least one clause' }]],
    [
      'a key outside the pattern',
      { ...newCheckout, key: 'New Checkout' },
      [{ path: 'key', message: 'a flag key is 1–128 characters of a-z, 0-9, ".", "_", "-", starting with a letter or digit' }],
    ],
    [
      'an unknown kind',
      { ...newCheckout, kind: 'text' },
      [{ path: 'kind', message: 'kind is one of boolean, string, number, json, not "text"' }],
    ],
    [
      'a missing fallthrough',
      { ...newCheckout, fallthrough: undefined },
      [{ path: 'fallthrough', message: 'Invalid input: expected object, received undefined' }],
    ],
    ['something that is not an object', 'new-checkout', [{ path: '', message: 'Invalid input: expected object, received string' }]],
  ])('refuses %s, naming the path', (_, input, expected) => {
    expect(issues(validateFlag(input))).toEqual(expected);
  });

  it('refuses segments that do not exist when told which do', () => {
    const flag = withRule([{ attribute: '', op: 'segmentMatch', values: ['beta', 'ghost'] }]);
    expect(validateFlag(flag).ok).toBe(true);
    expect(issues(validateFlag(flag, { segmentKeys: new Set(['beta']) }))).toEqual([
      { path: 'rules[0].clauses[0].values[1]', message: 'unknown segment "ghost"' },
    ]);
  });

  it('accepts every operator with values of its kind', () => {
    const clauses = [
      { attribute: 'a', op: 'in', values: ['x', 1, true] },
      { attribute: 'a', op: 'startsWith', values: ['x'] },
      { attribute: 'a', op: 'endsWith', values: ['x'] },
      { attribute: 'a', op: 'contains', values: ['x'] },
      { attribute: 'a', op: 'matches', values: ['^x+$'] },
      { attribute: 'a', op: 'lt', values: [1] },
      { attribute: 'a', op: 'lte', values: [1.5] },
      { attribute: 'a', op: 'gt', values: [-1] },
      { attribute: 'a', op: 'gte', values: [0] },
      { attribute: 'a', op: 'before', values: ['2026-01-01T00:00:00Z', 1_700_000_000_000] },
      { attribute: 'a', op: 'after', values: ['2026-01-01'] },
      { attribute: 'a', op: 'semverEq', values: ['1.0.0'] },
      { attribute: 'a', op: 'semverLt', values: ['1.0.0-rc.1'] },
      { attribute: 'a', op: 'semverGt', values: ['1.0.0+build'] },
      { attribute: '', op: 'segmentMatch', values: ['beta'], negate: true },
    ];
    expect(issues(validateFlag(withRule(clauses), { segmentKeys: new Set(['beta']) }))).toEqual([]);
  });

  it('exposes the key pattern it checks', () => {
    expect(FLAG_KEY_PATTERN.test('new-checkout')).toBe(true);
    expect(FLAG_KEY_PATTERN.test('a'.repeat(129))).toBe(false);
  });
});

describe('validateSegment', () => {
  const beta: Segment = {
    key: 'beta',
    version: 1,
    included: ['u'],
    excluded: [],
    rules: [{ id: 'staff', clauses: [{ attribute: 'email', op: 'endsWith', values: ['@example.com'] }] }],
  };

  it('accepts a segment', () => {
    expect(validateSegment(beta)).toEqual({ ok: true, value: beta });
  });

  it('refuses segmentMatch inside a segment, and duplicate rule ids', () => {
    const nested = {
      ...beta,
      rules: [
        { id: 'a', clauses: [{ attribute: '', op: 'segmentMatch', values: ['other'] }] },
        { id: 'a', clauses: [{ attribute: 'x', op: 'in', values: [1] }] },
      ],
    };
    expect(issues(validateSegment(nested))).toEqual([
      { path: 'rules[0].clauses[0].op', message: 'segment rules cannot use segmentMatch' },
      { path: 'rules[1].id', message: 'duplicate rule id "a" (also rules[0])' },
    ]);
  });

  it('refuses keys that are not strings', () => {
    expect(issues(validateSegment({ ...beta, included: [42] }))).toEqual([
      { path: 'included[0]', message: 'Invalid input: expected string, received number' },
    ]);
  });
});

describe('validateSnapshot', () => {
  it('accepts a snapshot whose flags name its segments', () => {
    const snapshot = {
      version: 3,
      flags: { 'new-checkout': withRule([{ attribute: '', op: 'segmentMatch', values: ['beta'] }]) },
      segments: { beta: { key: 'beta', version: 1, included: [], excluded: [], rules: [] } },
    };
    expect(validateSnapshot(snapshot).ok).toBe(true);
  });

  it('refuses items filed under another key, and references to missing segments', () => {
    const snapshot = {
      version: 3,
      flags: { 'checkout.v2': withRule([{ attribute: '', op: 'segmentMatch', values: ['ghost'] }]) },
      segments: {},
    };
    expect(issues(validateSnapshot(snapshot))).toEqual([
      { path: 'flags["checkout.v2"].key', message: '"new-checkout" is filed under "checkout.v2"' },
      { path: 'flags["checkout.v2"].rules[0].clauses[0].values[0]', message: 'unknown segment "ghost"' },
    ]);
  });
});

describe('validateContext', () => {
  it('accepts an object of JSON attributes', () => {
    const context = { key: 'user-1', country: 'ZA', age: 31, beta: true, groups: ['a'], meta: { plan: 'pro' }, nothing: null };
    expect(validateContext(context)).toEqual({ ok: true, value: context });
    expect(validateContext({}).ok).toBe(true);
  });

  it('refuses non-objects, a non-string key and values that are not JSON', () => {
    expect(issues(validateContext(['user-1']))).toEqual([{ path: '', message: 'Invalid input: expected object, received array' }]);
    expect(issues(validateContext({ key: 5, f: () => 1, n: Number.POSITIVE_INFINITY }))).toEqual([
      { path: 'key', message: 'Invalid input: expected string, received number' },
      { path: 'f', message: 'expected a JSON value: a string, a finite number, a boolean, null, an array or an object' },
      { path: 'n', message: 'expected a JSON value: a string, a finite number, a boolean, null, an array or an object' },
    ]);
  });
});

describe('formatPath', () => {
  it.each<[PropertyKey[], string]>([
    [['rules', 1, 'clauses', 0, 'op'], 'rules[1].clauses[0].op'],
    [['flags', 'new-checkout', 'key'], 'flags.new-checkout.key'],
    [['flags', 'a.b'], 'flags["a.b"]'],
    [['flags', '1x'], 'flags["1x"]'],
    [[], ''],
  ])('%j → %s', (path, expected) => {
    expect(formatPath(path)).toBe(expected);
  });
});
