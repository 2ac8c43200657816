// The hot path of clauses (STYLE.md, habit 9), in two parts that each keep V8's inline caches
// monomorphic where the general form makes them megamorphic: the common tests written out in one switch
// on a small integer kind (calling each clause's compiled closure from one site is a call V8 never
// inlines), and each attribute name read at a site of its own (below). Measured with
// test/bench/eval.bench.mjs, five processes each, interleaved with the general form: DESIGN.md's
// new-checkout flag from a median of 126–162 ns to 107–138, a 50-rule flag from ~1,370 ns to ~850.
// Browsers get clause-inline.browser.ts instead (core's package.json, "browser"): the general form, which
// gives the same answers (operators.test.ts checks both), since there bytes count more than nanoseconds.
// Why it is written this way, and what must not be "tidied": docs/decisions/006 (and 005 for the browser twin).
import { compilePattern, MAX_TESTED_LENGTH, tooLong } from './operators.js';
import type { Pattern } from './pattern.js';
import type { Context } from './model.js';
import type { PreparedClause } from './prepare.js';

/** The kinds written out below; GENERAL calls the clause's compiled test. */
const GENERAL = 0,
  IN_LIST = 1,
  IN_SET = 2,
  STARTS_WITH = 3,
  ENDS_WITH = 4,
  CONTAINS = 5,
  MATCHES = 6,
  LT = 7,
  LTE = 8,
  GT = 9,
  GTE = 10;

/** Past this many values an `in` list is looked up in a Set; below it, a scan is faster. */
const SET_THRESHOLD = 16;

const ONE_TEXT: Record<string, number> = { startsWith: STARTS_WITH, endsWith: ENDS_WITH, contains: CONTAINS };
const ONE_NUMBER: Record<string, number> = { lt: LT, lte: LTE, gt: GT, gte: GTE };

/**
 * How testValue tests a clause of `op` over `values`: a kind and its operand. Each is the operator's
 * meaning from operators.ts, for the shapes of clause nearly every flag holds; anything else is GENERAL.
 */
export function inlineClause(op: string, values: readonly unknown[]): [kind: number, operand: unknown] {
  if (op === 'in') {
    // NaN is left out as operators.ts leaves it out: a Set would find it, a scan would not.
    const list = values.filter((v) => typeof v === 'string' || (typeof v === 'number' && !Number.isNaN(v)) || typeof v === 'boolean');
    return list.length > SET_THRESHOLD ? [IN_SET, new Set(list)] : [IN_LIST, list];
  }
  if (Object.hasOwn(ONE_TEXT, op)) {
    const texts = values.filter((v) => typeof v === 'string');
    if (texts.length === 1) return [ONE_TEXT[op]!, texts[0]];
  }
  if (op === 'matches') {
    const patterns = values.map(compilePattern).filter((re) => re !== undefined);
    if (patterns.length === 1) return [MATCHES, patterns[0]];
  }
  if (Object.hasOwn(ONE_NUMBER, op)) {
    const numbers = values.filter((v) => typeof v === 'number' && Number.isFinite(v));
    if (numbers.length === 1) return [ONE_NUMBER[op]!, numbers[0]];
  }
  return [GENERAL, null];
}

/** Whether one attribute value matches the clause (its `test` is not null). */
export function testValue(clause: PreparedClause, value: unknown): boolean {
  const operand = clause.operand;
  switch (clause.kind) {
    case IN_LIST: {
      const list = operand as readonly unknown[];
      for (let i = 0; i < list.length; i++) if (list[i] === value) return true;
      return false;
    }
    case IN_SET:
      return (operand as ReadonlySet<unknown>).has(value);
    case STARTS_WITH:
      return typeof value === 'string' && value.startsWith(operand as string);
    case ENDS_WITH:
      return typeof value === 'string' && value.endsWith(operand as string);
    case CONTAINS:
      if (typeof value !== 'string') return false;
      return value.length > MAX_TESTED_LENGTH ? tooLong(clause.negate) : value.includes(operand as string);
    case MATCHES:
      if (typeof value !== 'string') return false;
      return value.length > MAX_TESTED_LENGTH ? tooLong(clause.negate) : (operand as Pattern).test(value);
    case LT:
      return typeof value === 'number' && Number.isFinite(value) && value < (operand as number);
    case LTE:
      return typeof value === 'number' && Number.isFinite(value) && value <= (operand as number);
    case GT:
      return typeof value === 'number' && Number.isFinite(value) && value > (operand as number);
    case GTE:
      return typeof value === 'number' && Number.isFinite(value) && value >= (operand as number);
    default:
      return clause.test!(value);
  }
}

// Attribute reads: `context[name]` at one site that meets many names is a megamorphic keyed load, V8's
// slowest; the same read at a site that meets one name stays monomorphic, nearly as fast as `context.email`.
// So the first attribute names prepared get a site each (a case below, identical on purpose) and the rest
// share the last. On new-checkout, whose two rules read two attributes, about 10 ns an evaluation.
// (The sites are shared by every snapshot in the process: they depend on names, never on values.)
const LAST_SITE = 7;
const sites = new Map<string, number>();

/** The read site of an attribute name, chosen once, when a clause is prepared. */
export function readSite(name: string): number {
  let site = sites.get(name);
  if (site === undefined) {
    if (sites.size === LAST_SITE) return LAST_SITE;
    sites.set(name, (site = sites.size));
  }
  return site;
}

type Attributes = Record<string, unknown>;

/** `context[name]`, read at the site readSite gave the name. */
export function readAttribute(context: object, name: string, site: number): unknown {
  switch (site) {
    case 0:
      return (context as Attributes)[name];
    case 1:
      return (context as Attributes)[name];
    case 2:
      return (context as Attributes)[name];
    case 3:
      return (context as Attributes)[name];
    case 4:
      return (context as Attributes)[name];
    case 5:
      return (context as Attributes)[name];
    case 6:
      return (context as Attributes)[name];
    default:
      return (context as Attributes)[name];
  }
}

/**
 * The internalized copy of a property name, for prepared clauses and rollouts. V8 looks properties up
 * fastest by internalized strings, and strings that arrived as JSON values (attribute names in clauses)
 * are not internalized.
 */
export const internName = (name: string): string => Object.keys({ [name]: 0 })[0] ?? name;

const ObjectPrototype = Object.prototype;

/** The context's own `key`, when it is a string. */
export function ownKey(context: object): string | undefined {
  const key = (context as Context).key;
  if (typeof key !== 'string') return undefined;
  // A plain object inherits from Object.prototype only; when that has no `key`, a key that reads is own.
  if (Object.getPrototypeOf(context) === ObjectPrototype && !('key' in ObjectPrototype)) return key;
  return Object.hasOwn(context, 'key') ? key : undefined;
}
