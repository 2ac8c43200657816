import { describe, expect, it } from 'vitest';
import { epochMs } from './time.js';

describe('epochMs', () => {
  it.each([
    ['a date, read as UTC midnight', '2026-11-23', Date.UTC(2026, 10, 23)],
    ['a date-time with Z', '2026-11-23T10:30:00Z', Date.UTC(2026, 10, 23, 10, 30)],
    ['a date-time without seconds', '2026-11-23T10:30Z', Date.UTC(2026, 10, 23, 10, 30)],
    ['a date-time without an offset, read as UTC', '2026-11-23T10:30:00', Date.UTC(2026, 10, 23, 10, 30)],
    ['milliseconds', '2026-11-23T10:30:00.123Z', Date.UTC(2026, 10, 23, 10, 30, 0, 123)],
    ['a fraction of one digit', '2026-11-23T10:30:00.5Z', Date.UTC(2026, 10, 23, 10, 30, 0, 500)],
    ['a fraction beyond milliseconds, truncated', '2026-11-23T10:30:00.123456789Z', Date.UTC(2026, 10, 23, 10, 30, 0, 123)],
    ['a positive offset', '2026-11-23T12:30:00+02:00', Date.UTC(2026, 10, 23, 10, 30)],
    ['a negative offset', '2026-11-23T05:00:00-05:30', Date.UTC(2026, 10, 23, 10, 30)],
    ['lowercase t and z', '2026-11-23t10:30:00z', Date.UTC(2026, 10, 23, 10, 30)],
    ['29 February of a leap year', '2024-02-29', Date.UTC(2024, 1, 29)],
    ['a year before 100', '0050-06-01', new Date(Date.UTC(2000, 5, 1)).setUTCFullYear(50)],
    ['epoch milliseconds', 1_700_000_000_000, 1_700_000_000_000],
    ['a negative epoch', -86_400_000, -86_400_000],
  ])('reads %s', (_, value, expected) => {
    expect(epochMs(value)).toBe(expected);
  });

  it.each([
    ['30 February', '2024-02-30'],
    ['29 February of a common year', '2025-02-29'],
    ['31 April', '2026-04-31'],
    ['month 13', '2026-13-01'],
    ['day 0', '2026-01-00'],
    ['hour 24', '2026-01-01T24:00:00Z'],
    ['minute 60', '2026-01-01T10:60:00Z'],
    ['a leap second', '2026-12-31T23:59:60Z'],
    ['an offset without a colon', '2026-01-01T10:00:00+0200'],
    ['an offset of 24 hours', '2026-01-01T10:00:00+24:00'],
    ['an offset without a time', '2026-01-01Z'],
    ['a space instead of T', '2026-01-01 10:00:00Z'],
    ['a US date', '11/23/2026'],
    ['an RFC 2822 date', 'Mon, 23 Nov 2026 10:00:00 GMT'],
    ['a two-digit year', '26-11-23'],
    ['text', 'tomorrow'],
    ['an empty string', ''],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a boolean', true],
    ['null', null],
    ['an object', { at: '2026-01-01' }],
  ])('refuses %s', (_, value) => {
    expect(epochMs(value)).toBeUndefined();
  });
});
