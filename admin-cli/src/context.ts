// What every command action gets: its options (own and global), an Output, the admin API client and the
// production guard. Commands stay small because the plumbing lives here once.
import { type Command, Option } from 'commander';
import { AdminApi } from './api.js';
import { configPath, readLogin, resolveConnection } from './config.js';
import { confirmChange } from './confirm.js';
import type { Io } from './io.js';
import { Output } from './output.js';
import { parsePositiveInt, parseReason } from './parse.js';

export interface GlobalOptions {
  url?: string;
  token?: string;
  json?: boolean;
  /** false with --no-color */
  color: boolean;
}

export interface WriteOptions {
  yes?: boolean;
  reason?: string;
  ifMatch?: string;
}

export class CommandContext<Options extends object = object> {
  readonly options: GlobalOptions & WriteOptions & Options;
  readonly out: Output;

  constructor(
    readonly io: Io,
    command: Command,
  ) {
    this.options = command.optsWithGlobals();
    this.out = outputFor(io, this.options);
  }

  async api(): Promise<AdminApi> {
    const stored = await readLogin(configPath(this.io.env));
    const connection = resolveConnection(this.options, this.io.env, stored);
    const reason = this.options.reason === undefined ? undefined : parseReason(this.options.reason);
    return new AdminApi({ ...connection, reason, fetch: this.io.fetch });
  }

  /** `--if-match`: the version a script read and means to change, if given. */
  ifMatch(): number | undefined {
    return this.options.ifMatch === undefined ? undefined : parsePositiveInt(this.options.ifMatch, '--if-match');
  }

  /** Asks (or refuses) before a change to production; see confirm.ts. */
  confirm(summary: string, envs: string[], always = false): Promise<void> {
    return confirmChange(this.io, { summary, envs, always }, Boolean(this.options.yes));
  }
}

export function outputFor(io: Io, options: Partial<GlobalOptions>): Output {
  return new Output(io, { json: Boolean(options.json), colour: options.color !== false });
}

/** Every command that changes something takes --reason (stored in the audit entry)… */
export const reasonOption = () => new Option('--reason <text>', 'why, for the audit log (sent as X-Flagstaff-Reason)');

/** …and --yes, which answers the production confirmation in advance (confirm.ts). */
export const yesOption = () => new Option('-y, --yes', 'do not ask for confirmation (needed for production when stdin is not a terminal)');

/** For commands that change one flag state: optimistic concurrency for scripts. */
export const ifMatchOption = () =>
  new Option('--if-match <version>', 'change it only if it is still at this version (see `flags get --json`); otherwise exit 1');

/** The "Examples:" section of a command's --help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}
