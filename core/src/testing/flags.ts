// Named builders for the flag model (model.ts), the one set every package's tests use, so that a fixture
// reads as what the flag does — `flagOff('checkout')`, `rolloutFlag('banner', [25_000, 75_000])` — and
// the defaults are written once. Every builder returns fresh objects with the fields in model.ts's
// order, and `over` replaces whole fields: a test states what it depends on at the call site.
// Test code only: production code never imports '@flagstaff/core/testing'.
import type { Clause, Flag, JsonValue, Operator, Rule, Segment, Serve, Snapshot } from '../model.js';
import { prepareSnapshot, type PreparedSnapshot } from '../snapshot.js';

/**
 * A boolean flag at version 1, on, serving true to everyone: no targets, no rules, `offVariation` false,
 * server-side only. The defaults of every builder below.
 */
export function flagOn(key: string, over: Partial<Flag> = {}): Flag {
  return {
    key,
    version: 1,
    kind: 'boolean',
    on: true,
    variations: [false, true],
    offVariation: 0,
    targets: [],
    rules: [],
    fallthrough: { variation: 1 },
    clientSide: false,
    ...over,
  };
}

/** flagOn's flag switched off: it serves its off variation, false. */
export function flagOff(key: string, over: Partial<Flag> = {}): Flag {
  return flagOn(key, { on: false, ...over });
}

/** flagOn or flagOff, for a test where `on` is a parameter. */
export function booleanFlag(key: string, on: boolean, over: Partial<Flag> = {}): Flag {
  return flagOn(key, { on, ...over });
}

/** A flag of kind string, on, serving `variations[1]` to everyone (offVariation 0). */
export function stringFlag(key: string, variations: string[], over: Partial<Flag> = {}): Flag {
  return flagOn(key, { kind: 'string', variations, ...over });
}

/** A flag of kind number, on, serving `variations[1]` to everyone (offVariation 0). */
export function numberFlag(key: string, variations: number[], over: Partial<Flag> = {}): Flag {
  return flagOn(key, { kind: 'number', variations, ...over });
}

/** A flag of kind json, on, serving `variations[1]` to everyone (offVariation 0). */
export function jsonFlag(key: string, variations: JsonValue[], over: Partial<Flag> = {}): Flag {
  return flagOn(key, { kind: 'json', variations, ...over });
}

/** A boolean flag, on, whose fallthrough splits everyone by `key` with `weights` (thousandths of a percent). */
export function rolloutFlag(key: string, weights: number[], over: Partial<Flag> = {}): Flag {
  return flagOn(key, { fallthrough: rollout('key', weights), ...over });
}

/** A boolean flag, on, serving true when every one of `clauses` matches (one rule, `r`), false otherwise. */
export function ruleFlag(key: string, clauses: Clause[], over: Partial<Flag> = {}): Flag {
  return flagOn(key, { rules: [rule('r', clauses)], fallthrough: { variation: 0 }, ...over });
}

/** A rule serving `serve` (by default variation 1, true) when every one of `clauses` matches. */
export function rule(id: string, clauses: Clause[], serve: Serve = { variation: 1 }): Rule {
  return { id, clauses, serve };
}

/** A clause on a context attribute; `negate` is written only when true. */
export function clause(attribute: string, op: Operator, values: JsonValue[], negate = false): Clause {
  return negate ? { attribute, op, values, negate } : { attribute, op, values };
}

/** The clause matching members of any of `segmentKeys`. */
export function inSegment(...segmentKeys: string[]): Clause {
  return { attribute: '', op: 'segmentMatch', values: segmentKeys };
}

/** A percentage rollout, bucketing by `bucketBy`. */
export function rollout(bucketBy: string, weights: number[]): Serve {
  return { rollout: { bucketBy, weights } };
}

/** A segment at version 1 with no members and no rules. */
export function segment(key: string, over: Partial<Segment> = {}): Segment {
  return { key, version: 1, included: [], excluded: [], rules: [], ...over };
}

/** An environment's snapshot at `version`, keyed as the wire keys it. */
export function snapshotOf(version: number, flags: Flag[], segments: Segment[] = []): Snapshot {
  return {
    version,
    flags: Object.fromEntries(flags.map((f) => [f.key, f])),
    segments: Object.fromEntries(segments.map((s) => [s.key, s])),
  };
}

/** A version-1 snapshot of `flags` and `segments`, prepared for evaluate(). */
export function preparedOf(flags: Flag[], segments: Segment[] = []): PreparedSnapshot {
  return prepareSnapshot(snapshotOf(1, flags, segments));
}
