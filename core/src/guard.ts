// Structural guards without zod, for SDKs to refuse garbage from the network or a bootstrap. They check
// exactly the shapes preparation relies on, so that whatever passes can be prepared without throwing.
// The model's rules (index ranges, weights, regexes…) are validate.ts's job; an SDK that meets a
// breach of them answers MALFORMED_FLAG on the path that reaches it. Kept terse: it ships to browsers.
import type { Flag, Segment, Snapshot } from './model.js';

// biome-ignore lint/suspicious/noExplicitAny: a guard probes values of unknown shape field by field; `unknown` would need a cast at every read
type Check = (value: any) => boolean;

const isObject: Check = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isString: Check = (v) => typeof v === 'string';
const isArray = Array.isArray;
const every = (list: unknown, check: Check) => isArray(list) && list.every(check);

const isClause: Check = (c) =>
  isObject(c) && isString(c.attribute) && isString(c.op) && isArray(c.values) && (c.negate === undefined || typeof c.negate === 'boolean');

const hasClauses: Check = (rule) => isObject(rule) && every(rule.clauses, isClause);

const isServe: Check = (s) =>
  isObject(s) &&
  (s.rollout === undefined ? isNumber(s.variation) : isObject(s.rollout) && isString(s.rollout.bucketBy) && isArray(s.rollout.weights));

const isTarget: Check = (t) => isObject(t) && isNumber(t.variation) && isArray(t.values);
const isRule: Check = (r) => hasClauses(r) && isString(r.id) && isServe(r.serve);

export const isFlag = (f: unknown): f is Flag =>
  isObject(f) &&
  isString((f as Flag).key) &&
  isNumber((f as Flag).version) &&
  typeof (f as Flag).on === 'boolean' &&
  isArray((f as Flag).variations) &&
  isNumber((f as Flag).offVariation) &&
  ((f as Flag).seed == null || isString((f as Flag).seed)) &&
  isServe((f as Flag).fallthrough) &&
  every((f as Flag).targets, isTarget) &&
  every((f as Flag).rules, isRule);

export const isSegment = (s: unknown): s is Segment =>
  isObject(s) &&
  isString((s as Segment).key) &&
  isNumber((s as Segment).version) &&
  isArray((s as Segment).included) &&
  isArray((s as Segment).excluded) &&
  every((s as Segment).rules, hasClauses);

/** Every item passes `check` and is filed under its own key. */
// biome-ignore lint/suspicious/noExplicitAny: as Check
const isRecordOf = (record: any, check: Check) =>
  isObject(record) && Object.keys(record).every((key) => check(record[key]) && record[key].key === key);

/** A `{ version, flags, segments }` that prepareSnapshot can take. Use validateSnapshot to learn what is wrong. */
export const isSnapshot = (s: unknown): s is Snapshot =>
  isObject(s) &&
  isNumber((s as Snapshot).version) &&
  isRecordOf((s as Snapshot).flags, isFlag) &&
  isRecordOf((s as Snapshot).segments, isSegment);
