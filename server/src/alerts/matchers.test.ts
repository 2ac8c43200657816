import { describe, expect, it } from 'vitest';
import type { LabelMatcher } from '@flagstaff/core/admin';
import { compileMatcher, labelMatcherSchema } from './matchers.js';

const labels = { flag: 'new-checkout', env: 'prod', service: 'web' };

describe('compileMatcher (Prometheus semantics)', () => {
  it.each<[LabelMatcher, boolean]>([
    [{ label: 'env', op: '=', value: 'prod' }, true],
    [{ label: 'env', op: '=', value: 'pro' }, false],
    [{ label: 'env', op: '!=', value: 'staging' }, true],
    [{ label: 'env', op: '!=', value: 'prod' }, false],
    [{ label: 'missing', op: '=', value: '' }, true],
    [{ label: 'missing', op: '!=', value: 'x' }, true],
    [{ label: 'service', op: '=~', value: 'web|api' }, true],
    [{ label: 'service', op: '=~', value: 'we' }, false],
    [{ label: 'flag', op: '=~', value: 'new-.*' }, true],
    [{ label: 'missing', op: '=~', value: '.+' }, false],
  ])('%j → %s', (matcher, expected) => expect(compileMatcher(matcher)(labels)).toBe(expected));
});

describe('labelMatcherSchema', () => {
  it.each([
    [{ label: 'env', op: '=~', value: '(' }, /not a regular expression/],
    [{ label: '1bad', op: '=', value: 'x' }, /label name/],
    [{ label: 'env', op: '==', value: 'x' }, /op is one of/],
  ])('refuses %j', (input, message) => {
    const result = labelMatcherSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toMatch(message);
  });
});
