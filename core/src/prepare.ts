// Preparation: a flag or segment from the wire, compiled once into the structures evaluation walks —
// compiled operator tests, Sets and Maps, cumulative weights, the hashed seed, and every possible
// outcome built ahead as a frozen EvaluationDetail. Evaluating then allocates nothing on success.
// Input here has passed the structural guard (guard.ts) but not necessarily validation: anything that
// would break evaluation (an index out of range, weights that do not add up) becomes MALFORMED on the
// path that reaches it, never an exception.
import { BUCKETS, bucketSeed, type BucketSeed } from './bucket.js';
import type { Clause, EvaluationDetail, Flag, JsonValue, Reason, Segment, Serve } from './model.js';
import { compileTest, type ValueTest } from './operators.js';

export type Detail = Readonly<EvaluationDetail<JsonValue>>;

const reason = (r: Reason): Reason => Object.freeze(r);

export const REASONS = {
  off: reason({ kind: 'OFF' }),
  target: reason({ kind: 'TARGET_MATCH' }),
  fallthrough: reason({ kind: 'FALLTHROUGH' }),
  fallthroughRollout: reason({ kind: 'FALLTHROUGH', inRollout: true }),
  malformed: reason({ kind: 'ERROR', errorKind: 'MALFORMED_FLAG' }),
};

/** The outcome of a broken path through a flag; evaluate() answers it with the caller's default. */
export const MALFORMED: Detail = Object.freeze({ value: null, variationIndex: null, reason: REASONS.malformed });

export interface PreparedClause {
  readonly attribute: string;
  readonly negate: boolean;
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

/**
 * The internalized copy of a property name. V8 looks properties up fastest by internalized strings, and
 * strings that arrived as JSON values (attribute names in clauses) are not internalized.
 */
const intern = (name: string): string => Object.keys({ [name]: 0 })[0] ?? name;

function outcome(flag: Flag, at: unknown, why: Reason): Detail {
  const variations = flag.variations;
  const index = at as number;
  if (!Number.isInteger(index) || index < 0 || index >= variations.length) return MALFORMED;
  return Object.freeze({ value: variations[index] as JsonValue, variationIndex: index, reason: why });
}

function fixedServe(fixed: Detail): PreparedServe {
  return { fixed, bucketBy: '', seed: null, thresholds: [], outcomes: [] };
}

/** Cumulative weights, or null when they cannot be a rollout over these variations. */
function thresholdsOf(weights: readonly unknown[], variationCount: number): number[] | null {
  if (weights.length === 0 || weights.length > variationCount) return null;
  const thresholds: number[] = [];
  let total = 0;
  for (const w of weights) {
    if (!Number.isInteger(w) || (w as number) < 0) return null;
    thresholds.push((total += w as number));
  }
  return total === BUCKETS ? thresholds : null;
}

function prepareServe(flag: Flag, serve: Serve, fixedWhy: Reason, rolloutWhy: Reason): PreparedServe {
  if ('rollout' in serve && typeof serve.rollout === 'object' && serve.rollout !== null) {
    const { bucketBy, weights } = serve.rollout;
    const thresholds = Array.isArray(weights) ? thresholdsOf(weights, flag.variations.length) : null;
    if (thresholds === null || typeof bucketBy !== 'string') return fixedServe(MALFORMED);
    const seed = typeof flag.seed === 'string' && flag.seed !== '' ? flag.seed : flag.key;
    return {
      fixed: null,
      bucketBy: intern(bucketBy),
      seed: bucketSeed(seed),
      thresholds,
      outcomes: thresholds.map((_, i) => outcome(flag, i, rolloutWhy)),
    };
  }
  return fixedServe(outcome(flag, (serve as { variation?: unknown }).variation, fixedWhy));
}

function prepareClause(clause: Clause, segments: Segments | null): PreparedClause {
  const negate = clause.negate === true;
  if (clause.op === 'segmentMatch') {
    // Segment rules may not name segments (validation refuses it): no cycles to chase, so never a match.
    const named = segments === null ? null : clause.values.map((k) => (typeof k === 'string' ? segments.get(k) : undefined));
    return { attribute: clause.attribute, negate, test: null, segments: named };
  }
  return { attribute: intern(clause.attribute), negate, test: compileTest(clause.op, clause.values), segments: null };
}

export function prepareSegment(segment: Segment): PreparedSegment {
  const keys = (list: readonly unknown[]) => new Set(list.filter((k): k is string => typeof k === 'string'));
  return {
    raw: segment,
    included: keys(segment.included),
    excluded: keys(segment.excluded),
    rules: segment.rules.map((rule) => rule.clauses.map((c) => prepareClause(c, null))),
  };
}

/** The keys of the segments a flag's rules name. */
export function segmentKeysOf(flag: Flag): string[] {
  const keys = new Set<string>();
  for (const rule of flag.rules) {
    for (const clause of rule.clauses) {
      if (clause.op !== 'segmentMatch') continue;
      for (const value of clause.values) if (typeof value === 'string') keys.add(value);
    }
  }
  return [...keys];
}

export function prepareFlag(flag: Flag, segments: Segments): PreparedFlag {
  const targets = new Map<string, Detail>();
  for (const target of flag.targets) {
    const hit = outcome(flag, target.variation, REASONS.target);
    for (const key of target.values) if (typeof key === 'string' && !targets.has(key)) targets.set(key, hit);
  }
  const rules = flag.rules.map((rule, ruleIndex): PreparedRule => {
    const ruleId = rule.id;
    return {
      clauses: rule.clauses.map((c) => prepareClause(c, segments)),
      serve: prepareServe(
        flag,
        rule.serve,
        reason({ kind: 'RULE_MATCH', ruleId, ruleIndex }),
        reason({ kind: 'RULE_MATCH', ruleId, ruleIndex, inRollout: true }),
      ),
    };
  });
  const fallthrough = prepareServe(flag, flag.fallthrough, REASONS.fallthrough, REASONS.fallthroughRollout);
  let constant: Detail | null = null;
  if (flag.on !== true) constant = outcome(flag, flag.offVariation, REASONS.off);
  else if (targets.size === 0 && rules.length === 0) constant = fallthrough.fixed;
  return { raw: flag, segmentKeys: segmentKeysOf(flag), constant, targets, rules, fallthrough };
}
