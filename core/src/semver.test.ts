import { describe, expect, it } from 'vitest';
import { compareSemver, parseSemver } from './semver.js';

const order = (a: string, b: string) => Math.sign(compareSemver(parseSemver(a)!, parseSemver(b)!));

describe('parseSemver', () => {
  it.each([
    ['1.2.3', [1, 2, 3], []],
    ['0.0.0', [0, 0, 0], []],
    ['10.20.30', [10, 20, 30], []],
    ['1.0.0-alpha', [1, 0, 0], ['alpha']],
    ['1.0.0-alpha.1', [1, 0, 0], ['alpha', 1]],
    ['1.0.0-0.3.7', [1, 0, 0], [0, 3, 7]],
    ['1.0.0-x.7.z.92', [1, 0, 0], ['x', 7, 'z', 92]],
    ['1.0.0-x-y-z.--', [1, 0, 0], ['x-y-z', '--']],
    ['1.0.0-alpha+001', [1, 0, 0], ['alpha']],
    ['1.0.0+20130313144700', [1, 0, 0], []],
    ['1.0.0-beta+exp.sha.5114f85', [1, 0, 0], ['beta']],
    ['1.0.0-0a', [1, 0, 0], ['0a']],
  ])('reads %s', (text, release, prerelease) => {
    expect(parseSemver(text)).toEqual({ release, prerelease });
  });

  it.each([
    '1.2',
    '1',
    'v1.2.3',
    '1.2.3.4',
    '01.2.3',
    '1.02.3',
    '1.2.03',
    '1.2.3-01',
    '1.2.3-',
    '1.2.3+',
    '1.2.3-alpha..1',
    '1.2.3-al pha',
    ' 1.2.3',
    '1.2.3 ',
    '',
    '1234567890123456.0.0',
  ])('refuses %j', (text) => {
    expect(parseSemver(text)).toBeUndefined();
  });

  it.each([[123], [null], [undefined], [{ major: 1 }], [['1.2.3']]])('refuses the non-string %j', (value) => {
    expect(parseSemver(value)).toBeUndefined();
  });
});

describe('compareSemver', () => {
  it('orders versions by precedence as semver.org §11 lists them', () => {
    const ascending = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.1',
      '1.1.0',
      '2.0.0',
      '2.1.0',
      '2.1.1',
      '10.0.0',
    ];
    for (let i = 0; i < ascending.length; i++) {
      for (let j = 0; j < ascending.length; j++) {
        expect(order(ascending[i]!, ascending[j]!), `${ascending[i]} vs ${ascending[j]}`).toBe(Math.sign(i - j));
      }
    }
  });

  it('ignores build metadata', () => {
    expect(order('1.0.0+build.1', '1.0.0+build.2')).toBe(0);
    expect(order('1.0.0-rc.1+a', '1.0.0-rc.1')).toBe(0);
  });

  it('compares numeric identifiers as numbers and alphanumerics in ASCII order', () => {
    expect(order('1.0.0-2', '1.0.0-10')).toBe(-1);
    expect(order('1.0.0-B', '1.0.0-a')).toBe(-1);
    expect(order('1.0.0-999', '1.0.0-a')).toBe(-1);
  });
});
