// Query parameters: malformed ones are a 400 invalid_query naming the parameter.
import { ApiError } from '../errors.js';

export const invalidQuery = (name: string, message: string) => new ApiError('invalid_query', `${name}: ${message}`, { parameter: name });

const DURATION = /^(\d{1,9})(s|m|h|d|w)$/;
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([Tt ][\d:.]+([Zz]|[+-]\d{2}:?\d{2})?)?$/;

/** An ISO-8601 time, or a duration back from `now` (`15m`, `1h`, `7d`), as epoch ms. */
export function parseTime(name: string, value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const duration = DURATION.exec(value.trim());
  if (duration) return now - Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS];
  const ms = ISO_DATE.test(value.trim()) ? Date.parse(value.trim()) : NaN;
  if (Number.isNaN(ms)) throw invalidQuery(name, `expected an ISO-8601 time or a duration such as 15m, 1h, 7d; got "${value}"`);
  return ms;
}

export function parseLimit(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max) throw invalidQuery(name, `expected an integer from 1 to ${max}, not "${value}"`);
  return n;
}

export function parseChoice<T extends string>(name: string, value: string | undefined, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw invalidQuery(name, `expected one of ${choices.join(', ')}, not "${value}"`);
  }
  return value as T;
}

/** Audit cursors are opaque to callers: the base64url of the last entry id seen. */
export const encodeCursor = (id: number) => Buffer.from(`a:${id}`).toString('base64url');

export function decodeCursor(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^a:(\d{1,15})$/.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (!match) throw invalidQuery('cursor', 'not a cursor from a previous page (nextCursor)');
  return Number(match[1]);
}
