// The zod schemas of the flag model, one per piece, so that the server can compose them into its request
// bodies. Each schema checks what can be checked where it stands (an operator's values, a rollout's
// weights); the checks that need the whole flag (variation indexes, duplicate ids) are in validate.ts.
import { z } from 'zod';
import { BUCKETS } from './bucket.js';
import { OPERATORS, type JsonValue, type Operator, type Serve } from './model.js';
import { MAX_REGEX_LENGTH, MAX_TESTED_LENGTH } from './operators.js';
import { patternProblem } from './regex-safety.js';
import { parseSemver } from './semver.js';
import { epochMs } from './time.js';

export { MAX_REGEX_LENGTH, MAX_TESTED_LENGTH };

/** Flag keys, and segment keys: lowercase, digits, `.`, `_`, `-`; 1–128 characters. */
export const FLAG_KEY_PATTERN = /^[a-z0-9][a-z0-9._-]{0,127}$/;
export const SEGMENT_KEY_PATTERN = FLAG_KEY_PATTERN;
export const FLAG_KINDS = ['boolean', 'string', 'number', 'json'] as const;
/** Rule ids are free text up to this length. */
export const MAX_RULE_ID_LENGTH = 128;

const keyOf = (what: string) =>
  z.string().regex(FLAG_KEY_PATTERN, `a ${what} key is 1–128 characters of a-z, 0-9, ".", "_", "-", starting with a letter or digit`);
const version = z.int().min(0);
const ruleId = z.string().min(1).max(MAX_RULE_ID_LENGTH);

/** A JSON value: what an attribute, a clause value or a variation may hold. */
const json = () =>
  z.custom<JsonValue>((value) => isJsonValue(value, 0), {
    message: 'expected a JSON value: a string, a finite number, a boolean, null, an array or an object',
  });

/** JSON nested deeper than this is refused rather than walked: no real flag or context needs it. */
const MAX_JSON_DEPTH = 64;

function isJsonValue(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      if (value === null) return true;
      if (depth >= MAX_JSON_DEPTH) return false;
      if (Array.isArray(value)) return value.every((item) => isJsonValue(item, depth + 1));
      if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return false;
      return Object.values(value).every((item) => isJsonValue(item, depth + 1));
    default:
      return false;
  }
}

/**
 * The attribute a rollout buckets by. Not `__proto__`: evaluation reads only a context's own attributes,
 * an object written in code (`{ __proto__: x }`) never has an own `__proto__` and validateContext drops
 * one, so such a rollout would put everyone in bucket 0. (Clauses on it stay valid: the shared vectors
 * pin how they evaluate, and a clause that never matches misleads nobody about a percentage.)
 */
export const bucketBySchema = z
  .string()
  .min(1, 'bucketBy names the attribute to bucket by')
  .refine((name) => name !== '__proto__', 'bucketBy cannot be "__proto__": it is never an attribute of a context');

const isScalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** What is wrong with one value of a clause using `op`, or null. */
export function clauseValueProblem(op: Operator, value: JsonValue): string | null {
  switch (op) {
    case 'in':
      return isScalar(value) ? null : 'expected a string, number or boolean';
    case 'startsWith':
    case 'endsWith':
    case 'contains':
      return typeof value === 'string' ? null : 'expected a string';
    case 'matches':
      return typeof value === 'string' ? patternProblem(value) : 'expected a regular expression (a string)';
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte':
      return typeof value === 'number' && Number.isFinite(value) ? null : 'expected a number';
    case 'before':
    case 'after':
      return epochMs(value) === undefined ? 'expected an ISO-8601 date or date-time, or epoch milliseconds' : null;
    case 'semverEq':
    case 'semverLt':
    case 'semverGt':
      return parseSemver(value) === undefined ? 'expected a semantic version MAJOR.MINOR.PATCH[-prerelease]' : null;
    case 'segmentMatch':
      return typeof value === 'string' && SEGMENT_KEY_PATTERN.test(value) ? null : 'expected a segment key';
  }
}

export const clauseSchema = z
  .strictObject({
    attribute: z.string(),
    op: z.enum(OPERATORS, {
      error: (issue) => (issue.input === undefined ? 'an operator is required' : `unknown operator ${JSON.stringify(issue.input)}`),
    }),
    values: z.array(json()).min(1, 'a clause needs at least one value'),
    negate: z.boolean().optional(),
  })
  .superRefine((clause, ctx) => {
    if (clause.op !== 'segmentMatch' && clause.attribute === '') {
      ctx.addIssue({ code: 'custom', path: ['attribute'], message: 'an attribute name is required' });
    }
    clause.values.forEach((value, i) => {
      const problem = clauseValueProblem(clause.op, value);
      if (problem !== null) ctx.addIssue({ code: 'custom', path: ['values', i], message: problem });
    });
  });

export const rolloutSchema = z
  .strictObject({
    bucketBy: bucketBySchema,
    weights: z.array(z.int().min(0).max(BUCKETS)).min(1),
  })
  .superRefine((rollout, ctx) => {
    const sum = rollout.weights.reduce((a, b) => a + b, 0);
    if (sum !== BUCKETS) {
      ctx.addIssue({ code: 'custom', path: ['weights'], message: `weights must sum to ${BUCKETS}, not ${sum}` });
    }
  });

export const serveSchema = z
  .strictObject({ variation: z.int().min(0).optional(), rollout: rolloutSchema.optional() })
  .superRefine((serve, ctx) => {
    if ((serve.variation === undefined) === (serve.rollout === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'expected either { "variation": i } or { "rollout": { "bucketBy", "weights" } }' });
    }
  })
  .transform((serve): Serve => (serve.rollout !== undefined ? { rollout: serve.rollout } : { variation: serve.variation! }));

export const targetSchema = z.strictObject({
  variation: z.int().min(0),
  values: z.array(z.string().min(1)).min(1, 'a target needs at least one context key'),
});

export const ruleSchema = z.strictObject({
  id: ruleId,
  clauses: z.array(clauseSchema).min(1, 'a rule needs at least one clause'),
  serve: serveSchema,
});

export const segmentRuleSchema = z.strictObject({
  id: ruleId.optional(),
  clauses: z.array(clauseSchema).min(1, 'a rule needs at least one clause'),
});

export const flagShape = z.object({
  key: keyOf('flag'),
  version,
  kind: z.enum(FLAG_KINDS, { error: (issue) => `kind is one of ${FLAG_KINDS.join(', ')}, not ${JSON.stringify(issue.input)}` }),
  on: z.boolean(),
  variations: z.array(json()).min(1, 'a flag needs at least one variation'),
  offVariation: z.int().min(0),
  targets: z.array(targetSchema),
  rules: z.array(ruleSchema),
  fallthrough: serveSchema,
  seed: z.string().min(1).optional(),
  clientSide: z.boolean(),
});

export const segmentShape = z.object({
  key: keyOf('segment'),
  version,
  included: z.array(z.string().min(1)),
  excluded: z.array(z.string().min(1)),
  rules: z.array(segmentRuleSchema),
});

/** A context: an object whose attributes are JSON values; `key`, when present, is a string. */
export const contextSchema = z.object({ key: z.string().optional() }).catchall(json());
