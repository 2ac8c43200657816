// Validation at the edge (STYLE.md, habit 4): turns unknown input into a typed flag, segment, snapshot or
// context, or into issues that name the exact path and the rule broken:
//   { path: "rules[1].clauses[0].op", message: 'unknown operator "equals"' }
// It refuses everything that would make evaluation answer MALFORMED_FLAG. Not in the browser bundle.
import { z } from 'zod';
import type { Context, Flag, Segment, Snapshot } from './model.js';
import { portablePatternProblem } from './regex-safety.js';
import { contextSchema, flagShape, segmentShape } from './schema.js';

export * from './schema.js';
export { patternProblem, portablePatternProblem } from './regex-safety.js';
export { MAX_PROGRAM_SIZE } from './pattern.js';

export type ValidationIssue = { path: string; message: string };
export type Validation<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

type Path = (string | number)[];
type Report = (path: Path, message: string) => void;

const SIMPLE_KEY = /^[A-Za-z_$][\w$-]*$/;

/** `["rules", 1, "clauses", 0, "op"]` → `rules[1].clauses[0].op`; odd keys are quoted: `flags["a.b"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (SIMPLE_KEY.test(String(part))) out += (out === '' ? '' : '.') + String(part);
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}

/** zod's issues as ValidationIssues; an unknown field becomes one issue at that field's own path. */
export function issuesOf(error: z.ZodError): ValidationIssue[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: `unknown field ${JSON.stringify(key)}` }))
      : [{ path: formatPath(issue.path), message: issue.message }],
  );
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function checkVariations(flag: z.infer<typeof flagShape>, report: Report): void {
  const { kind, variations } = flag;
  if (kind === 'boolean') {
    if (!sameJson(variations, [false, true])) report(['variations'], 'boolean flags have exactly the variations [false, true]');
    return;
  }
  if (kind === 'json') return;
  const seen = new Map<unknown, number>();
  variations.forEach((value, i) => {
    const fits = kind === 'string' ? typeof value === 'string' : typeof value === 'number' && Number.isFinite(value);
    if (!fits) report(['variations', i], `expected a ${kind} (the flag's kind is "${kind}")`);
    else if (seen.has(value)) report(['variations', i], `duplicate of variations[${seen.get(value)}]`);
    else seen.set(value, i);
  });
}

/** Checks that need the whole flag: indexes against its variations, unique rule ids, each key targeted once. */
function checkFlag(flag: z.infer<typeof flagShape>, report: Report): void {
  checkVariations(flag, report);
  const count = flag.variations.length;
  const index = (i: number, path: Path) => {
    if (i >= count) report(path, `variation ${i} does not exist: the flag has ${count} variation${count === 1 ? '' : 's'}`);
  };
  const serve = (s: z.infer<typeof flagShape>['fallthrough'], path: Path) => {
    // A malformed serve has already been reported by its own schema; only well-formed ones are checked here.
    if ('variation' in s) {
      if (typeof s.variation === 'number') index(s.variation, [...path, 'variation']);
    } else if (s.rollout !== undefined && s.rollout.weights.length !== count) {
      report([...path, 'rollout', 'weights'], `${s.rollout.weights.length} weights for ${count} variations: give one per variation`);
    }
  };
  index(flag.offVariation, ['offVariation']);
  const targeted = new Map<string, number>();
  flag.targets.forEach((target, t) => {
    index(target.variation, ['targets', t, 'variation']);
    target.values.forEach((key, k) => {
      const first = targeted.get(key);
      if (first !== undefined) report(['targets', t, 'values', k], `${JSON.stringify(key)} is already targeted by targets[${first}]`);
      else targeted.set(key, t);
    });
  });
  const ids = new Map<string, number>();
  flag.rules.forEach((rule, r) => {
    const first = ids.get(rule.id);
    if (first !== undefined) report(['rules', r, 'id'], `duplicate rule id ${JSON.stringify(rule.id)} (also rules[${first}])`);
    else ids.set(rule.id, r);
    serve(rule.serve, ['rules', r, 'serve']);
  });
  serve(flag.fallthrough, ['fallthrough']);
}

function checkSegment(segment: z.infer<typeof segmentShape>, report: Report): void {
  const ids = new Map<string, number>();
  segment.rules.forEach((rule, r) => {
    if (rule.id !== undefined) {
      const first = ids.get(rule.id);
      if (first !== undefined) report(['rules', r, 'id'], `duplicate rule id ${JSON.stringify(rule.id)} (also rules[${first}])`);
      else ids.set(rule.id, r);
    }
    rule.clauses.forEach((clause, c) => {
      // Segments naming segments could form cycles; one level keeps membership obvious.
      if (clause.op === 'segmentMatch') report(['rules', r, 'clauses', c, 'op'], 'segment rules cannot use segmentMatch');
    });
  });
}

/** Every `segmentMatch` value of `flag` that is not in `segmentKeys`. */
function checkSegmentReferences(flag: Flag, segmentKeys: ReadonlySet<string>, report: Report): void {
  flag.rules.forEach((rule, r) =>
    rule.clauses.forEach((clause, c) => {
      if (clause.op !== 'segmentMatch') return;
      clause.values.forEach((value, v) => {
        if (typeof value === 'string' && !segmentKeys.has(value)) {
          report(['rules', r, 'clauses', c, 'values', v], `unknown segment ${JSON.stringify(value)}`);
        }
      });
    }),
  );
}

/** Why a pattern cannot go to browsers, or null: portablePatternProblem, or the server's stronger check. */
export type ClientPatternCheck = (pattern: string) => string | null;

/**
 * The `matches` values of `rules` that `check` refuses, as issues at their paths. A client-side flag sends
 * its patterns, and those of the segments it names, to browsers, which run them on a backtracking engine.
 */
export function clientPatternIssues(
  rules: readonly { clauses: readonly { op: string; values: readonly unknown[] }[] }[],
  check: ClientPatternCheck = portablePatternProblem,
): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  reportClientPatterns(rules, check, (path, problem) => issues.push({ path: formatPath(path), message: clientMessage(problem) }));
  return issues;
}

const clientMessage = (problem: string) => `not allowed in a client-side flag, which browsers evaluate: ${problem}`;

/** Each refused `matches` value of `rules`, reported with the checker's own words. */
function reportClientPatterns(
  rules: readonly { clauses: readonly { op: string; values: readonly unknown[] }[] }[],
  check: ClientPatternCheck,
  report: Report,
): void {
  rules.forEach((rule, r) =>
    rule.clauses.forEach((clause, c) => {
      if (clause.op !== 'matches') return;
      clause.values.forEach((value, v) => {
        const problem = typeof value === 'string' ? check(value) : null;
        if (problem !== null) report(['rules', r, 'clauses', c, 'values', v], problem);
      });
    }),
  );
}

/** Client-side: the flag's own patterns, and those of each segment it names that `segments` holds. */
function checkClientPatterns(
  flag: Flag,
  segments: ReadonlyMap<string, Pick<Segment, 'rules'>>,
  check: ClientPatternCheck,
  report: Report,
): void {
  reportClientPatterns(flag.rules, check, (path, problem) => report(path, clientMessage(problem)));
  flag.rules.forEach((rule, r) =>
    rule.clauses.forEach((clause, c) => {
      if (clause.op !== 'segmentMatch') return;
      clause.values.forEach((key, v) => {
        const segment = typeof key === 'string' ? segments.get(key) : undefined;
        if (segment === undefined) return;
        const problems: string[] = [];
        reportClientPatterns(segment.rules, check, (path, problem) => problems.push(`its ${formatPath(path)}: ${problem}`));
        if (problems.length > 0) {
          report(
            ['rules', r, 'clauses', c, 'values', v],
            `segment ${JSON.stringify(key)} goes to browsers with this client-side flag, but has a pattern they cannot run (${problems[0]})`,
          );
        }
      });
    }),
  );
}

const refineWith =
  <T>(check: (value: T, report: Report) => void) =>
  (value: T, ctx: z.RefinementCtx) =>
    check(value, (path, message) => ctx.addIssue({ code: 'custom', path, message }));

export const flagSchema = flagShape.superRefine(refineWith(checkFlag));
export const segmentSchema = segmentShape.superRefine(refineWith(checkSegment));

export const snapshotSchema = z
  .object({
    version: z.int().min(0),
    flags: z.record(z.string(), flagSchema),
    segments: z.record(z.string(), segmentSchema),
  })
  .superRefine(
    refineWith((snapshot, report) => {
      for (const [kind, record] of [
        ['flags', snapshot.flags],
        ['segments', snapshot.segments],
      ] as const) {
        for (const [key, item] of Object.entries(record)) {
          if (item.key !== key) report([kind, key, 'key'], `${JSON.stringify(item.key)} is filed under ${JSON.stringify(key)}`);
        }
      }
      const segmentKeys = new Set(Object.keys(snapshot.segments));
      for (const [key, flag] of Object.entries(snapshot.flags)) {
        checkSegmentReferences(flag, segmentKeys, (path, message) => report(['flags', key, ...path], message));
      }
    }),
  );

function validate<T>(schema: z.ZodType<T>, input: unknown, more?: (value: T, report: Report) => void): Validation<T> {
  const result = schema.safeParse(input);
  if (!result.success) return { ok: false, issues: issuesOf(result.error) };
  const issues: ValidationIssue[] = [];
  more?.(result.data, (path, message) => issues.push({ path: formatPath(path), message }));
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: result.data };
}

export interface FlagValidationOptions {
  /** Its `segmentMatch` clauses must name segments in this set. */
  segmentKeys?: ReadonlySet<string>;
  /** The segments it may name, whose patterns a client-side flag sends to browsers too. */
  segments?: ReadonlyMap<string, Pick<Segment, 'rules'>>;
  /** How a client-side flag's patterns are checked (default: portablePatternProblem). */
  clientPatternProblem?: ClientPatternCheck;
}

/** Validates a flag; a client-side one's patterns must be fit for browsers (clientPatternIssues). */
export function validateFlag(input: unknown, opts: FlagValidationOptions = {}): Validation<Flag> {
  const { segmentKeys, segments = new Map(), clientPatternProblem = portablePatternProblem } = opts;
  return validate<Flag>(flagSchema, input, (flag, report) => {
    if (segmentKeys !== undefined) checkSegmentReferences(flag, segmentKeys, report);
    if (flag.clientSide === true) checkClientPatterns(flag, segments, clientPatternProblem, report);
  });
}

export function validateSegment(input: unknown): Validation<Segment> {
  return validate<Segment>(segmentSchema, input);
}

export function validateSnapshot(input: unknown): Validation<Snapshot> {
  return validate<Snapshot>(snapshotSchema, input);
}

export function validateContext(input: unknown): Validation<Context> {
  return validate<Context>(contextSchema, input);
}
