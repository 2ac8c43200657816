import { describe, expect, it } from 'vitest';
import type { EvaluationDetail, Reason } from './model.js';
import { flagstaffContext, openFeatureReason, openFeatureResolution } from './openfeature.js';

describe('openFeatureReason', () => {
  it.each<[string, Reason, boolean, string]>([
    ['an off flag', { kind: 'OFF' }, false, 'DISABLED'],
    ['an individual target', { kind: 'TARGET_MATCH' }, false, 'TARGETING_MATCH'],
    ['a rule serving a variation', { kind: 'RULE_MATCH', ruleId: 'staff', ruleIndex: 0 }, false, 'TARGETING_MATCH'],
    ['a rule whose rollout decided', { kind: 'RULE_MATCH', ruleId: 'staff', ruleIndex: 0, inRollout: true }, false, 'SPLIT'],
    ['a fallthrough rollout', { kind: 'FALLTHROUGH', inRollout: true }, true, 'SPLIT'],
    ['a fallthrough past targets or rules', { kind: 'FALLTHROUGH' }, false, 'DEFAULT'],
    ['a flag without targeting', { kind: 'FALLTHROUGH' }, true, 'STATIC'],
    ['an error', { kind: 'ERROR', errorKind: 'FLAG_NOT_FOUND' }, false, 'ERROR'],
  ])('reads %s as %s', (_, reason, untargeted, expected) => {
    expect(openFeatureReason(reason, untargeted)).toBe(expected);
  });
});

describe('flagstaffContext', () => {
  it("makes OpenFeature's targetingKey the context's key and keeps every other attribute", () => {
    expect(flagstaffContext({ targetingKey: 'u-1', plan: 'pro' })).toEqual({ key: 'u-1', plan: 'pro' });
  });

  it('leaves a context without a targetingKey as it is, and reads no context as an empty one', () => {
    expect(flagstaffContext({ plan: 'pro' })).toEqual({ plan: 'pro' });
    expect(flagstaffContext(undefined)).toEqual({});
    expect(flagstaffContext(null)).toEqual({});
  });
});

describe('openFeatureResolution', () => {
  const served = (reason: Reason, variationIndex: number | null = 1): EvaluationDetail<unknown> & { source: string } => ({
    value: true,
    variationIndex,
    reason,
    source: 'server',
  });
  const fresh = () => false;

  it("serves the value with its variant, the mapped reason and Flagstaff's reason in the metadata", () => {
    expect(openFeatureResolution(served({ kind: 'RULE_MATCH', ruleId: 'half', ruleIndex: 0, inRollout: true }), false, fresh)).toEqual({
      value: true,
      variant: '1',
      reason: 'SPLIT',
      flagMetadata: { reason: 'RULE_MATCH', ruleId: 'half', inRollout: true, source: 'server' },
    });
  });

  it('says STALE when the SDK serves flags that may be out of date', () => {
    expect(openFeatureResolution(served({ kind: 'FALLTHROUGH' }), false, () => true)).toMatchObject({ value: true, reason: 'STALE' });
  });

  it.each([
    ['FLAG_NOT_FOUND', 'FLAG_NOT_FOUND'],
    ['WRONG_TYPE', 'TYPE_MISMATCH'],
    ['CLIENT_NOT_READY', 'PROVIDER_NOT_READY'],
    ['MALFORMED_FLAG', 'PARSE_ERROR'],
    ['EXCEPTION', 'GENERAL'],
  ] as const)('answers %s with the default, reason ERROR and error code %s, stale or not', (errorKind, errorCode) => {
    const detail = served({ kind: 'ERROR', errorKind }, null);
    expect(openFeatureResolution(detail, 'fallback', () => true)).toEqual({
      value: 'fallback',
      reason: 'ERROR',
      errorCode,
      errorMessage: errorKind,
      flagMetadata: { reason: 'ERROR', source: 'server' },
    });
  });
});
