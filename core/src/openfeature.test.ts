import { describe, expect, it } from 'vitest';
import type { Reason } from './model.js';
import { openFeatureReason } from './openfeature.js';

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
