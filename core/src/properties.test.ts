// Properties of the evaluator over many random inputs, from a seeded generator: a failure names its seed
// and input, and replays. Tables of chosen cases live in evaluate.test.ts and the shared vectors; these
// cover what tables cannot: whatever a context holds, whatever shape a flag has, across 100,000 users.
import { describe, expect, it } from 'vitest';
import { bucketOf } from './bucket.js';
import { evaluate, isEnabled } from './evaluate.js';
import type { Clause, Context, Flag, JsonValue, Serve } from './model.js';
import { OPERATORS } from './model.js';
import { twoWayRollout } from './rollout.js';
import type { PreparedSnapshot } from './snapshot.js';
import { flagOff, flagOn, jsonFlag, mulberry32, numberFlag, preparedOf, segment, stringFlag } from './testing/index.js';

function random(seed: number) {
  const next = mulberry32(seed);
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  return { next, int, pick };
}
type Random = ReturnType<typeof random>;

/** Attribute names the flags below read, and the names of JavaScript's object machinery. */
const NAMES = [
  'key',
  'country',
  'email',
  'age',
  'appVersion',
  'signedUpAt',
  'accountId',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'länd',
  '',
];
const STRINGS = [
  'ZA',
  'user-1',
  'a@example.com',
  '1.2.3',
  '2.0.0-rc.1',
  '2025-01-01',
  '2025-01-01T00:00:00Z',
  '17',
  '',
  ' ',
  'Zoë',
  '😀',
  '\ud800',
  'NaN',
  'true',
];

function randomString(r: Random): string {
  if (r.next() < 0.02) return r.pick(['k', 'é', '😀']).repeat(20_000);
  let s = '';
  for (let n = r.int(12); n > 0; n--)
    s += String.fromCharCode(r.pick([0x20 + r.int(0x5f), 0x80 + r.int(0x780), 0xd800 + r.int(0x800), r.int(0x10000)]));
  return s;
}

function randomValue(r: Random, depth = 0): unknown {
  switch (r.int(depth > 3 ? 6 : 9)) {
    case 0:
      return null;
    case 1:
      return r.next() < 0.5;
    case 2:
      return r.pick([0, -0, 1, 17, 18, 42, -7, 1.5, 1e21, 1e308, -1e-308, Number.MAX_SAFE_INTEGER + 2, 1_735_689_600_000]);
    case 3:
      return r.pick(STRINGS);
    case 4:
      return randomString(r);
    case 5:
      return r.pick([[], {}, '']);
    case 6:
      return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
    case 7:
      return randomObject(r, depth + 1);
    default:
      return [[[r.pick(STRINGS)]]];
  }
}

/**
 * An object of random attributes. Most are own data properties (as JSON.parse makes them); some are
 * assigned, so that "__proto__" replaces the prototype and inherited attributes appear; some objects
 * have no prototype at all.
 */
function randomObject(r: Random, depth = 0): Record<string, unknown> {
  const object: Record<string, unknown> = r.next() < 0.1 ? Object.create(null) : {};
  for (let n = r.int(8); n > 0; n--) {
    const name = r.next() < 0.8 ? r.pick(NAMES) : randomString(r);
    const value = randomValue(r, depth);
    if (r.next() < 0.7) Object.defineProperty(object, name, { value, enumerable: true, configurable: true, writable: true });
    else object[name] = value;
  }
  return object;
}

function randomContext(r: Random): unknown {
  return r.next() < 0.05 ? r.pick([null, undefined, 'user-1', 42, [{ key: 'user-1' }], true]) : randomObject(r);
}

/** A context with the same own enumerable attributes and nothing inherited. */
const ownCopy = (context: object): Context => Object.fromEntries(Object.entries(context)) as Context;

const VALUES_FOR: Record<string, JsonValue[]> = {
  in: ['ZA', 17, true, ''],
  startsWith: ['a', 'Z'],
  endsWith: ['.com'],
  contains: ['@'],
  matches: ['^[a-z]+$', 'é'],
  lt: [18],
  lte: [18],
  gt: [1.5],
  gte: [0],
  before: ['2025-01-01'],
  after: [0],
  semverEq: ['1.2.3'],
  semverLt: ['2.0.0'],
  semverGt: ['1.0.0-rc.1'],
  segmentMatch: ['beta', 'missing-segment'],
};

/** Every operator on every attribute name, plain and negated, with segments, targets and rollouts. */
function richSnapshot(): { state: PreparedSnapshot; flags: Flag[] } {
  const flags: Flag[] = [];
  for (const op of OPERATORS) {
    for (const negate of [false, true]) {
      const clauses: Clause[] = NAMES.map((attribute) => ({ attribute, op, values: VALUES_FOR[op]!, negate }));
      flags.push(
        stringFlag(`${op}-${negate}`, ['a', 'b', 'c'], {
          targets: [{ variation: 2, values: ['user-1', 'Zoë'] }],
          rules: clauses.map((c, i) => ({
            id: `r${i}`,
            clauses: [c],
            serve: i % 2 ? { variation: 1 } : { rollout: { bucketBy: c.attribute || 'key', weights: [30_000, 30_000, 40_000] } },
          })),
          fallthrough: { rollout: { bucketBy: NAMES[flags.length % NAMES.length] || 'key', weights: [50_000, 0, 50_000] } },
        }),
      );
    }
  }
  flags.push(flagOff('off', { offVariation: 1 }), jsonFlag('json', [{ a: 1 }, [1]]));
  const beta = segment('beta', {
    included: ['user-1'],
    excluded: ['Zoë'],
    rules: [{ clauses: [{ attribute: 'email', op: 'endsWith', values: ['.com'] }] }],
  });
  return { state: preparedOf(flags, [beta]), flags };
}

/**
 * The invariants of one answer: a variation of the flag with a non-error reason, or the default with an
 * error — never EXCEPTION, which is evaluate()'s safety net for hostile contexts (throwing getters), not
 * for data: a context or flag that is merely odd must be answered on purpose.
 */
function checkDetail(flagDef: Flag | undefined, defaultValue: JsonValue, detail: ReturnType<typeof evaluate>): string | null {
  if (detail.reason.errorKind === 'EXCEPTION') return 'an exception, caught by the safety net';
  if (detail.variationIndex === null) {
    if (detail.reason.kind !== 'ERROR') return `default without an error: ${JSON.stringify(detail.reason)}`;
    return Object.is(detail.value, defaultValue) ? null : 'an error without the default';
  }
  if (detail.reason.kind === 'ERROR') return 'an error with a variation';
  return detail.value === flagDef?.variations[detail.variationIndex] ? null : 'a value that is not the variation named';
}

describe('evaluation never throws', () => {
  it('and answers every flag consistently for 2,000 random contexts (nested, null, huge, "__proto__"-named, prototype-less)', () => {
    const r = random(424242);
    const { state, flags } = richSnapshot();
    const defaults: JsonValue[] = [false, true, 'x', 0, {}, [], null];
    const problems: string[] = [];
    for (let i = 0; i < 2_000 && problems.length < 5; i++) {
      const context = randomContext(r);
      for (const f of flags) {
        const defaultValue = r.pick(defaults);
        const detail = evaluate(state, f.key, context as Context, defaultValue);
        const problem = checkDetail(f, defaultValue, detail);
        if (problem !== null) problems.push(`context #${i}, ${f.key}: ${problem}`);
        const served: JsonValue = evaluate<JsonValue>(state, f.key, context as Context, false).value;
        if (isEnabled(state, f.key, context as Context) !== (served === true)) {
          problems.push(`context #${i}, ${f.key}: isEnabled disagrees with evaluate`);
        }
        if (typeof context === 'object' && context !== null && !Array.isArray(context)) {
          // Inherited attributes never count: the context's own attributes alone give the same answer.
          const own = evaluate(state, f.key, ownCopy(context), defaultValue);
          if (own !== detail && JSON.stringify(own) !== JSON.stringify(detail))
            problems.push(`context #${i}, ${f.key}: inherited attributes changed the answer`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('for 1,000 random flags that pass the structural guard but break the model (indexes, weights, operators, values)', () => {
    const r = random(7);
    const jsonish = (): JsonValue => r.pick<JsonValue>([null, 1, -1, 1.5, 'x', '', true, [], {}, ['a'], 'ZA', '[', '(a+', 99_999_999]);
    const index = () => r.pick([0, 1, 2, -1, 1.5, 1e9, Number.MAX_SAFE_INTEGER]);
    const serve = (): Serve =>
      r.next() < 0.4
        ? { variation: index() }
        : {
            rollout: {
              bucketBy: r.pick(NAMES),
              weights: Array.from({ length: r.int(4) }, () => r.pick([0, 50_000, 100_000, -1, 1.5, 33_333, Number.NaN])),
            },
          };
    const clause = (): Clause => ({
      attribute: r.pick(NAMES),
      op: r.pick<string>([...OPERATORS, 'equals', '__proto__', 'constructor', 'toString', '']) as Clause['op'],
      values: Array.from({ length: r.int(4) }, jsonish),
      ...(r.next() < 0.3 ? { negate: true } : {}),
    });
    const problems: string[] = [];
    for (let i = 0; i < 1_000 && problems.length < 5; i++) {
      const f = flagOn(r.pick(['f', '__proto__', 'constructor']), {
        on: r.next() < 0.8,
        variations: Array.from({ length: r.int(4) }, jsonish),
        offVariation: index(),
        targets: [{ variation: index(), values: r.pick<string[]>([['user-1'], [], ['']]) }],
        rules: Array.from({ length: r.int(4) }, (_, n) => ({
          id: `r${n}`,
          clauses: Array.from({ length: r.int(3) }, clause),
          serve: serve(),
        })),
        fallthrough: serve(),
        ...(r.next() < 0.3 ? { seed: r.pick(['', 'salt', '😀']) } : {}),
      });
      const beta = segment('beta', { included: ['user-1'], rules: [{ clauses: [clause()] }] });
      let state: PreparedSnapshot;
      try {
        state = preparedOf([f], [beta]);
      } catch (e) {
        problems.push(`flag #${i} could not be prepared: ${(e as Error).message} ${JSON.stringify(f)}`);
        continue;
      }
      for (let c = 0; c < 10; c++) {
        const context = randomContext(r);
        const defaultValue = r.pick<JsonValue>([false, 'x', null]);
        const problem = checkDetail(f, defaultValue, evaluate(state, f.key, context as Context, defaultValue));
        if (problem !== null) problems.push(`flag #${i}: ${problem}: ${JSON.stringify(f)}`);
        isEnabled(state, f.key, context as Context);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('rollouts over 100,000 distinct users', () => {
  const USERS = 100_000;
  const r = random(2026);
  // Distinct keys of varied shapes: sequential ids, random hex, e-mail-like, non-ASCII.
  const keys = Array.from({ length: USERS }, (_, i) => {
    const hex = Math.floor(r.next() * 2 ** 48).toString(16);
    return [`user-${i}`, `${hex}-${i}`, `${hex}.${i}@example.com`, `ユーザー${i}`][i % 4]!;
  });

  /** How many of `keys` get each variation of `f`. */
  function counts(f: Flag): number[] {
    const state = preparedOf([f]);
    const tally = f.variations.map(() => 0);
    for (const key of keys) tally[evaluate(state, f.key, { key }, null).variationIndex!]!++;
    return tally;
  }

  it.each([
    ['50/50', [50_000, 50_000]],
    ['75/25', [75_000, 25_000]],
    ['10/20/30/40', [10_000, 20_000, 30_000, 40_000]],
    ['thirds', [33_333, 33_333, 33_334]],
    ['0.5% canary', [500, 99_500]],
    ['a zero weight between two halves', [50_000, 0, 50_000]],
  ])('give each variation its weight within ±0.5 percentage points (%s)', (_, weights) => {
    const f = numberFlag(
      'split',
      weights.map((_, i) => i),
      { fallthrough: { rollout: { bucketBy: 'key', weights } } },
    );
    const shares = counts(f).map((n) => (n / USERS) * 100);
    shares.forEach((share, i) =>
      expect(Math.abs(share - weights[i]! / 1000), `variation ${i}: ${share.toFixed(3)}%`).toBeLessThanOrEqual(0.5),
    );
  });

  it('never take the feature from anyone who had it when the percentage rises (boolean flags, and a rolled-out first variation)', () => {
    const percents = [0, 0.001, 5, 25, 50, 99.999, 100];
    for (const [count, chosen, baseline] of [
      [2, 1, 0],
      [3, 0, 2],
    ] as const) {
      const had = new Uint8Array(USERS);
      for (const percent of percents) {
        const serve = twoWayRollout(count, chosen, baseline, Math.round(percent * 1000), 'key');
        const state = preparedOf([numberFlag('r', [0, 1, 2].slice(0, count), { fallthrough: serve })]);
        const lost: string[] = [];
        let holders = 0;
        for (let i = 0; i < USERS; i++) {
          const has = evaluate(state, 'r', { key: keys[i]! }, null).variationIndex === chosen;
          if (had[i] === 1 && !has) lost.push(keys[i]!);
          had[i] = has ? 1 : 0;
          holders += had[i]!;
        }
        expect(lost, `raising to ${percent}% (${count} variations)`).toEqual([]);
        expect(Math.abs((holders / USERS) * 100 - percent)).toBeLessThanOrEqual(0.5);
      }
      expect(had.every((h) => h === 1)).toBe(true);
    }
  });

  it('reshuffle who is in when the seed changes: two 10% groups overlap by about 10% of each other', () => {
    const inUnder = (seed: string) => new Set(keys.filter((key) => bucketOf(seed, key) >= 90_000));
    const before = inUnder('checkout');
    const after = inUnder('checkout-v2');
    const kept = [...before].filter((key) => after.has(key)).length;
    expect(Math.abs(before.size / USERS - 0.1)).toBeLessThanOrEqual(0.005);
    expect(Math.abs(after.size / USERS - 0.1)).toBeLessThanOrEqual(0.005);
    // Independent draws: about 10% of the first group is in the second, not ~100% (no reshuffle) or ~0%.
    expect(Math.abs(kept / before.size - 0.1)).toBeLessThanOrEqual(0.01);
  });

  it('reshuffle through the flag: a flag whose seed changes moves users, one whose key changes but seed stays does not', () => {
    const serve: Serve = { rollout: { bucketBy: 'key', weights: [50_000, 50_000] } };
    const a = preparedOf([
      flagOn('a', { seed: 's1', fallthrough: serve }),
      flagOn('b', { seed: 's1', fallthrough: serve }),
      flagOn('c', { seed: 's2', fallthrough: serve }),
    ]);
    let sameSeedAgrees = 0;
    let otherSeedAgrees = 0;
    for (const key of keys) {
      const va = evaluate(a, 'a', { key }, false).value;
      if (evaluate(a, 'b', { key }, false).value === va) sameSeedAgrees++;
      if (evaluate(a, 'c', { key }, false).value === va) otherSeedAgrees++;
    }
    expect(sameSeedAgrees).toBe(USERS);
    expect(Math.abs(otherSeedAgrees / USERS - 0.5)).toBeLessThanOrEqual(0.01);
  });
});
