// Clause operators (DESIGN.md, "Clause operators"; docs/evaluation.md), each compiled once per snapshot
// into a test of ONE attribute value against all of a clause's values. Missing attributes, arrays and
// `negate` are the evaluator's business, so every test only answers "does this value match?".
import { compileEngine, type Pattern } from './pattern.js';
import { compareSemver, parseSemver } from './semver.js';
import { epochMs } from './time.js';

export type ValueTest = (value: unknown) => boolean;

/** Longest `matches` pattern accepted. */
export const MAX_REGEX_LENGTH = 500;

/**
 * Longest attribute value that `matches` and `contains` test. A longer one bounds what a hostile context can
 * make one clause cost: the clause does not match it, negated or not (as with a missing attribute), and the
 * evaluation's reason says `valueTooLong` (docs/evaluation.md). RE2 is linear, but the constant grows with
 * the pattern: past ~2,000 characters a large pattern (~1,000 instructions) can push re2js from its DFA to
 * its NFA, at ~100 ns per instruction per character (test/bench/regex.bench.mjs).
 */
export const MAX_TESTED_LENGTH = 1024;

/**
 * Raised by a test that met a value past MAX_TESTED_LENGTH; evaluate.ts takes it after an evaluation, into
 * the reason. (Evaluation is synchronous: one evaluation at a time.)
 */
let metTooLong = false;

/** What a length-bounded test answers for a value past the bound: the answer that makes its clause not match. */
export const tooLong = (negate: boolean): boolean => {
  metTooLong = true;
  return negate;
};

/** Whether a test met a value too long since the last call. */
export const takeTooLong = (): boolean => metTooLong && !(metTooLong = false);

/** Reads a value as an operator's operand, or undefined when the operator cannot use it. */
type Operand<T> = (value: unknown) => T | undefined;

const text: Operand<string> = (v) => (typeof v === 'string' ? v : undefined);
const number: Operand<number> = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Compiles a pattern as `matches` uses it, or undefined (too long, or not one its engine compiles: pattern.ts). */
export const compilePattern: Operand<Pattern> = (pattern) =>
  typeof pattern !== 'string' || pattern.length > MAX_REGEX_LENGTH ? undefined : compileEngine(pattern);

const isString = (a: unknown): a is string => typeof a === 'string';

/**
 * Strict equality across strings, numbers and booleans: 42 does not match "42". A Set compares as `===`
 * does except that NaN finds NaN, so NaN (which JSON cannot carry anyway) is left out of the list. Servers
 * test `in` clauses by clause-inline.ts, which scans short lists, faster than a Set there.
 */
function inList(values: readonly unknown[]): ValueTest {
  const set = new Set(values.filter((v) => isString(v) || (typeof v === 'number' && !Number.isNaN(v)) || typeof v === 'boolean'));
  return (v) => set.has(v);
}

/**
 * Each operator but `in`: how it reads a clause value, how it reads the attribute, and the test of the two.
 * Clause values the operator cannot use are dropped (validation refuses them before they are stored); an
 * attribute it cannot use never matches: a number does not start with anything, "10" is not less than 20.
 */
type Spec<V, A> = [value: Operand<V>, attribute: Operand<A>, test: (a: A, v: V) => boolean];
const spec = <V, A>(...s: Spec<V, A>) => s as Spec<unknown, unknown>;

const OPERATORS: Record<string, Spec<unknown, unknown>> = {
  startsWith: spec(text, text, (a, v) => a.startsWith(v)),
  endsWith: spec(text, text, (a, v) => a.endsWith(v)),
  contains: spec(text, text, (a, v) => a.includes(v)),
  matches: spec(compilePattern, text, (a, re) => re.test(a)),
  lt: spec(number, number, (a, v) => a < v),
  lte: spec(number, number, (a, v) => a <= v),
  gt: spec(number, number, (a, v) => a > v),
  gte: spec(number, number, (a, v) => a >= v),
  before: spec(epochMs, epochMs, (a, v) => a < v),
  after: spec(epochMs, epochMs, (a, v) => a > v),
  semverEq: spec(parseSemver, parseSemver, (a, v) => compareSemver(a, v) === 0),
  semverLt: spec(parseSemver, parseSemver, (a, v) => compareSemver(a, v) < 0),
  semverGt: spec(parseSemver, parseSemver, (a, v) => compareSemver(a, v) > 0),
};

/**
 * The test for one operator over a clause's values, or null for an operator this version does not know
 * (and for `segmentMatch`, which looks at segments, not at an attribute). `negate` is the clause's: a
 * length-bounded test answers it for a value too long to test (tooLong).
 */
export function compileTest(op: string, values: readonly unknown[], negate = false): ValueTest | null {
  if (op === 'in') return inList(values);
  if (!Object.hasOwn(OPERATORS, op)) return null;
  const [operandOf, attributeOf, test] = OPERATORS[op]!;
  const operands = values.map(operandOf).filter((v) => v !== undefined);
  // The operators whose cost grows with the attribute's length.
  const bounded = op === 'matches' || op === 'contains';
  return (raw) => {
    const a = attributeOf(raw);
    if (a === undefined) return false;
    if (bounded && (a as string).length > MAX_TESTED_LENGTH) return tooLong(negate);
    for (let i = 0; i < operands.length; i++) if (test(a, operands[i])) return true;
    return false;
  };
}
