import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { parseMatch } from './kill-rules.js';

describe('parseMatch (--match, Prometheus matcher syntax)', () => {
  it.each([
    ['flag=new-checkout', { label: 'flag', op: '=', value: 'new-checkout' }],
    ['env!=staging', { label: 'env', op: '!=', value: 'staging' }],
    ['service=~web|api', { label: 'service', op: '=~', value: 'web|api' }],
    ['severity="page"', { label: 'severity', op: '=', value: 'page' }],
    ['a=b=c', { label: 'a', op: '=', value: 'b=c' }],
    ['empty=', { label: 'empty', op: '=', value: '' }],
  ])('%s → %j', (text, matcher) => expect(parseMatch(text)).toEqual(matcher));

  it.each(['=x', 'novalue', '1label=x'])('refuses %s as a usage error', (text) => {
    expect(() => parseMatch(text)).toThrow(UsageError);
  });
});
