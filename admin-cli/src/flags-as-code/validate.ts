// core's validation of everything a flags file would make: each flag as SDKs would receive it in each
// environment (the file's fields over what the server holds), and each segment. The server checks the same
// on every write; checking here first means a bad file is refused whole, dry run included, before any step
// is applied, instead of half-way through.
import { type JsonValue, validateFlag, validateSegment } from '@flagstaff/core';
import { pick, STATE_FIELDS, type FlagsDocument } from './document.js';
import { defaultState, type ServerState } from './plan.js';

/** `flags.new-checkout.environments.production.fallthrough.rollout.weights: weights must sum to 100000, not 3` */
export type FileIssue = string;

/** What SDKs receive of a segment: names and descriptions stay on the server. */
const SEGMENT_WIRE = ['included', 'excluded', 'rules'] as const;

/** Fields of the definition: an issue there is the same in every environment, so it is named once. */
const DEFINITION_ISSUE = /^(key|kind|variations|seed|clientSide)\b/;

export function validateDocument(document: FlagsDocument, server: ServerState, skip: ReadonlySet<string> = new Set()): FileIssue[] {
  const issues = new Set<FileIssue>();
  const segmentKeys = (env: string) =>
    new Set([...(server.segments[env] ?? []).map((segment) => segment.key), ...Object.keys(document.segments?.[env] ?? {})]);

  for (const [env, segments] of Object.entries(document.segments ?? {})) {
    if (!server.environments.includes(env)) continue;
    for (const [key, spec] of Object.entries(segments)) {
      const current = server.segments[env]?.find((segment) => segment.key === key);
      const empty = { included: [], excluded: [], rules: [] };
      const wire = {
        ...empty,
        ...(current && pick(current, SEGMENT_WIRE)),
        ...pick(spec, SEGMENT_WIRE),
        key,
        version: current?.version ?? 0,
      };
      const checked = validateSegment(wire);
      if (!checked.ok) for (const issue of checked.issues) issues.add(line(`segments.${env}.${key}`, issue.path, issue.message));
    }
  }

  for (const [key, spec] of Object.entries(document.flags)) {
    if (skip.has(key)) continue;
    const current = server.flags.find((flag) => flag.key === key);
    const kind = spec.kind ?? current?.kind ?? 'boolean';
    const variations: JsonValue[] | undefined = spec.variations ?? current?.variations ?? (kind === 'boolean' ? [false, true] : undefined);
    if (variations === undefined) {
      issues.add(line(`flags.${key}`, 'variations', `a ${kind} flag needs its variations, e.g. ["a", "b"]`));
      continue;
    }
    const clientSide = spec.clientSide ?? current?.clientSide ?? false;
    const seed = spec.seed !== undefined ? spec.seed : (current?.seed ?? null);
    // Every environment the flag has (or will have) a state in: a new variation list must suit them all.
    for (const env of server.environments) {
      const state = { ...(current?.environments[env] ?? defaultState(kind)), ...spec.environments?.[env] };
      const wire = { key, version: 0, kind, variations, ...pick(state, STATE_FIELDS), clientSide, ...(seed === null ? {} : { seed }) };
      const checked = validateFlag(wire, { segmentKeys: segmentKeys(env) });
      if (checked.ok) continue;
      for (const issue of checked.issues) {
        const where = DEFINITION_ISSUE.test(issue.path) ? `flags.${key}` : `flags.${key}.environments.${env}`;
        issues.add(line(where, issue.path, issue.message));
      }
    }
  }
  return [...issues];
}

function line(prefix: string, path: string, message: string): FileIssue {
  return `${path ? `${prefix}${path.startsWith('[') ? '' : '.'}${path}` : prefix}: ${readable(path, message)}`;
}

/**
 * zod's own words for a missing field ("Invalid input: expected string, received undefined") say neither what
 * is missing nor why it matters; the fields a file most often leaves out get a sentence of their own.
 */
export function readable(path: string, message: string): string {
  const missing = /^Invalid input: expected (\w+), received undefined$/.exec(message);
  if (!missing) return message;
  const field = path.split('.').pop() ?? '';
  if (field === 'bucketBy') return 'bucketBy is required: the context attribute users are bucketed by, e.g. "key"';
  return `${field || 'this field'} is required (a ${missing[1]})`;
}
