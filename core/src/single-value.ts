// The hot path of the commonest clause, one value (STYLE.md, habit 9): each operator's test written out
// for it, so that the evaluator's call lands straight in the comparison, where operators.ts's general
// form makes two more calls that V8 cannot inline (every operator shares them). A 50-rule flag evaluates
// about 25% faster for it. Browsers get single-value.browser.ts instead (core's package.json, "browser"):
// the general form alone, since there bytes count more than nanoseconds.
import type { ValueTest } from './operators.js';

const isString = (a: unknown): a is string => typeof a === 'string';
const isFiniteNumber = (a: unknown): a is number => typeof a === 'number' && Number.isFinite(a);

const SINGLE: Record<string, (v: never) => ValueTest> = {
  startsWith: (v: string) => (a) => isString(a) && a.startsWith(v),
  endsWith: (v: string) => (a) => isString(a) && a.endsWith(v),
  contains: (v: string) => (a) => isString(a) && a.includes(v),
  matches: (re: RegExp) => (a) => isString(a) && re.test(a),
  lt: (v: number) => (a) => isFiniteNumber(a) && a < v,
  lte: (v: number) => (a) => isFiniteNumber(a) && a <= v,
  gt: (v: number) => (a) => isFiniteNumber(a) && a > v,
  gte: (v: number) => (a) => isFiniteNumber(a) && a >= v,
};

/** The written-out test of `op` against one clause operand (already read by the operator), if there is one. */
export function singleValueTest(op: string, operand: unknown): ValueTest | undefined {
  return Object.hasOwn(SINGLE, op) ? SINGLE[op]!(operand as never) : undefined;
}
