// Query parameters (query.ts): times, limits, choices and audit cursors, each malformed one a 400
// invalid_query naming the parameter.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { decodeCursor, encodeCursor, parseChoice, parseLimit, parseTime } from './query.js';

const NOW = Date.parse('2026-06-15T12:00:00.000Z');

/** The invalid_query `fn` throws, as the wire shows it. */
function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return (error as ApiError).toBody().error;
  }
  throw new Error('expected a refusal');
}

describe('parseTime', () => {
  it.each<[string, number]>([
    ['15m', NOW - 15 * 60_000],
    ['1h', NOW - 3_600_000],
    ['7d', NOW - 7 * 86_400_000],
    ['2w', NOW - 14 * 86_400_000],
    ['30s', NOW - 30_000],
    [' 1h ', NOW - 3_600_000],
    ['2026-06-01', Date.parse('2026-06-01')],
    ['2026-06-01T10:00:00Z', Date.parse('2026-06-01T10:00:00Z')],
    ['2026-06-01T10:00:00+02:00', Date.parse('2026-06-01T08:00:00Z')],
  ])('reads %j', (value, ms) => {
    expect(parseTime('since', value, NOW)).toBe(ms);
  });

  it('leaves an absent parameter undefined', () => {
    expect(parseTime('since', undefined, NOW)).toBeUndefined();
  });

  it.each(['yesterday', '1y', '15', 'm15', '2026-13-45', '2026/06/01', ''])('refuses %j, naming the parameter', (value) => {
    expect(refusal(() => parseTime('until', value, NOW))).toEqual({
      code: 'invalid_query',
      message: `until: expected an ISO-8601 time or a duration such as 15m, 1h, 7d; got "${value}"`,
      details: { parameter: 'until' },
    });
  });
});

describe('parseLimit', () => {
  it.each<[string | undefined, number]>([
    [undefined, 50],
    ['1', 1],
    ['200', 200],
  ])('reads %j', (value, n) => {
    expect(parseLimit('limit', value, 50, 200)).toBe(n);
  });

  it.each(['0', '201', '-1', '1.5', '1e2', 'ten', ''])('refuses %j', (value) => {
    expect(refusal(() => parseLimit('limit', value, 50, 200))).toEqual({
      code: 'invalid_query',
      message: `limit: expected an integer from 1 to 200, not "${value}"`,
      details: { parameter: 'limit' },
    });
  });
});

describe('parseChoice', () => {
  it('reads a choice, and falls back when absent', () => {
    expect(parseChoice('archived', 'all', ['false', 'true', 'all'], 'false')).toBe('all');
    expect(parseChoice('archived', undefined, ['false', 'true', 'all'], 'false')).toBe('false');
  });

  it.each(['maybe', 'ALL', ''])('refuses %j, listing the choices', (value) => {
    expect(refusal(() => parseChoice('archived', value, ['false', 'true', 'all'], 'false')).message).toBe(
      `archived: expected one of false, true, all, not "${value}"`,
    );
  });
});

describe('audit cursors', () => {
  it.each([0, 1, 42, 999_999_999_999_999])('round-trips %i', (id) => {
    expect(decodeCursor(encodeCursor(id))).toBe(id);
  });

  it('is opaque: not the id in plain text', () => {
    expect(encodeCursor(42)).not.toContain('42');
  });

  it.each([
    'bm9wZQ',
    '',
    Buffer.from('a:').toString('base64url'),
    Buffer.from('a:-1').toString('base64url'),
    Buffer.from('a:1234567890123456').toString('base64url'),
  ])('refuses %j', (value) => {
    expect(refusal(() => decodeCursor(value))).toEqual({
      code: 'invalid_query',
      message: 'cursor: not a cursor from a previous page (nextCursor)',
      details: { parameter: 'cursor' },
    });
  });
});
