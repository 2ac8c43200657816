// testValue's written-out tests are checked against operators.ts's in operators.test.ts, over its table.
import { describe, expect, it } from 'vitest';
import { readAttribute, readSite } from './clause-inline.js';

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
