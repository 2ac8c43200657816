// The OpenFeature Remote Evaluation Protocol's view of an evaluation (open-feature/protocol,
// service/openapi.yaml): its context (`targetingKey`), its reasons, its error codes and bodies.
import { createHash } from 'node:crypto';
import {
  evaluate,
  validateContext,
  type Context,
  type EvaluationDetail,
  type Flag,
  type JsonValue,
  type PreparedSnapshot,
} from '@flagstaff/core';
import { openFeatureReason } from '@flagstaff/core/openfeature';

export type OfrepErrorCode = 'PARSE_ERROR' | 'TARGETING_KEY_MISSING' | 'INVALID_CONTEXT' | 'GENERAL' | 'FLAG_NOT_FOUND';

export interface OfrepSuccess {
  key: string;
  value: JsonValue;
  reason: string;
  variant: string;
  metadata: Record<string, string | number | boolean>;
}

export interface OfrepFailure {
  key: string;
  errorCode: OfrepErrorCode;
  errorDetails: string;
}

export type OfrepResult = OfrepSuccess | OfrepFailure;

/** The HTTP status of a single-flag failure. */
export const FAILURE_STATUS: Record<OfrepErrorCode, 400 | 404 | 500> = {
  PARSE_ERROR: 400,
  TARGETING_KEY_MISSING: 400,
  INVALID_CONTEXT: 400,
  FLAG_NOT_FOUND: 404,
  GENERAL: 500,
};

export class OfrepRequestError extends Error {
  constructor(
    readonly errorCode: OfrepErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** `{ context: { targetingKey, ...attributes } }` → a Flagstaff context, whose `key` is the targeting key. */
export function contextOf(body: unknown): Context {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new OfrepRequestError('PARSE_ERROR', 'the body must be a JSON object');
  const raw = (body as { context?: unknown }).context;
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new OfrepRequestError('INVALID_CONTEXT', 'context must be an object');
  const { targetingKey, ...attributes } = raw as Record<string, unknown>;
  if (targetingKey !== undefined && typeof targetingKey !== 'string') {
    throw new OfrepRequestError('INVALID_CONTEXT', 'targetingKey must be a string');
  }
  const checked = validateContext(targetingKey === undefined ? attributes : { ...attributes, key: targetingKey });
  if (!checked.ok) {
    const issue = checked.issues[0]!;
    throw new OfrepRequestError('INVALID_CONTEXT', `context${issue.path ? `.${issue.path}` : ''}: ${issue.message}`);
  }
  return checked.value;
}

/** The rollout that decided `detail`, if one did. */
function decidingRollout(detail: EvaluationDetail, flag: Flag) {
  if (!detail.reason.inRollout) return undefined;
  const serve = detail.reason.kind === 'RULE_MATCH' ? flag.rules[detail.reason.ruleIndex ?? -1]?.serve : flag.fallthrough;
  return serve && 'rollout' in serve ? serve.rollout : undefined;
}

/** Evaluates one flag of an audience's view (`visible`) with core's evaluator. */
export function evaluateForOfrep(prepared: PreparedSnapshot, visible: Record<string, Flag>, key: string, context: Context): OfrepResult {
  // Own keys only: `constructor` or `toString` must not find Object.prototype's (nor, for a client key,
  // reach a server-only flag of that name through the full snapshot evaluated below).
  const flag = Object.hasOwn(visible, key) ? visible[key] : undefined;
  if (flag === undefined) return { key, errorCode: 'FLAG_NOT_FOUND', errorDetails: `flag "${key}" does not exist in this environment` };
  const detail = evaluate(prepared, key, context, null as JsonValue);
  if (detail.reason.kind === 'ERROR' || detail.variationIndex === null) {
    return { key, errorCode: 'GENERAL', errorDetails: `flag "${key}" could not be evaluated (${detail.reason.errorKind ?? 'error'})` };
  }
  // A percentage split over a missing key would put every anonymous caller in bucket 0: say so instead.
  const rollout = decidingRollout(detail, flag);
  if (rollout !== undefined && (!Object.hasOwn(context, rollout.bucketBy) || context[rollout.bucketBy] === undefined)) {
    return {
      key,
      errorCode: rollout.bucketBy === 'key' ? 'TARGETING_KEY_MISSING' : 'INVALID_CONTEXT',
      errorDetails:
        rollout.bucketBy === 'key'
          ? `flag "${key}" is rolled out by percentage: give a targetingKey`
          : `flag "${key}" is rolled out by "${rollout.bucketBy}": give that attribute`,
    };
  }
  const metadata: OfrepSuccess['metadata'] = { flagVersion: flag.version };
  if (detail.reason.ruleId !== undefined) metadata.ruleId = detail.reason.ruleId;
  if (detail.reason.valueTooLong) metadata.valueTooLong = true;
  return {
    key,
    value: detail.value,
    reason: openFeatureReason(detail.reason, flag.targets.length === 0 && flag.rules.length === 0),
    variant: String(detail.variationIndex),
    metadata,
  };
}

/** Bulk results depend on the environment version, the audience and the context: so does their ETag. */
export function bulkTag(version: number, audience: string, context: Context): string {
  const hash = createHash('sha256')
    .update(`${version}\n${audience}\n${stableJson(context)}`)
    .digest('base64url');
  return `"${hash.slice(0, 27)}"`;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
