// Parsers for what operators type. Each turns text into a typed value or throws a UsageError (exit 2) that
// says what was expected, before anything is sent to the server.
import type { FlagKind, JsonValue } from '@flagstaff/core';
import { UsageError } from './errors.js';

/** Weights are in thousandths of a percent (DESIGN.md, "Bucketing"), so 0.001 % is the finest step. */
export function parsePercentage(text: string): number {
  const match = /^(\d{1,3})(?:\.(\d{1,3}))?$/.exec(text.trim());
  const thousandths = match ? Number(match[1]) * 1000 + Number((match[2] ?? '').padEnd(3, '0')) : NaN;
  if (!(thousandths >= 0 && thousandths <= 100_000)) {
    throw new UsageError(
      `percentage must be a number from 0 to 100 with at most 3 decimals, not "${text}"`,
      'e.g. `flagstaff rollout new-checkout 25 --env production` or 0.5 for half a percent',
    );
  }
  return thousandths;
}

/** `--add user-1,user-2 --add user-3` → ['user-1', 'user-2', 'user-3']; commander calls this per occurrence. */
export function collectKeys(value: string, previous: string[] = []): string[] {
  const keys = value
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean);
  return [...new Set([...previous, ...keys])];
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parseJson(text: string, what: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new UsageError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

export function parseJsonObject(text: string, what: string): Record<string, JsonValue> {
  const value = parseJson(text, what);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`${what} must be a JSON object, e.g. '{"key":"user-1","country":"NL"}'`);
  }
  return value;
}

/**
 * `--variations` for a new flag: a JSON array (`'["red","green"]'`, required for json flags), or a comma
 * list for string and number flags (`red,green`, `10,20`).
 */
export function parseVariations(text: string, kind: FlagKind): JsonValue[] {
  const trimmed = text.trim();
  let variations: JsonValue[];
  if (trimmed.startsWith('[')) {
    const value = parseJson(trimmed, '--variations');
    if (!Array.isArray(value)) throw new UsageError('--variations must be a JSON array');
    variations = value;
  } else if (kind === 'json') {
    throw new UsageError(`--variations for a json flag must be a JSON array, e.g. '[{"limit":10},{"limit":50}]'`);
  } else {
    variations = trimmed.split(',').map((item) => item.trim());
    if (kind === 'number') variations = variations.map((item) => toNumber(item as string));
  }
  if (variations.length === 0 || (variations.length === 1 && variations[0] === '')) {
    throw new UsageError('--variations needs at least one variation');
  }
  return variations;
}

function toNumber(text: string): number {
  const value = Number(text);
  if (text === '' || !Number.isFinite(value)) throw new UsageError(`"${text}" is not a number`);
  return value;
}

/**
 * Finds a variation by what the operator sees: `true`, `blue`, `42`, `{"limit":10}`. Strings match as typed;
 * other values match their JSON form, so `--variation 42` on a number flag means the value 42, not index 42.
 */
export function findVariation(variations: JsonValue[], ref: string, option = '--variation'): number {
  const canonical = (() => {
    try {
      return JSON.stringify(JSON.parse(ref));
    } catch {
      return undefined;
    }
  })();
  const index = variations.findIndex((variation) =>
    typeof variation === 'string' ? variation === ref : JSON.stringify(variation) === canonical,
  );
  if (index === -1) {
    const choices = variations.map((variation) => formatValue(variation)).join(', ');
    throw new UsageError(`${option} "${ref}" is not one of this flag's variations: ${choices}`);
  }
  return index;
}

export function formatValue(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `--since 1h` / `--since 2026-11-23T10:00:00Z`, the two forms the audit API accepts. */
export function parseTime(text: string, option: string): string {
  if (/^\d+[smhdw]$/.test(text) || (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(Date.parse(text)))) {
    return text;
  }
  throw new UsageError(`${option} takes a duration back from now (15m, 1h, 7d, 2w) or an ISO-8601 time, not "${text}"`);
}

export function parsePositiveInt(text: string, option: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 1) throw new UsageError(`${option} must be a whole number above 0, not "${text}"`);
  return value;
}

export const MAX_REASON = 500;

export function parseReason(text: string): string {
  const reason = text.trim();
  if ([...reason].length > MAX_REASON) {
    throw new UsageError(`--reason is limited to ${MAX_REASON} characters (it is stored in the audit log)`);
  }
  return reason;
}
