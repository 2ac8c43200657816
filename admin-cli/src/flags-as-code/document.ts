// The flags-as-code file (docs/cli.md, "Flags as code"): what `export` writes and `apply` reads.
// It holds desired state only — no versions, no timestamps — so two exports of the same state are
// byte-identical and the file diffs cleanly in review. Flags and environments are sorted by key.
import type { FlagResource, FlagStateInput, NewFlag, SegmentInput, SegmentResource } from '@flagstaff/core/admin';
import { UsageError } from '../errors.js';
import { compactYaml, loadYaml } from '../yaml.js';

export const FORMAT = 'flagstaff/v1';

export type StateSpec = Partial<FlagStateInput>;
export type SegmentSpec = SegmentInput;

/**
 * A flag in the file: what creating it takes (its key is the entry's name), and its state per environment. A
 * field left out is not managed: apply leaves it as it is on the server.
 */
export type FlagSpec = Omit<NewFlag, 'key'> & { environments?: Record<string, StateSpec> };

export interface FlagsDocument {
  format: typeof FORMAT;
  /** Per environment, per segment key. */
  segments?: Record<string, Record<string, SegmentSpec>>;
  flags: Record<string, FlagSpec>;
}

export const STATE_FIELDS = ['on', 'offVariation', 'targets', 'rules', 'fallthrough'] as const;
export const DEFINITION_FIELDS = ['name', 'description', 'tags', 'clientSide', 'seed', 'variations'] as const;
export const SEGMENT_FIELDS = ['name', 'description', 'included', 'excluded', 'rules'] as const;

const byKey = <T>(entries: [string, T][]) => Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

export function pick<T extends object, K extends keyof T>(value: T, fields: readonly K[]): Pick<T, K> {
  return Object.fromEntries(fields.filter((field) => value[field] !== undefined).map((field) => [field, value[field]])) as Pick<T, K>;
}

/** The document for these flags and segments, limited to `envs`. Archived flags are left out. */
export function toDocument(flags: FlagResource[], segments: Record<string, SegmentResource[]>, envs: string[]): FlagsDocument {
  const document: FlagsDocument = { format: FORMAT, flags: {} };
  const segmentEntries = envs
    .filter((env) => segments[env]?.length)
    .map((env): [string, Record<string, SegmentSpec>] => [
      env,
      byKey(segments[env]!.map((segment) => [segment.key, pick(segment, SEGMENT_FIELDS)])),
    ]);
  if (segmentEntries.length) document.segments = byKey(segmentEntries);

  const live = flags.filter((flag) => !flag.archived);
  document.flags = byKey(
    live.map((flag): [string, FlagSpec] => {
      const spec: FlagSpec = { kind: flag.kind, ...pick(flag, ['name', 'description', 'tags', 'clientSide']) };
      if (flag.seed !== null) spec.seed = flag.seed;
      // Boolean variations are fixed by the kind; writing them out would only add noise.
      if (flag.kind !== 'boolean') spec.variations = flag.variations;
      spec.environments = byKey(
        envs.filter((env) => flag.environments[env]).map((env): [string, StateSpec] => [env, pick(flag.environments[env]!, STATE_FIELDS)]),
      );
      return [flag.key, spec];
    }),
  );
  return document;
}

export async function renderDocument(document: FlagsDocument): Promise<string> {
  const yaml = await loadYaml();
  const header = [
    '# Flagstaff flags as code. `flagstaff apply -f <file>` makes the server match this file;',
    '# fields and environments left out are left alone, and nothing is ever deleted. See docs/cli.md.',
  ];
  return `${header.join('\n')}\n${compactYaml(yaml, document)}`;
}

/** Parses and checks the shape of a document; the server validates the content (rules, variations…). */
export async function parseDocument(text: string, source: string): Promise<FlagsDocument> {
  const { parse } = await loadYaml();
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not valid YAML or JSON: ${(error as Error).message}`);
  }
  const check = new ShapeCheck(source);
  const root = check.record(value, '');
  if (root.format !== FORMAT) check.fail('format', `must be "${FORMAT}"`);
  check.only(root, ['format', 'segments', 'flags'], '');
  const flags = check.record(root.flags ?? {}, 'flags');
  for (const [key, flag] of Object.entries(flags)) checkFlag(check, flag, `flags.${key}`);
  const segments = check.record(root.segments ?? {}, 'segments');
  for (const [env, perEnv] of Object.entries(segments)) {
    for (const [key, segment] of Object.entries(check.record(perEnv, `segments.${env}`))) {
      const at = `segments.${env}.${key}`;
      const spec = check.record(segment, at);
      check.only(spec, SEGMENT_FIELDS, at);
      check.type(spec, 'name', 'string', at);
      check.type(spec, 'description', 'string', at);
      check.type(spec, 'included', 'array', at);
      check.type(spec, 'excluded', 'array', at);
      check.type(spec, 'rules', 'array', at);
    }
  }
  const document: FlagsDocument = { format: FORMAT, flags: flags as Record<string, FlagSpec> };
  if (Object.keys(segments).length) document.segments = segments as FlagsDocument['segments'];
  return document;
}

function checkFlag(check: ShapeCheck, value: unknown, at: string): void {
  const flag = check.record(value, at);
  check.only(flag, ['kind', ...DEFINITION_FIELDS, 'environments'], at);
  if (flag.kind !== undefined && !['boolean', 'string', 'number', 'json'].includes(flag.kind as string)) {
    check.fail(`${at}.kind`, 'must be boolean, string, number or json');
  }
  check.type(flag, 'name', 'string', at);
  check.type(flag, 'description', 'string', at);
  check.type(flag, 'tags', 'array', at);
  check.type(flag, 'clientSide', 'boolean', at);
  check.type(flag, 'variations', 'array', at);
  if (flag.seed !== undefined && flag.seed !== null) check.type(flag, 'seed', 'string', at);
  for (const [env, state] of Object.entries(check.record(flag.environments ?? {}, `${at}.environments`))) {
    const where = `${at}.environments.${env}`;
    const spec = check.record(state, where);
    check.only(spec, STATE_FIELDS, where);
    check.type(spec, 'on', 'boolean', where);
    check.type(spec, 'offVariation', 'number', where);
    check.type(spec, 'targets', 'array', where);
    check.type(spec, 'rules', 'array', where);
    check.type(spec, 'fallthrough', 'object', where);
  }
}

/** Shape errors name the path in the file, e.g. `flags.new-checkout.environments.production.on`. */
class ShapeCheck {
  constructor(readonly source: string) {}

  fail(path: string, message: string): never {
    throw new UsageError(`${this.source}: ${path || '(top level)'} ${message}`, 'see docs/cli.md, "Flags as code"');
  }

  record(value: unknown, path: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(path, 'must be a mapping');
    return value as Record<string, unknown>;
  }

  only(value: Record<string, unknown>, allowed: readonly string[], path: string): void {
    const unknown = Object.keys(value).find((field) => !allowed.includes(field));
    if (unknown !== undefined)
      this.fail(path ? `${path}.${unknown}` : unknown, `is not a known field (expected one of: ${allowed.join(', ')})`);
  }

  type(value: Record<string, unknown>, field: string, type: 'string' | 'number' | 'boolean' | 'array' | 'object', path: string): void {
    const actual = value[field];
    if (actual === undefined) return;
    const ok =
      type === 'array'
        ? Array.isArray(actual)
        : type === 'object'
          ? typeof actual === 'object' && actual !== null && !Array.isArray(actual)
          : typeof actual === type;
    if (!ok) this.fail(`${path}.${field}`, `must be ${type === 'array' || type === 'object' ? `an ${type}` : `a ${type}`}`);
  }
}
