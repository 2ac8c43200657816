// The plan of `apply`: for every segment, flag definition and flag state in the file, whether the server
// must create it, update it (which fields, from what to what) or leave it. Each step remembers the
// version it was computed from, and apply sends that as If-Match: an edit made after the plan was shown
// is reported as a conflict instead of being overwritten.
import type { FlagKind } from '@flagstaff/core';
import type { FlagResource, FlagState, FlagStateInput, SegmentResource } from '@flagstaff/core/admin';
import {
  DEFINITION_FIELDS,
  type FlagSpec,
  type FlagsDocument,
  SEGMENT_FIELDS,
  STATE_FIELDS,
  type SegmentSpec,
  type StateSpec,
} from './document.js';
import { validateDocument } from './validate.js';

export type PlanAction = 'create' | 'update' | 'unchanged';

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

interface StepBase {
  action: PlanAction;
  key: string;
  changes: FieldChange[];
  /** The version the plan was computed from; absent for what does not exist yet. */
  version?: number;
}

export type PlanStep =
  | (StepBase & { resource: 'segment'; env: string; desired: SegmentSpec; current?: SegmentResource })
  | (StepBase & { resource: 'flag'; desired: FlagSpec })
  | (StepBase & { resource: 'state'; env: string; desired: StateSpec; current?: FlagState });

export interface Plan {
  steps: PlanStep[];
  /** Why this file cannot be applied to this server at all; nothing is applied while there are any. */
  problems: string[];
  /**
   * What core's validation refuses in the file, by its path in the file
   * (`flags.new-checkout.environments.production.fallthrough.rollout.weights: …`); nothing is applied while
   * there are any, and a dry run says so too.
   */
  invalid: string[];
}

export interface ServerState {
  environments: string[];
  /** Every flag, archived ones included. */
  flags: FlagResource[];
  segments: Record<string, SegmentResource[]>;
}

export function planChanges(document: FlagsDocument, server: ServerState): Plan {
  const steps: PlanStep[] = [];
  const problems: string[] = [];
  const refused = new Set<string>();
  const knownEnv = (env: string, where: string) => {
    if (server.environments.includes(env)) return true;
    problems.push(`${where}: environment ${env} does not exist (create it with \`flagstaff envs create ${env}\`)`);
    return false;
  };

  for (const [env, segments] of Object.entries(document.segments ?? {})) {
    if (!knownEnv(env, `segments.${env}`)) continue;
    for (const [key, desired] of Object.entries(segments)) {
      const current = server.segments[env]?.find((segment) => segment.key === key);
      const changes = diffFields(current ?? {}, desired, SEGMENT_FIELDS, current === undefined);
      steps.push({
        resource: 'segment',
        env,
        key,
        desired,
        current,
        action: actionFor(current, changes),
        changes,
        version: current?.version,
      });
    }
  }

  for (const [key, desired] of Object.entries(document.flags)) {
    const current = server.flags.find((flag) => flag.key === key);
    if (current?.archived) {
      problems.push(`flags.${key}: the flag is archived on the server (\`flagstaff flags unarchive ${key}\`, or take it out of the file)`);
      refused.add(key);
      continue;
    }
    if (current && desired.kind !== undefined && desired.kind !== current.kind) {
      problems.push(`flags.${key}: kind is ${current.kind} on the server and cannot become ${desired.kind}`);
      refused.add(key);
      continue;
    }
    const { environments: _environments, kind: _kind, ...definition } = desired;
    const changes = diffFields(current ?? {}, definition, DEFINITION_FIELDS, current === undefined);
    steps.push({ resource: 'flag', key, desired, action: actionFor(current, changes), changes, version: current?.version });

    for (const [env, state] of Object.entries(desired.environments ?? {})) {
      if (!knownEnv(env, `flags.${key}.environments.${env}`)) continue;
      const read = current?.environments[env];
      const stateChanges = diffFields(read ?? defaultState(desired.kind ?? 'boolean'), state, STATE_FIELDS, false);
      const action = current === undefined ? 'create' : stateChanges.length ? 'update' : 'unchanged';
      steps.push({ resource: 'state', key, env, desired: state, current: read, action, changes: stateChanges, version: read?.version });
    }
  }
  return { steps, problems, invalid: validateDocument(document, server, refused) };
}

/** A new flag's state in every environment (docs/api.md, "Flags"): off, and on would serve true / index 0. */
export function defaultState(kind: FlagKind): FlagStateInput {
  return { on: false, offVariation: 0, targets: [], rules: [], fallthrough: { variation: kind === 'boolean' ? 1 : 0 } };
}

function actionFor(current: unknown, changes: FieldChange[]): PlanAction {
  if (current === undefined) return 'create';
  return changes.length ? 'update' : 'unchanged';
}

/**
 * The managed fields whose desired value differs from the current one. On create every given field is
 * listed (from nothing), so the plan shows what will be made.
 */
export function diffFields(current: object, desired: object, fields: readonly string[], creating: boolean): FieldChange[] {
  const have = current as Record<string, unknown>;
  const want = desired as Record<string, unknown>;
  return fields
    .filter((field) => want[field] !== undefined && (creating || !sameValue(have[field], want[field])))
    .map((field) => ({ field, before: creating ? undefined : have[field], after: want[field] }));
}

/** Structural equality that ignores key order: the file's `{weights, bucketBy}` equals the server's `{bucketBy, weights}`. */
export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_key, inner: unknown) =>
      inner && typeof inner === 'object' && !Array.isArray(inner)
        ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : inner,
    ) ?? 'undefined'
  );
}

export function summarise(plan: Plan): Record<PlanAction, number> {
  const counts: Record<PlanAction, number> = { create: 0, update: 0, unchanged: 0 };
  for (const step of plan.steps) counts[step.action] += 1;
  return counts;
}
