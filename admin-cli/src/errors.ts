// Every way a command can fail maps to one exit code, so scripts can tell a refusal from a typo from an outage.

export const EXIT = {
  ok: 0,
  /** The server understood and said no (validation, conflict, auth, not found). */
  refused: 1,
  /** The command line (or a file it names) is wrong: nothing was sent. */
  usage: 2,
  /** The server could not be reached, or answered as if it were down (502/503/504). */
  unreachable: 3,
  /** `--wait`: the change was made, but the deadline passed before every connected SDK applied it. */
  short: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export abstract class CliError extends Error {
  abstract readonly exitCode: ExitCode;
  /** A stable machine-readable code, shown in `--json` error output. */
  abstract readonly code: string;
  constructor(
    message: string,
    /** One extra line telling the operator what to do next. */
    public hint?: string,
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  readonly exitCode = EXIT.usage;
  readonly code = 'usage';
}

/** The server answered with an error body (docs/api.md, "Errors"). */
export class ServerRefusal extends CliError {
  readonly exitCode = EXIT.refused;
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export class Unreachable extends CliError {
  readonly exitCode = EXIT.unreachable;
  readonly code = 'unreachable';
}

/** `apply` found the file and the server incompatible (unknown environment, a kind change, an archived flag). */
export class PlanRefused extends CliError {
  readonly exitCode = EXIT.refused;
  readonly code = 'plan_invalid';
}

/** `apply` went through, but some steps were refused (a concurrent edit, a validation error). */
export class ApplyIncomplete extends CliError {
  readonly exitCode = EXIT.refused;
  readonly code = 'apply_incomplete';
}

/** The operator answered "no" at a confirmation prompt: nothing changed, which is not a failure of the tool. */
export class Declined extends CliError {
  readonly exitCode = EXIT.refused;
  readonly code = 'declined';
}

/** `on|off|rollout … --wait`: written, but not every SDK connected then applied it before the timeout. */
export class ReachShort extends CliError {
  readonly exitCode = EXIT.short;
  readonly code = 'reach_short';
}
