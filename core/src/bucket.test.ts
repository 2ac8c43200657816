import murmurhash from 'murmurhash';
import { describe, expect, it } from 'vitest';
import { BUCKETS, bucketInput, bucketOf, bucketSeed, bucketWith } from './bucket.js';
import { bucketFrom, bucketSeed as seedOnServers } from './bucket-from.js';
import { bucketFrom as bucketFromInBrowsers, bucketSeed as seedInBrowsers } from './bucket-from.browser.js';
import { murmur3, murmur3From, murmur3Prefix } from './murmur3.js';
import { mulberry32 } from './testing/random.js';

// Code units drawn from every UTF-8 width and from the surrogate range, paired and lone.
const RANGES: [number, number][] = [
  [0x20, 0x7e],
  [0x00, 0x7f],
  [0x80, 0x7ff],
  [0x800, 0xd7ff],
  [0xe000, 0xffff],
  [0xd800, 0xdbff],
  [0xdc00, 0xdfff],
];

function randomString(next: () => number): string {
  const length = Math.floor(next() * 40);
  let s = '';
  for (let i = 0; i < length; i++) {
    if (next() < 0.1) {
      // A well-formed surrogate pair: a code point above U+FFFF, 4 bytes in UTF-8.
      const cp = 0x10000 + Math.floor(next() * 0xfffff);
      s += String.fromCodePoint(cp);
      continue;
    }
    const [lo, hi] = RANGES[Math.floor(next() * RANGES.length)]!;
    s += String.fromCharCode(lo + Math.floor(next() * (hi - lo + 1)));
  }
  return s;
}

describe('murmur3', () => {
  it('equals the murmurhash package (v3, UTF-8) over 100,000 random strings, non-ASCII and lone surrogates included', () => {
    const next = mulberry32(20261123);
    let nonAscii = 0;
    let loneSurrogates = 0;
    const mismatches: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      const text = randomString(next);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the whole ASCII range, control characters included
      if (/[^\x00-\x7f]/.test(text)) nonAscii++;
      if (/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text)) loneSurrogates++;
      const seed = i % 3 === 0 ? Math.floor(next() * 0xffffffff) : 0;
      if (murmur3(text, seed) !== murmurhash.v3(text, seed)) mismatches.push(`${JSON.stringify(text)} seed ${seed}`);
    }
    expect(mismatches).toEqual([]);
    // The sample really covers what it claims to.
    expect(nonAscii).toBeGreaterThan(80_000);
    expect(loneSurrogates).toBeGreaterThan(20_000);
  });

  it('continues from a hashed prefix (a seed and ":") exactly as if hashing the whole string', () => {
    const next = mulberry32(7);
    const mismatches: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      // As bucketing uses it: the prefix ends with ":", never inside a surrogate pair.
      const prefix = `${randomString(next)}:`;
      const rest = randomString(next);
      if (murmur3From(murmur3Prefix(prefix), rest) !== murmurhash.v3(prefix + rest)) mismatches.push(prefix + rest);
    }
    expect(mismatches).toEqual([]);
  });

  it.each([
    ['the fast path for servers', (seed: string, value: string) => bucketFrom(seedOnServers(seed), value)],
    ['the one-shot hash for browsers', (seed: string, value: string) => bucketFromInBrowsers(seedInBrowsers(seed), value)],
  ])('buckets ASCII values (%s) as the package does, after seeds of every alignment', (_, bucket) => {
    const next = mulberry32(11);
    const mismatches: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const seed = 's'.repeat(i % 4);
      let value = '';
      for (let n = i % 41; n > 0; n--) value += String.fromCharCode(0x20 + Math.floor(next() * 0x5f));
      // Now and then a non-ASCII character late in the value, where the fast path must hand over.
      if (i % 7 === 0) value += 'é';
      if (bucket(seed, value) !== murmurhash.v3(`${seed}:${value}`, 0) % 100_000) mismatches.push(`${seed}:${value}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('buckets any value the same on servers and in browsers', () => {
    const next = mulberry32(13);
    const mismatches: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const seed = randomString(next);
      const value = randomString(next);
      if (bucketFrom(seedOnServers(seed), value) !== bucketFromInBrowsers(seedInBrowsers(seed), value)) mismatches.push(`${seed}:${value}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('handles the edge cases of block alignment and encoding', () => {
    const cases = [
      '',
      'a',
      'ab',
      'abc',
      'abcd',
      'abcde',
      'é',
      '€',
      '😀',
      '\ud800',
      '\udfff',
      '\udc00\ud800',
      'a\u0000b',
      'x'.repeat(10_000),
    ];
    for (const text of cases) expect(murmur3(text)).toBe(murmurhash.v3(text));
  });
});

describe('bucketOf', () => {
  it('is murmur3_x86_32(utf8(seed + ":" + value), 0) % 100000', () => {
    const next = mulberry32(99);
    const mismatches: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const seed = randomString(next);
      const value = randomString(next);
      const expected = murmurhash.v3(`${seed}:${value}`, 0) % 100_000;
      if (bucketOf(seed, value) !== expected || bucketWith(bucketSeed(seed), value) !== expected) {
        mismatches.push(`${JSON.stringify(seed)} ${JSON.stringify(value)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('gives the documented buckets (docs/bucketing.md)', () => {
    expect(BUCKETS).toBe(100_000);
    expect(bucketOf('new-checkout', 'user-1')).toBe(murmurhash.v3('new-checkout:user-1') % 100_000);
    expect(bucketOf('new-checkout', 'user-1')).toBe(40_631);
  });
});

describe('bucketInput', () => {
  it.each([
    ['a string as it is', 'user-1', 'user-1'],
    ['an empty string as it is', '', ''],
    ['an integer as String(n)', 42, '42'],
    ['a fraction as String(n)', 0.5, '0.5'],
    ['a large number as String(n)', 1e21, '1e+21'],
    ['negative zero as "0"', -0, '0'],
  ])('reads %s', (_, value, expected) => {
    expect(bucketInput(value)).toBe(expected);
  });

  it.each([
    ['missing', undefined],
    ['null', null],
    ['a boolean', true],
    ['an array', ['user-1']],
    ['an object', { id: 1 }],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('treats %s as missing', (_, value) => {
    expect(bucketInput(value)).toBeUndefined();
  });
});
