// Preparation: a flag or segment from the wire, compiled once into the structures evaluation walks —
// compiled operator tests, Sets and Maps, cumulative weights, the hashed seed, and every possible
// outcome built ahead as a frozen EvaluationDetail. Evaluating then allocates nothing on success.
// Input here has passed the structural guard (guard.ts) but not necessarily validation: anything that
// would break evaluation (an index out of range, weights that do not add up) becomes MALFORMED on the
// path that reaches it, never an exception.
// Why it is written this way, and what must not be "tidied": docs/decisions/006-evaluator-hot-path-idioms.md.
import { BUCKETS, bucketSeed, type BucketSeed } from './bucket.js';
import type { Clause, EvaluationDetail, Flag, JsonValue, Reason, Rollout, Segment, Serve } from './model.js';
import { compileTest, type ValueTest } from './operators.js';
import { inlineClause, internName as intern, readSite } from './clause-inline.js';

export type Detail = Readonly<EvaluationDetail<JsonValue>>;

const reason: (r: Reason) => Reason = Object.freeze;

const OFF = reason({ kind: 'OFF' });
const TARGET_MATCH = reason({ kind: 'TARGET_MATCH' });
const FALLTHROUGH = reason({ kind: 'FALLTHROUGH' });
const FALLTHROUGH_ROLLOUT = reason({ kind: 'FALLTHROUGH', inRollout: true });

/** The reason for an error: evaluate() answers it with the caller's default. */
export const errorReason = (errorKind: Reason['errorKind']): Reason => reason({ kind: 'ERROR', errorKind });

/** The outcome of a broken path through a flag; evaluate() answers it with the caller's default. */
export const MALFORMED: Detail = Object.freeze({ value: null, variationIndex: null, reason: errorReason('MALFORMED_FLAG') });

export interface PreparedClause {
  readonly attribute: string;
  readonly negate: boolean;
  /** How clause-inline.ts's testValue tests one attribute value (written out on servers), and its operand. */
  readonly kind: number;
  readonly operand: unknown;
  /** Where clause-inline.ts's readAttribute reads the attribute (its own inline cache on servers). */
  readonly site: number;
  /** Tests one attribute value; null when nothing can match (an operator this version does not know). */
  readonly test: ValueTest | null;
  /** For `segmentMatch`: the named segments, undefined where unknown. Null for every other operator. */
  readonly segments: readonly (PreparedSegment | undefined)[] | null;
}

/** One shape for fixed and rollout serves, so that the evaluator's property loads stay monomorphic. */
export interface PreparedServe {
  /** The outcome when it does not depend on the context; null for a rollout. */
  readonly fixed: Detail | null;
  readonly bucketBy: string;
  readonly seed: BucketSeed | null;
  /** Cumulative weights: the first variation whose threshold exceeds the bucket is served. */
  readonly thresholds: readonly number[];
  readonly outcomes: readonly Detail[];
}

export interface PreparedRule {
  readonly clauses: readonly PreparedClause[];
  readonly serve: PreparedServe;
}

export interface PreparedSegment {
  readonly raw: Segment;
  readonly included: ReadonlySet<string>;
  readonly excluded: ReadonlySet<string>;
  readonly rules: readonly (readonly PreparedClause[])[];
}

export interface PreparedFlag {
  readonly raw: Flag;
  /** Segments this flag's clauses name: when one of them changes, the flag is prepared again. */
  readonly segmentKeys: readonly string[];
  /** The outcome for every context, when it does not depend on the context (off, or on without targeting). */
  readonly constant: Detail | null;
  /** Context key → outcome; the first target listing a key wins. */
  readonly targets: ReadonlyMap<string, Detail>;
  readonly rules: readonly PreparedRule[];
  readonly fallthrough: PreparedServe;
}

type Segments = ReadonlyMap<string, PreparedSegment>;

function outcome(flag: Flag, index: number, why: Reason): Detail {
  if (!Number.isInteger(index) || index < 0 || index >= flag.variations.length) return MALFORMED;
  return Object.freeze({ value: flag.variations[index]!, variationIndex: index, reason: why });
}

const fixedServe = (fixed: Detail): PreparedServe => ({ fixed, bucketBy: '', seed: null, thresholds: [], outcomes: [] });

/** Cumulative weights, or null when they cannot be a rollout over these variations. */
function thresholdsOf(weights: readonly number[], variationCount: number): number[] | null {
  // Pushed one by one, not mapped: map() builds a holey array, which the evaluator then reads more slowly.
  const thresholds: number[] = [];
  let total = 0;
  for (const w of weights) {
    if (!Number.isInteger(w) || w < 0) return null;
    thresholds.push((total += w));
  }
  return total === BUCKETS && weights.length <= variationCount ? thresholds : null;
}

// The structural guard (guard.ts) has checked the shapes: a serve with `rollout` has a string `bucketBy`
// and an array of `weights`, one without has a numeric `variation`.
function prepareServe(flag: Flag, serve: Serve, fixedWhy: Reason, rolloutWhy: Reason): PreparedServe {
  const rollout = (serve as { rollout?: Rollout }).rollout;
  if (rollout === undefined) return fixedServe(outcome(flag, (serve as { variation: number }).variation, fixedWhy));
  const { bucketBy, weights } = rollout;
  const thresholds = thresholdsOf(weights, flag.variations.length);
  if (thresholds === null) return fixedServe(MALFORMED);
  return {
    fixed: null,
    bucketBy: intern(bucketBy),
    seed: bucketSeed(flag.seed || flag.key),
    thresholds,
    outcomes: thresholds.map((_, i) => outcome(flag, i, rolloutWhy)),
  };
}

function prepareClause(clause: Clause, segments: Segments | null): PreparedClause {
  const { attribute, op, values } = clause;
  const negate = clause.negate === true;
  if (op !== 'segmentMatch') {
    const [kind, operand] = inlineClause(op, values);
    const name = intern(attribute);
    return { attribute: name, negate, kind, operand, site: readSite(name), test: compileTest(op, values, negate), segments: null };
  }
  // Segment rules may not name segments (validation refuses it): no cycles to chase, so never a match.
  return {
    attribute,
    negate,
    kind: 0,
    operand: null,
    site: 0,
    test: null,
    segments: segments && values.map((k) => segments.get(k as string)),
  };
}

const strings = (list: readonly unknown[]): string[] => list.filter((k): k is string => typeof k === 'string');

export function prepareSegment(segment: Segment): PreparedSegment {
  return {
    raw: segment,
    included: new Set(strings(segment.included)),
    excluded: new Set(strings(segment.excluded)),
    rules: segment.rules.map((rule) => rule.clauses.map((c) => prepareClause(c, null))),
  };
}

/**
 * Which segments a flag names: the keys its rules name through `segmentMatch`, each once, in the order first
 * named (segment rules cannot name segments, so there is nothing further to follow). The one answer for
 * preparing a flag, for what a client key may see, and for the stream's client view (server).
 */
export const segmentsNamedBy = (flag: Pick<Flag, 'rules'>): string[] => [
  ...new Set(flag.rules.flatMap((rule) => rule.clauses.flatMap((c) => (c.op === 'segmentMatch' ? strings(c.values) : [])))),
];

export function prepareFlag(flag: Flag, segments: Segments): PreparedFlag {
  const targets = new Map<string, Detail>();
  for (const target of flag.targets) {
    const hit = outcome(flag, target.variation, TARGET_MATCH);
    for (const key of strings(target.values)) if (!targets.has(key)) targets.set(key, hit);
  }
  const rules = flag.rules.map(
    ({ id: ruleId, clauses, serve }, ruleIndex): PreparedRule => ({
      clauses: clauses.map((c) => prepareClause(c, segments)),
      serve: prepareServe(
        flag,
        serve,
        reason({ kind: 'RULE_MATCH', ruleId, ruleIndex }),
        reason({ kind: 'RULE_MATCH', ruleId, ruleIndex, inRollout: true }),
      ),
    }),
  );
  const fallthrough = prepareServe(flag, flag.fallthrough, FALLTHROUGH, FALLTHROUGH_ROLLOUT);
  let constant: Detail | null = null;
  if (flag.on !== true) constant = outcome(flag, flag.offVariation, OFF);
  else if (targets.size === 0 && rules.length === 0) constant = fallthrough.fixed;
  return { raw: flag, segmentKeys: segmentsNamedBy(flag), constant, targets, rules, fallthrough };
}
