// Structured logs: one JSON object per line on stdout, `{ time, level, msg, ...fields }`.
// Never pass a key or token in `fields`; log key ids (REFERENCE.md, "Security").
import type { LogLevel } from './config.js';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** An info line written whatever the level: lifecycle events operators and scripts wait for (`listening`). */
  announce(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stdout.write(line),
  base: LogFields = {},
): Logger {
  const emit = (at: LogLevel, msg: string, fields?: LogFields, force = false) => {
    if (!force && RANK[at] < RANK[level]) return;
    const entry = { time: new Date().toISOString(), level: at, msg, ...base, ...fields };
    write(`${JSON.stringify(entry, errorReplacer)}\n`);
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    announce: (msg, fields) => emit('info', msg, fields, true),
    child: (fields) => createLogger(level, write, { ...base, ...fields }),
  };
}

// Errors have no enumerable properties; without this they would log as `{}`.
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}
