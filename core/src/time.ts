// Instants for the `before`/`after` operators: ISO-8601 strings or epoch milliseconds.
// Date.parse alone will not do: outside the one format ECMAScript specifies, engines disagree; a
// date-time without an offset is read as *local* time (so a flag would answer differently on a server
// in UTC and a laptop in Berlin); and V8 rolls 2024-02-30 over into March. So the string is checked
// here, a missing offset means UTC, and it is rewritten into the specified format before parsing.

// date, then optionally T hh:mm[:ss[.fraction]] and an offset (Z or ±hh:mm)
const ISO_8601 =
  /^(\d{4}-(?:0[1-9]|1[0-2])-(\d\d))(?:T((?:[01]\d|2[0-3]):[0-5]\d)(?::([0-5]\d)(?:\.(\d+))?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?)?$/i;

/** Milliseconds since the epoch for an ISO-8601 string or a finite number of ms; undefined for anything else. */
export function epochMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  const m = typeof value === 'string' ? ISO_8601.exec(value) : null;
  if (m === null) return undefined;
  const [, date, day, hhmm = '00:00', ss = '00', fraction = '', offset = 'Z'] = m;
  const midnight = Date.parse(date!);
  // A day the month does not have comes back as another day of another month.
  if (new Date(midnight).getUTCDate() !== Number(day)) return undefined;
  return Date.parse(`${date}T${hhmm}:${ss}.${fraction.slice(0, 3).padEnd(3, '0')}${offset.toUpperCase()}`);
}
