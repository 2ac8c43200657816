// Clause operators (DESIGN.md, "Clause operators"; docs/evaluation.md), each compiled once per snapshot
// into a test of ONE attribute value against all of a clause's values. Missing attributes, arrays and
// `negate` are the evaluator's business, so every test only answers "does this value match?".
import { compareSemver, parseSemver } from './semver.js';
import { epochMs } from './time.js';

export type ValueTest = (value: unknown) => boolean;

/** Longest `matches` pattern accepted: long patterns are where catastrophic backtracking hides. */
export const MAX_REGEX_LENGTH = 500;

/** Past this many values an `in` list is looked up in a Set; below it, a scan is faster. */
const SET_THRESHOLD = 16;

/** Reads a value as an operator's operand, or undefined when the operator cannot use it. */
type Operand<T> = (value: unknown) => T | undefined;

const text: Operand<string> = (v) => (typeof v === 'string' ? v : undefined);
const number: Operand<number> = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Compiles a pattern as `matches` uses it, or undefined (too long, or not a valid JavaScript RegExp). */
export const compilePattern: Operand<RegExp> = (pattern) => {
  if (typeof pattern !== 'string' || pattern.length > MAX_REGEX_LENGTH) return undefined;
  try {
    return new RegExp(pattern);
  } catch {
    return undefined;
  }
};

/**
 * Matches when `test(attribute, value)` holds for any clause value. Clause values the operator cannot use
 * are dropped (validation refuses them before they are stored); an attribute it cannot use never matches:
 * a number does not start with anything, "10" is not less than 20.
 *
 * `one`, when given, writes the test out for a clause of exactly one value, the common case: the
 * evaluator's call then lands straight in the comparison, where the general form makes two more calls
 * that V8 cannot inline (every operator shares them). A 50-rule flag evaluates about 25% faster for it.
 */
function anyOf<A, V>(
  values: readonly unknown[],
  valueOf: Operand<V>,
  attributeOf: Operand<A>,
  test: (a: A, v: V) => boolean,
  one?: (v: V) => ValueTest,
): ValueTest {
  const operands: V[] = [];
  for (const value of values) {
    const operand = valueOf(value);
    if (operand !== undefined) operands.push(operand);
  }
  if (one !== undefined && operands.length === 1) return one(operands[0]!);
  return (raw) => {
    const a = attributeOf(raw);
    if (a === undefined) return false;
    for (let i = 0; i < operands.length; i++) if (test(a, operands[i]!)) return true;
    return false;
  };
}

const isString = (a: unknown): a is string => typeof a === 'string';
const isFiniteNumber = (a: unknown): a is number => typeof a === 'number' && Number.isFinite(a);

/** Strict equality across strings, numbers and booleans: 42 does not match "42". */
function inList(values: readonly unknown[]): ValueTest {
  const list = values.filter((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean');
  if (list.length > SET_THRESHOLD) {
    const set = new Set<unknown>(list);
    return (v) => set.has(v);
  }
  return (v) => {
    for (let i = 0; i < list.length; i++) if (list[i] === v) return true;
    return false;
  };
}

const OPERATORS: Record<string, (values: readonly unknown[]) => ValueTest> = {
  in: inList,
  startsWith: (vs) => anyOf(vs, text, text, (a, v) => a.startsWith(v), (v) => (a) => isString(a) && a.startsWith(v)),
  endsWith: (vs) => anyOf(vs, text, text, (a, v) => a.endsWith(v), (v) => (a) => isString(a) && a.endsWith(v)),
  contains: (vs) => anyOf(vs, text, text, (a, v) => a.includes(v), (v) => (a) => isString(a) && a.includes(v)),
  matches: (vs) => anyOf(vs, compilePattern, text, (a, re) => re.test(a), (re) => (a) => isString(a) && re.test(a)),
  lt: (vs) => anyOf(vs, number, number, (a, v) => a < v, (v) => (a) => isFiniteNumber(a) && a < v),
  lte: (vs) => anyOf(vs, number, number, (a, v) => a <= v, (v) => (a) => isFiniteNumber(a) && a <= v),
  gt: (vs) => anyOf(vs, number, number, (a, v) => a > v, (v) => (a) => isFiniteNumber(a) && a > v),
  gte: (vs) => anyOf(vs, number, number, (a, v) => a >= v, (v) => (a) => isFiniteNumber(a) && a >= v),
  before: (vs) => anyOf(vs, epochMs, epochMs, (a, v) => a < v),
  after: (vs) => anyOf(vs, epochMs, epochMs, (a, v) => a > v),
  semverEq: (vs) => anyOf(vs, parseSemver, parseSemver, (a, v) => compareSemver(a, v) === 0),
  semverLt: (vs) => anyOf(vs, parseSemver, parseSemver, (a, v) => compareSemver(a, v) < 0),
  semverGt: (vs) => anyOf(vs, parseSemver, parseSemver, (a, v) => compareSemver(a, v) > 0),
};

/**
 * The test for one operator over a clause's values, or null for an operator this version does not know
 * (and for `segmentMatch`, which looks at segments, not at an attribute).
 */
export function compileTest(op: string, values: readonly unknown[]): ValueTest | null {
  return Object.hasOwn(OPERATORS, op) ? OPERATORS[op]!(values) : null;
}
