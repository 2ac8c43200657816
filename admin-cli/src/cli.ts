// The `flagstaff` command tree and the one place where failures become exit codes (errors.ts).
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerAudit } from './commands/audit.js';
import { registerEnvs } from './commands/envs.js';
import { registerEval } from './commands/eval.js';
import { registerFlags } from './commands/flags.js';
import { registerFlagsAsCode } from './commands/flags-as-code.js';
import { registerHooks } from './commands/hooks.js';
import { registerNotify } from './commands/notify.js';
import { registerKeys } from './commands/keys.js';
import { registerKillRules } from './commands/kill-rules.js';
import { registerLogin } from './commands/login.js';
import { registerPlans } from './commands/plans.js';
import { registerRollout } from './commands/rollout.js';
import { registerSegments } from './commands/segments.js';
import { registerSwitch } from './commands/switch.js';
import { registerTarget } from './commands/target.js';
import { examples, outputFor } from './context.js';
import { CliError, EXIT, ServerRefusal } from './errors.js';
import type { Io } from './io.js';

export function createProgram(io: Io): Command {
  const program = new Command('flagstaff')
    .description('Operate Flagstaff feature flags from the terminal. Docs: docs/cli.md')
    .version(packageVersion(), '-V, --version')
    .option('--url <url>', 'server URL (default: $FLAGSTAFF_URL, the login, or http://localhost:8420)')
    .option('--token <token>', 'admin token (default: $FLAGSTAFF_TOKEN, or the login)')
    .option('--json', 'print JSON (errors as JSON on stderr), for scripts')
    .option('--no-color', 'no colours (also: NO_COLOR=1)')
    // Settings before the subcommands exist, so every subcommand inherits them.
    .exitOverride()
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError('(add --help for usage and examples)');

  program.addHelpText(
    'after',
    examples(
      'flagstaff login --url http://localhost:8420',
      'flagstaff flags create new-checkout',
      'flagstaff rollout new-checkout 25 --env production --reason "phase 2"',
      'flagstaff off new-checkout --env production --reason "INC-123"   # the kill switch',
      'flagstaff audit --flag new-checkout --since 1h',
      'flagstaff export > flags.yaml && flagstaff apply -f flags.yaml --dry-run',
    ),
  );

  registerLogin(program, io);
  registerEnvs(program, io);
  registerFlags(program, io);
  registerSwitch(program, io);
  registerRollout(program, io);
  registerPlans(program, io);
  registerTarget(program, io);
  registerSegments(program, io);
  registerKeys(program, io);
  registerAudit(program, io);
  registerEval(program, io);
  registerFlagsAsCode(program, io);
  registerHooks(program, io);
  registerNotify(program, io);
  registerKillRules(program, io);
  return program;
}

/** Runs one command line and returns its exit code; never throws. */
export async function run(argv: string[], io: Io): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message. Asking for help is success; anything else is usage.
      const asked = error.code === 'commander.helpDisplayed' || error.code === 'commander.version';
      return asked ? EXIT.ok : EXIT.usage;
    }
    const out = outputFor(io, program.opts());
    if (error instanceof CliError) {
      if (!error.hint) error.hint = hintFor(error);
      out.error(error);
      return error.exitCode;
    }
    io.stderr.write(`flagstaff: unexpected error (please report it): ${(error as Error)?.stack ?? String(error)}\n`);
    return EXIT.refused;
  }
}

function hintFor(error: CliError): string | undefined {
  if (!(error instanceof ServerRefusal)) return undefined;
  switch (error.code) {
    case 'unauthorized':
      return 'check --token / FLAGSTAFF_TOKEN, or run `flagstaff login` again';
    case 'forbidden':
      return 'this token lacks the scope for that; an admin can create one with `flagstaff keys create --kind admin`';
    case 'version_conflict':
      return 'someone changed it after it was read; look at the current state and run the command again';
    case 'archived':
      return 'unarchive it first: `flagstaff flags unarchive <key>`';
    default:
      return undefined;
  }
}

function packageVersion(): string {
  const url = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}
