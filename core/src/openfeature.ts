// Flagstaff in the OpenFeature specification's words, for the Node and web providers and the server's OFREP
// endpoint alike: one flag, one context, the same reason wherever it is asked. The providers share their
// context and result translation from here and keep only what their paradigm needs (the server's async
// resolve with a context per call; the web's static context, synchronous resolve and events). Plain data,
// no `@openfeature/*` import: each provider's package brings its own enums.
import type { Context, ErrorKind, EvaluationDetail, Reason } from './model.js';

export type OpenFeatureReason = 'STATIC' | 'DEFAULT' | 'TARGETING_MATCH' | 'SPLIT' | 'DISABLED' | 'ERROR';

/**
 * A percentage rollout that decided is a SPLIT; a fallthrough on a flag without targets or rules
 * (`untargeted`) serves everyone the same value, which OpenFeature calls STATIC.
 */
export function openFeatureReason(reason: Reason, untargeted = false): OpenFeatureReason {
  switch (reason.kind) {
    case 'OFF':
      return 'DISABLED';
    case 'TARGET_MATCH':
      return 'TARGETING_MATCH';
    case 'RULE_MATCH':
      return reason.inRollout === true ? 'SPLIT' : 'TARGETING_MATCH';
    case 'FALLTHROUGH':
      if (reason.inRollout === true) return 'SPLIT';
      return untargeted ? 'STATIC' : 'DEFAULT';
    default:
      return 'ERROR';
  }
}

/** OpenFeature's error code for each of Flagstaff's error kinds (the values of its `ErrorCode` enum). */
export const OPENFEATURE_ERROR_CODES = {
  FLAG_NOT_FOUND: 'FLAG_NOT_FOUND',
  WRONG_TYPE: 'TYPE_MISMATCH',
  CLIENT_NOT_READY: 'PROVIDER_NOT_READY',
  MALFORMED_FLAG: 'PARSE_ERROR',
  EXCEPTION: 'GENERAL',
} as const satisfies Record<ErrorKind, string>;

export type OpenFeatureErrorCode = (typeof OPENFEATURE_ERROR_CODES)[ErrorKind];

/** OpenFeature names the user `targetingKey`; Flagstaff's contexts call it `key`. */
export function flagstaffContext(context: { targetingKey?: string; [attribute: string]: unknown } | null | undefined): Context {
  const { targetingKey, ...attributes } = context ?? {};
  return targetingKey === undefined ? attributes : { ...attributes, key: targetingKey };
}

/** OpenFeature's `ResolutionDetails`, field for field (`errorCode` as the string its `ErrorCode` enum holds). */
export interface OpenFeatureResolution<T> {
  value: T;
  variant?: string;
  reason: OpenFeatureReason | 'STALE';
  errorCode?: OpenFeatureErrorCode;
  errorMessage?: string;
  flagMetadata: Record<string, string | number | boolean>;
}

/**
 * An SDK's evaluation as OpenFeature resolution details. An error serves the caller's default with OpenFeature's
 * error code; any other answer is STALE when `stale()` says the SDK serves flags that may be out of date (each
 * SDK knows when: it is asked only then). `flagMetadata` carries Flagstaff's reason, `ruleId`, `inRollout`
 * and the detail's `source`.
 */
export function openFeatureResolution<T>(
  detail: EvaluationDetail<unknown> & { source: string },
  defaultValue: T,
  stale: () => boolean,
): OpenFeatureResolution<T> {
  const { reason, variationIndex } = detail;
  const flagMetadata: Record<string, string | number | boolean> = { reason: reason.kind, source: detail.source };
  if (reason.ruleId !== undefined) flagMetadata.ruleId = reason.ruleId;
  if (reason.inRollout !== undefined) flagMetadata.inRollout = reason.inRollout;
  if (reason.kind === 'ERROR') {
    const errorKind = reason.errorKind ?? 'EXCEPTION';
    return { value: defaultValue, reason: 'ERROR', errorCode: OPENFEATURE_ERROR_CODES[errorKind], errorMessage: errorKind, flagMetadata };
  }
  return {
    value: detail.value as T,
    variant: variationIndex === null ? undefined : String(variationIndex),
    reason: stale() ? 'STALE' : openFeatureReason(reason),
    flagMetadata,
  };
}
