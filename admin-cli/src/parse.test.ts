import { describe, expect, it } from 'vitest';
import { UsageError } from './errors.js';
import { collectKeys, findVariation, parsePercentage, parseReason, parseTime, parseVariations } from './parse.js';

describe('parsePercentage', () => {
  it.each([
    ['0', 0],
    ['25', 25_000],
    ['100', 100_000],
    ['0.5', 500],
    ['12.25', 12_250],
    ['33.333', 33_333],
    ['0.001', 1],
    [' 7 ', 7_000],
  ])('reads %j as %i thousandths of a percent', (text, thousandths) => {
    expect(parsePercentage(text)).toBe(thousandths);
  });

  it.each(['-1', '101', '100.001', 'NaN', 'abc', '', '1e2', '0.0001', '25%', '.5', 'Infinity'])('refuses %j as a usage error', (text) => {
    expect(() => parsePercentage(text)).toThrow(UsageError);
    expect(() => parsePercentage(text)).toThrow(/from 0 to 100/);
  });
});

describe('collectKeys', () => {
  it('splits commas, trims, drops empties and duplicates across repeated options', () => {
    expect(collectKeys('user-2', collectKeys(' user-1, ,user-2 '))).toEqual(['user-1', 'user-2']);
  });
});

describe('parseVariations', () => {
  it('reads comma lists for string flags and numbers for number flags', () => {
    expect(parseVariations('red, green,blue', 'string')).toEqual(['red', 'green', 'blue']);
    expect(parseVariations('10,20.5', 'number')).toEqual([10, 20.5]);
  });

  it('reads a JSON array for any kind', () => {
    expect(parseVariations('[{"max":10},{"max":50}]', 'json')).toEqual([{ max: 10 }, { max: 50 }]);
    expect(parseVariations('["a,b","c"]', 'string')).toEqual(['a,b', 'c']);
  });

  it.each([
    ['10,ten', 'number', /not a number/],
    ['{"a":1}', 'json', /JSON array/],
    ['[1,', 'json', /not valid JSON/],
    ['', 'string', /at least one/],
  ] as const)('refuses %j for a %s flag', (text, kind, message) => {
    expect(() => parseVariations(text, kind)).toThrow(message);
  });
});

describe('findVariation', () => {
  it('matches strings as typed and other values by their JSON form', () => {
    expect(findVariation([false, true], 'true')).toBe(1);
    expect(findVariation(['red', 'true'], 'true')).toBe(1);
    expect(findVariation([10, 42], '42')).toBe(1);
    expect(findVariation([{ max: 10 }, { max: 50 }], '{ "max": 50 }')).toBe(1);
  });

  it('lists the variations when none matches', () => {
    expect(() => findVariation(['red', 'green'], 'blue')).toThrow('"blue" is not one of this flag\'s variations: red, green');
  });
});

describe('parseTime', () => {
  it.each(['15m', '1h', '7d', '2w', '2026-11-23T10:00:00Z', '2026-11-23'])('accepts %s', (text) => {
    expect(parseTime(text, '--since')).toBe(text);
  });

  it.each(['yesterday', '1 hour', '-1h', '2026-13-45'])('refuses %s', (text) => {
    expect(() => parseTime(text, '--since')).toThrow(UsageError);
  });
});

describe('parseReason', () => {
  it('allows 500 characters and refuses more', () => {
    expect(parseReason('é'.repeat(500))).toHaveLength(500);
    expect(() => parseReason('x'.repeat(501))).toThrow(/500 characters/);
  });
});
