// The flag model as it travels on the wire and sits in an SDK's memory (DESIGN.md, "Flag model").
// These are plain data: validation lives in validate.ts, preparation for fast evaluation in snapshot.ts.

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** The kind of a flag: what its variations are. Boolean flags have exactly `[false, true]`. */
export type FlagKind = 'boolean' | 'string' | 'number' | 'json';

export const OPERATORS = [
  'in',
  'startsWith',
  'endsWith',
  'contains',
  'matches',
  'lt',
  'lte',
  'gt',
  'gte',
  'before',
  'after',
  'semverEq',
  'semverLt',
  'semverGt',
  'segmentMatch',
] as const;
export type Operator = (typeof OPERATORS)[number];

/**
 * One condition on a context attribute. It matches when any of `values` matches
 * (for `segmentMatch`, `values` are segment keys and `attribute` is ignored).
 */
export interface Clause {
  attribute: string;
  op: Operator;
  values: JsonValue[];
  negate?: boolean;
}

/** Weights are in thousandths of a percent, one per variation, and sum to 100000. */
export interface Rollout {
  bucketBy: string;
  weights: number[];
}

export type Serve = { variation: number } | { rollout: Rollout };

export interface Rule {
  id: string;
  clauses: Clause[];
  serve: Serve;
}

export interface Target {
  variation: number;
  values: string[];
}

/** A flag as one environment serves it: the shared definition merged with this environment's state. */
export interface Flag {
  key: string;
  /** Bumps on every change of this flag in this environment. */
  version: number;
  kind: FlagKind;
  on: boolean;
  variations: JsonValue[];
  offVariation: number;
  targets: Target[];
  rules: Rule[];
  fallthrough: Serve;
  /** Bucketing salt; when absent the flag key is used. */
  seed?: string;
  clientSide: boolean;
}

export interface SegmentRule {
  id?: string;
  clauses: Clause[];
}

/** A named set of contexts in one environment: included keys, excluded keys, and rules. */
export interface Segment {
  key: string;
  version: number;
  included: string[];
  excluded: string[];
  rules: SegmentRule[];
}

/** An environment's whole state as SDKs receive it: `GET /sdk/v1/flags`, the `put` event, a bootstrap. */
export interface Snapshot {
  /** The environment version: bumps on every change in the environment. */
  version: number;
  flags: Record<string, Flag>;
  segments: Record<string, Segment>;
}

/** Who a flag is evaluated for. `key` identifies the user (or device, tenant…); other attributes are free. */
export interface Context {
  key?: string;
  [attribute: string]: unknown;
}

export type ReasonKind = 'OFF' | 'TARGET_MATCH' | 'RULE_MATCH' | 'FALLTHROUGH' | 'ERROR';

export type ErrorKind =
  | 'FLAG_NOT_FOUND'
  | 'WRONG_TYPE'
  | 'MALFORMED_FLAG'
  /** The SDK has no flag data yet (no put, no bootstrap). */
  | 'CLIENT_NOT_READY'
  /** Something threw during evaluation (e.g. a getter on the context); evaluate() caught it. */
  | 'EXCEPTION';

export interface Reason {
  kind: ReasonKind;
  /** Set with RULE_MATCH. */
  ruleId?: string;
  ruleIndex?: number;
  /** Set when a percentage rollout decided the variation. */
  inRollout?: boolean;
  /** Set with ERROR. */
  errorKind?: ErrorKind;
  /**
   * Set when a `matches` or `contains` clause met an attribute value longer than MAX_TESTED_LENGTH: it did
   * not test it, and the clause matched neither way (docs/evaluation.md).
   */
  valueTooLong?: true;
}

export interface EvaluationDetail<T = JsonValue> {
  value: T;
  /** Index into the flag's variations; null when the caller's default was returned. */
  variationIndex: number | null;
  reason: Reason;
}
