// testValue's written-out tests are checked against operators.ts's in operators.test.ts, over its table.
import { describe, expect, it } from 'vitest';
import { internName, ownKey, readAttribute, readSite } from './clause-inline.js';
import * as inBrowsers from './clause-inline.browser.js';

describe('attribute read sites', () => {
  it('gives a name the same site every time, and every name a site that reads it', () => {
    const names = Array.from({ length: 20 }, (_, i) => `attribute-${i}`);
    const sites = names.map(readSite);
    expect(names.map(readSite)).toEqual(sites);
    expect(new Set(sites).size).toBeGreaterThan(1);
    const context = Object.fromEntries(names.map((name, i) => [name, i]));
    names.forEach((name, i) => expect(readAttribute(context, name, sites[i]!)).toBe(i));
    expect(readAttribute(context, 'missing', readSite('missing'))).toBeUndefined();
  });
});

describe('the context key and attribute names, on servers and in browsers', () => {
  class WithKeyGetter {
    get key() {
      return 'from-prototype';
    }
  }
  it.each([
    ['a plain object with a string key', { key: 'user-1' }, 'user-1'],
    ['an empty key', { key: '' }, ''],
    ['a numeric key', { key: 5 }, undefined],
    ['no key', { plan: 'pro' }, undefined],
    ['a key inherited from another object', Object.create({ key: 'inherited' }), undefined],
    ['a key from a class getter', new WithKeyGetter(), undefined],
    ['an own key on a null-prototype object', Object.assign(Object.create(null), { key: 'bare' }), 'bare'],
    ['an own key on a class instance', Object.defineProperty(new WithKeyGetter(), 'key', { value: 'own' }), 'own'],
  ])('read the own string key of %s alike', (_, context, expected) => {
    expect(ownKey(context)).toBe(expected);
    expect(inBrowsers.ownKey(context)).toBe(expected);
  });

  it('keeps attribute names as they are (servers only internalize them)', () => {
    for (const name of ['email', '', '__proto__', 'a.b', 'é']) {
      expect(internName(JSON.parse(JSON.stringify(name)))).toBe(name);
      expect(inBrowsers.internName(name)).toBe(name);
    }
  });
});
