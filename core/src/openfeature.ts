// Flagstaff's reasons in the OpenFeature specification's words, for the Node and web providers and the
// server's OFREP endpoint alike: one flag, one context, the same reason wherever it is asked.
import type { ErrorKind, Reason } from './model.js';

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
