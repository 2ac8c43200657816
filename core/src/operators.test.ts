import { describe, expect, it } from 'vitest';
import type { Operator } from './model.js';
import { compilePattern, compileTest, MAX_REGEX_LENGTH } from './operators.js';
import type { PreparedClause } from './prepare.js';
import { inlineClause, testValue } from './clause-inline.js';

type Row = [op: Operator, values: unknown[], attribute: unknown, matches: boolean];

// One attribute value against a clause's values; arrays, missing attributes and negate are the
// evaluator's (see evaluate.test.ts).
const rows: Row[] = [
  ['in', ['ZA', 'NG'], 'NG', true],
  ['in', ['ZA', 'NG'], 'US', false],
  ['in', ['ZA'], 'za', false],
  ['in', [42], 42, true],
  ['in', [42], '42', false],
  ['in', ['42'], 42, false],
  ['in', [true], true, true],
  ['in', [true], 'true', false],
  ['in', [0], -0, true],
  ['in', [null], null, false],
  ['in', [Number.NaN], Number.NaN, false],
  ['in', [...Array.from({ length: 100 }, (_, i) => i), Number.NaN], Number.NaN, false],
  ['in', [{ a: 1 }], { a: 1 }, false],
  ['in', [], 'x', false],
  ['in', Array.from({ length: 100 }, (_, i) => `k${i}`), 'k99', true],
  ['in', Array.from({ length: 100 }, (_, i) => `k${i}`), 'k100', false],
  ['in', [...Array.from({ length: 100 }, (_, i) => `k${i}`), 7], 7, true],
  ['in', [...Array.from({ length: 100 }, (_, i) => `k${i}`), 7], '7', false],
  ['startsWith', ['ab'], 'abc', true],
  ['startsWith', ['ab'], 'cab', false],
  ['startsWith', ['x', 'ab'], 'abc', true],
  ['startsWith', [''], 'anything', true],
  ['startsWith', ['1'], 123, false],
  ['startsWith', [1], '123', false],
  ['endsWith', ['@example.com'], 'ada@example.com', true],
  ['endsWith', ['@example.com'], 'ada@example.com.evil', false],
  ['endsWith', ['@example.com'], 'ADA@EXAMPLE.COM', false],
  ['contains', ['beta'], 'alphabetagamma', true],
  ['contains', ['beta'], 'alpha', false],
  ['contains', ['é'], 'café', true],
  ['contains', ['x'], ['x'], false],
  ['matches', ['^user-\\d+$'], 'user-42', true],
  ['matches', ['^user-\\d+$'], 'user-42x', false],
  ['matches', ['(unclosed', 'ok'], 'ok', true],
  ['matches', ['(unclosed'], '(unclosed', false],
  ['matches', ['a'.repeat(MAX_REGEX_LENGTH + 1)], 'a'.repeat(MAX_REGEX_LENGTH + 1), false],
  ['matches', ['\\d'], 7, false],
  ['lt', [10], 9, true],
  ['lt', [10], 10, false],
  ['lte', [10], 10, true],
  ['gt', [10], 11, true],
  ['gt', [10], 10, false],
  ['gte', [10], 10, true],
  ['gt', [10], '11', false],
  ['gt', ['10'], 11, false],
  ['lt', [10], Number.NEGATIVE_INFINITY, false],
  ['lt', [10], Number.NaN, false],
  ['gte', [1, 100], 50, true],
  ['before', ['2026-01-01'], '2025-12-31T23:59:59Z', true],
  ['before', ['2026-01-01'], '2026-01-01T00:00:00Z', false],
  ['before', ['2026-01-01'], Date.UTC(2025, 0, 1), true],
  ['before', [Date.UTC(2026, 0, 1)], '2025-06-01', true],
  ['after', ['2026-01-01T00:00:00+01:00'], '2025-12-31T23:30:00Z', true],
  ['after', ['2026-01-01'], 'not a date', false],
  ['after', ['2026-01-01'], '2026-02-30', false],
  ['after', ['garbage'], '2027-01-01', false],
  ['semverEq', ['1.2.3'], '1.2.3', true],
  ['semverEq', ['1.2.3'], '1.2.3+build', true],
  ['semverEq', ['1.2.3'], '1.2.3-rc.1', false],
  ['semverLt', ['2.0.0'], '2.0.0-rc.1', true],
  ['semverLt', ['2.0.0'], '10.0.0', false],
  ['semverGt', ['1.9.9'], '1.10.0', true],
  ['semverGt', ['1.0.0'], '1.0', false],
  ['semverGt', ['1.0.0'], 2, false],
];

describe('compileTest', () => {
  it.each(rows)('%s %j on %j → %s', (op, values, attribute, matches) => {
    const test = compileTest(op, values);
    expect(test).not.toBeNull();
    expect(test!(attribute)).toBe(matches);
  });

  // Each clause value twice: the same answers from two operands as from one.
  it.each(rows)('%s %j on %j → %s, by the general form', (op, values, attribute, matches) => {
    expect(compileTest(op, [...values, ...values])!(attribute)).toBe(matches);
  });

  it('returns null for operators it does not know, and for segmentMatch', () => {
    expect(compileTest('equals', ['x'])).toBeNull();
    expect(compileTest('segmentMatch', ['beta'])).toBeNull();
    expect(compileTest('__proto__', [])).toBeNull();
    expect(compileTest('toString', [])).toBeNull();
  });
});

// Servers test the common clauses by clause-inline.ts's written-out forms; browsers by compileTest alone.
describe('testValue, written out for servers', () => {
  const clause = (op: string, values: unknown[]): PreparedClause => {
    const [kind, operand] = inlineClause(op, values);
    return { attribute: 'a', negate: false, kind, operand, site: 0, test: compileTest(op, values), segments: null };
  };

  it.each(rows)('%s %j on %j → %s', (op, values, attribute, matches) => {
    expect(testValue(clause(op, values), attribute)).toBe(matches);
  });

  it.each(rows)('%s %j on %j → %s, each clause value twice', (op, values, attribute, matches) => {
    expect(testValue(clause(op, [...values, ...values]), attribute)).toBe(matches);
  });

  it('writes out the common clauses and leaves the rest to the compiled test', () => {
    expect(inlineClause('in', ['ZA', 'NG'])).toEqual([expect.any(Number), ['ZA', 'NG']]);
    expect(
      inlineClause(
        'in',
        Array.from({ length: 100 }, (_, i) => i),
      )[1],
    ).toBeInstanceOf(Set);
    expect(inlineClause('endsWith', ['@example.com'])).toEqual([expect.any(Number), '@example.com']);
    expect(inlineClause('endsWith', ['@a.test', '@b.test'])[0]).toBe(0);
    expect(inlineClause('semverLt', ['2.0.0'])[0]).toBe(0);
  });
});

describe('compilePattern', () => {
  it('compiles a valid pattern in RE2, where `.` matches line breaks too (as browsers with the `s` flag)', () => {
    expect(compilePattern('^a.c$')?.test('abc')).toBe(true);
    expect(compilePattern('^a.c$')?.test('a\nc')).toBe(true);
    expect(compilePattern('^a.c$')?.test('abbc')).toBe(false);
  });

  it('refuses what RE2 cannot run in linear time: backreferences, lookaround', () => {
    expect(compilePattern('(a)\\1')).toBeUndefined();
    expect(compilePattern('a(?=b)')).toBeUndefined();
    expect(compilePattern('(?<!a)b')).toBeUndefined();
  });

  it(`refuses patterns longer than ${MAX_REGEX_LENGTH} characters and invalid ones`, () => {
    expect(compilePattern('a'.repeat(MAX_REGEX_LENGTH))?.test('a'.repeat(MAX_REGEX_LENGTH))).toBe(true);
    expect(compilePattern('a'.repeat(MAX_REGEX_LENGTH + 1))).toBeUndefined();
    expect(compilePattern('[')).toBeUndefined();
    expect(compilePattern(5)).toBeUndefined();
  });
});
