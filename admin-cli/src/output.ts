// How results reach the operator: aligned tables for people, one JSON document for scripts (--json), colour
// only on a terminal and never when NO_COLOR is set (https://no-color.org). Data goes to stdout; prompts,
// notes, warnings and errors go to stderr, so `flagstaff export > flags.yaml` captures only the document.
import { type CliError, ServerRefusal } from './errors.js';
import type { Io, Writable } from './io.js';

export interface Style {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const sgr = (open: number, close: number) => (text: string) => `\x1b[${open}m${text}\x1b[${close}m`;
const coloured: Style = {
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  green: sgr(32, 39),
  yellow: sgr(33, 39),
  cyan: sgr(36, 39),
};
const identity = (text: string) => text;
const plain: Style = { bold: identity, dim: identity, red: identity, green: identity, yellow: identity, cyan: identity };

/** Colour when writing to a terminal, unless NO_COLOR (any non-empty value), TERM=dumb or --no-color says no. */
export function wantsColour(stream: Writable, env: Record<string, string | undefined>, flag = true): boolean {
  if (!flag || !stream.isTTY) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return env.TERM !== 'dumb';
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC is what an ANSI colour code starts with
const ANSI = /\x1b\[[0-9;]*m/g;
const visibleLength = (text: string) => text.replace(ANSI, '').length;

export class Output {
  readonly json: boolean;
  readonly style: Style;
  /** Styling for stderr, which may be a terminal when stdout is a pipe. */
  readonly errStyle: Style;
  readonly #io: Io;

  constructor(io: Io, options: { json: boolean; colour: boolean }) {
    this.#io = io;
    this.json = options.json;
    this.style = wantsColour(io.stdout, io.env, options.colour) ? coloured : plain;
    this.errStyle = wantsColour(io.stderr, io.env, options.colour) ? coloured : plain;
  }

  /** A command's result: the JSON document with --json, the human rendering otherwise. */
  result(value: unknown, human: () => void): void {
    if (this.json) this.#io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    else human();
  }

  line(text = ''): void {
    this.#io.stdout.write(`${text}\n`);
  }

  /** Raw text on stdout, e.g. an exported document. */
  write(text: string): void {
    this.#io.stdout.write(text);
  }

  table(headers: string[], rows: string[][]): void {
    const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => visibleLength(row[column] ?? ''))));
    const render = (cells: string[]) =>
      cells
        .map((cell, column) => (column === cells.length - 1 ? cell : cell + ' '.repeat(widths[column]! - visibleLength(cell))))
        .join('  ')
        .trimEnd();
    this.line(this.style.bold(render(headers.map((header) => header.toUpperCase()))));
    for (const row of rows) this.line(render(row));
  }

  /** Key/value lines for one record (`flags get`, `eval`). */
  fields(pairs: [string, string][]): void {
    const width = Math.max(...pairs.map(([name]) => name.length));
    for (const [name, value] of pairs) this.line(`${this.style.dim(name.padEnd(width))}  ${value}`);
  }

  /** Progress and confirmations for people; on stderr so they never pollute piped output. */
  note(text: string): void {
    this.#io.stderr.write(`${text}\n`);
  }

  warn(text: string): void {
    this.#io.stderr.write(`${this.errStyle.yellow('warning:')} ${text}\n`);
  }

  error(error: CliError): void {
    if (this.json) {
      const details = 'details' in error && error.details !== undefined ? { details: error.details } : {};
      const body = { error: { code: error.code, message: error.message, exitCode: error.exitCode, ...details } };
      this.#io.stderr.write(`${JSON.stringify(body)}\n`);
      return;
    }
    const issues = validationIssues(error);
    // The server's message of a validation error is its first issue ("path: message (and N more)"): with the
    // issues listed under it, that one would be read twice.
    const restated = issues.some((issue) => repeats(error.message, issue));
    const message = restated ? 'the server refused the request as invalid:' : error.message;
    this.#io.stderr.write(`${this.errStyle.red('error:')} ${message}\n`);
    for (const issue of issues) this.#io.stderr.write(`  - ${issue.path}: ${issue.message}\n`);
    if (error.hint) this.#io.stderr.write(`${this.errStyle.dim('hint:')} ${error.hint}\n`);
  }
}

/** docs/api.md: `validation_failed` lists what broke as `details.issues`. */
function validationIssues(error: CliError): { path: string; message: string }[] {
  if (!(error instanceof ServerRefusal)) return [];
  const issues = (error.details as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(issues)) return [];
  return issues.map((issue: { path?: unknown; message?: unknown }) => ({
    path: String(issue?.path ?? '(body)') || '(body)',
    message: String(issue?.message ?? ''),
  }));
}

function repeats(message: string, issue: { path: string; message: string }): boolean {
  const said = [`${issue.path}: ${issue.message}`, issue.message];
  return said.some((text) => message === text || message.startsWith(`${text} (and `));
}
