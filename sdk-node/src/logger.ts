// The SDK talks only through the application's logger, and by default not at all: a library that prints
// on its own ends up in someone's pager. Pass `console`, pino, winston… anything with these methods.

export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LEVELS)[number];

const ignore = () => {};

export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/** Console output from `level` up, each line prefixed with `[flagstaff]`. */
export function consoleLogger(level: LogLevel = 'info'): Logger {
  const from = LEVELS.indexOf(level);
  const at = (l: LogLevel) =>
    LEVELS.indexOf(l) < from ? ignore : (message: string, ...details: unknown[]) => console[l](`[flagstaff] ${message}`, ...details);
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** The application's logger, with missing methods filled in and its own failures swallowed. */
export function safeLogger(logger: Partial<Logger> | undefined): Logger {
  if (logger === undefined) return silentLogger;
  const method =
    (l: LogLevel) =>
    (message: string, ...details: unknown[]) => {
      try {
        logger[l]?.call(logger, message, ...details);
      } catch {
        // A broken logger must not break flag evaluation or the stream.
      }
    };
  return { debug: method('debug'), info: method('info'), warn: method('warn'), error: method('error') };
}
