// The one evaluator (DESIGN.md, "Evaluation order and reasons"; docs/evaluation.md), used by the server
// and by both SDKs. It walks the structures prepare.ts built and returns one of the outcomes prepared
// there, so a successful evaluation allocates nothing. It never throws into application code.
//
// This module is also the package's zod-free entry, `@flagstaff/core/evaluate`: the browser SDK imports
// everything it needs from here (see the re-exports at the end) and leaves validation out of its bundle.
// Why it is written this way, and what must not be "tidied": docs/decisions/006-evaluator-hot-path-idioms.md.
import { bucketInput, bucketWith } from './bucket.js';
import type { Context, EvaluationDetail, JsonValue, Reason } from './model.js';
import {
  errorReason,
  MALFORMED,
  type Detail,
  type PreparedClause,
  type PreparedFlag,
  type PreparedSegment,
  type PreparedServe,
} from './prepare.js';
import { ownKey, readAttribute, testValue } from './clause-inline.js';
import { takeTooLong } from './operators.js';
import type { PreparedSnapshot } from './snapshot.js';

/** Never handed out, so never written to. */
const EMPTY_CONTEXT: object = {};

const NOT_FOUND = errorReason('FLAG_NOT_FOUND');
const WRONG_TYPE = errorReason('WRONG_TYPE');
const NOT_READY = errorReason('CLIENT_NOT_READY');
const EXCEPTION = errorReason('EXCEPTION');

/** Anything but a plain object (null, a string, an array…) is read as a context without attributes. */
function asContext(context: unknown): object {
  return typeof context === 'object' && context !== null && !Array.isArray(context) ? context : EMPTY_CONTEXT;
}

// Attributes are the context's OWN properties: `__proto__`, `constructor` or a polluted Object.prototype
// must never answer. Object.hasOwn costs as much as the read itself, so it runs only where a result
// depends on the value: after a clause would match, and before a value is bucketed. (A value that
// matches nothing gives the same answer whether it is own, inherited or missing.) The context's `key`,
// needed for targets, segments and most rollouts, is read once per evaluation by name (ownKey).
const read = (context: object, name: string): unknown => (context as Record<string, unknown>)[name];
const isOwn = Object.hasOwn;

function inSegment(segment: PreparedSegment, context: object, key: string | undefined): boolean {
  if (key !== undefined) {
    if (segment.excluded.has(key)) return false;
    if (segment.included.has(key)) return true;
  }
  const rules = segment.rules;
  for (let i = 0; i < rules.length; i++) if (allMatch(rules[i]!, context, key)) return true;
  return false;
}

function clauseMatches(clause: PreparedClause, context: object, key: string | undefined): boolean {
  const segments = clause.segments;
  if (segments !== null) {
    let member = false;
    for (let i = 0; i < segments.length && !member; i++) {
      const segment = segments[i];
      member = segment !== undefined && inSegment(segment, context, key);
    }
    return member !== clause.negate;
  }
  if (clause.test === null) return false;
  const value = readAttribute(context, clause.attribute, clause.site);
  // A clause on a missing attribute does not match, negated or not (as in LaunchDarkly).
  if (value === undefined || value === null) return false;
  let matched = false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length && !matched; i++) matched = testValue(clause, value[i]);
  } else {
    matched = testValue(clause, value);
  }
  return matched !== clause.negate && isOwn(context, clause.attribute);
}

function allMatch(clauses: readonly PreparedClause[], context: object, key: string | undefined): boolean {
  for (let i = 0; i < clauses.length; i++) if (!clauseMatches(clauses[i]!, context, key)) return false;
  return true;
}

function serve(how: PreparedServe, context: object, key: string | undefined): Detail {
  if (how.fixed !== null) return how.fixed;
  let input: string | undefined = key;
  if (how.bucketBy !== 'key') {
    input = bucketInput(read(context, how.bucketBy));
    if (input !== undefined && !isOwn(context, how.bucketBy)) input = undefined;
  }
  const bucket = input === undefined ? 0 : bucketWith(how.seed!, input);
  const thresholds = how.thresholds;
  for (let i = 0; i < thresholds.length; i++) if (bucket < thresholds[i]!) return how.outcomes[i]!;
  return MALFORMED;
}

/** The outcome for a flag that depends on the context (its `constant` is null). */
function resolve(flag: PreparedFlag, context: object): Detail {
  const key = ownKey(context);
  if (key !== undefined && flag.targets.size > 0) {
    const hit = flag.targets.get(key);
    if (hit !== undefined) return hit;
  }
  const rules = flag.rules;
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i]!;
    if (allMatch(rule.clauses, context, key)) return serve(rule.serve, context, key);
  }
  return serve(flag.fallthrough, context, key);
}

/** The caller's default can take the served value: same typeof, objects/arrays/null alike; null accepts all. */
function fitsDefault(value: JsonValue, defaultValue: unknown): boolean {
  if (defaultValue === null || defaultValue === undefined) return true;
  const expected = typeof defaultValue;
  return expected === 'object' ? typeof value === 'object' : typeof value === expected;
}

/** `detail` with `valueTooLong` in its reason: a `matches` or `contains` clause met a value too long to test. */
const notedTooLong = (detail: Detail): Detail =>
  detail === MALFORMED ? detail : Object.freeze({ ...detail, reason: Object.freeze({ ...detail.reason, valueTooLong: true as const }) });

function fallback<T>(defaultValue: T, reason: Reason): EvaluationDetail<T> {
  return { value: defaultValue, variationIndex: null, reason };
}

/**
 * Evaluates a flag for a context. Returned details may be shared and are frozen: treat them as read-only.
 * Errors come back as the default with reason ERROR: FLAG_NOT_FOUND, WRONG_TYPE (the served value's type
 * differs from the default's), MALFORMED_FLAG (the path taken is broken), EXCEPTION (e.g. a context getter threw).
 */
export function evaluate<T extends JsonValue>(
  state: PreparedSnapshot,
  flagKey: string,
  context: Context,
  defaultValue: T,
): EvaluationDetail<T> {
  let flag: PreparedFlag | undefined;
  try {
    if (state === null || state === undefined) return fallback(defaultValue, NOT_READY);
    flag = state.flags.get(flagKey);
  } catch {
    return fallback(defaultValue, EXCEPTION);
  }
  return evaluateFlag(flag, context, defaultValue);
}

/**
 * `evaluate` for a flag its caller has already looked up (undefined: not found). For callers that keep
 * their own index of the held flags: the Node SDK finds a flag and its usage counters with one lookup.
 */
export function evaluateFlag<T extends JsonValue>(flag: PreparedFlag | undefined, context: Context, defaultValue: T): EvaluationDetail<T> {
  try {
    if (flag === undefined) return fallback(defaultValue, NOT_FOUND);
    let detail = flag.constant;
    if (detail === null) {
      takeTooLong(); // an isEnabled, or an evaluation that threw, may have left it raised
      detail = resolve(flag, asContext(context));
      if (takeTooLong()) detail = notedTooLong(detail);
    }
    if (detail === MALFORMED) return fallback(defaultValue, MALFORMED.reason);
    if (!fitsDefault(detail.value, defaultValue)) return fallback(defaultValue, WRONG_TYPE);
    return detail as EvaluationDetail<T>;
  } catch {
    return fallback(defaultValue, EXCEPTION);
  }
}

/** `evaluate(state, flagKey, context, false).value`, without allocating: true only when `true` is served. */
export function isEnabled(state: PreparedSnapshot, flagKey: string, context: Context): boolean {
  try {
    const flag = state.flags.get(flagKey);
    if (flag === undefined) return false;
    return (flag.constant ?? resolve(flag, asContext(context))).value === true;
  } catch {
    return false;
  }
}

export { bucketOf } from './bucket.js';
export { snapshotChecksum } from './checksum.js';
export { isFlag, isSegment, isSnapshot } from './guard.js';
export * from './model.js';
export * from './protocol.js';
export { applyEvent, changedFlagKeys, prepareSnapshot, type PreparedSnapshot } from './snapshot.js';
export type { PreparedFlag } from './prepare.js';
