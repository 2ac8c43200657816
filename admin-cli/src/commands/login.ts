// `flagstaff login` / `logout`: remember the server and an admin token, so day-to-day commands need neither.
import type { Command } from 'commander';
import { AdminApi } from '../api.js';
import { configPath, DEFAULT_URL, normaliseUrl, removeLogin, writeLogin } from '../config.js';
import { CommandContext, examples } from '../context.js';
import { ServerRefusal, UsageError } from '../errors.js';
import { type Io, readAll } from '../io.js';
import { askLine } from '../prompt.js';

export function registerLogin(program: Command, io: Io): void {
  program
    .command('login')
    .description('check an admin token against the server and store both in the config file (mode 0600)')
    .addHelpText(
      'after',
      examples(
        'flagstaff login --url https://flags.example.com      # asks for the token',
        'echo "$TOKEN" | flagstaff login --url https://flags.example.com',
      ),
    )
    .action(async (_options, command: Command) => {
      const ctx = new CommandContext(io, command);
      const url = normaliseUrl(ctx.options.url ?? io.env.FLAGSTAFF_URL ?? DEFAULT_URL);
      const token = ctx.options.token ?? io.env.FLAGSTAFF_TOKEN ?? (await readToken(io));
      if (!token) throw new UsageError('no token given', 'pass --token, or pipe the token on stdin');

      // A token is only stored once the server has accepted it: a typo fails here, not at 3 a.m.
      const { environments } = await new AdminApi({ url, token, fetch: io.fetch }).listEnvironments().catch((error: unknown) => {
        if (error instanceof ServerRefusal && error.code === 'unauthorized') {
          // The usual hint ("run `flagstaff login` again") is what is being done: say where a good token comes from.
          error.hint =
            'check --token / FLAGSTAFF_TOKEN, or the token you typed: nothing was saved. The server prints the first admin token once, when it first starts; `flagstaff keys create --kind admin` makes more';
        }
        throw error;
      });
      const path = configPath(io.env);
      await writeLogin(path, { url, token });
      ctx.out.result({ url, configPath: path, environments: environments.map((env) => env.key) }, () => {
        ctx.out.line(`Logged in to ${url}; environments: ${environments.map((env) => env.key).join(', ')}.`);
        ctx.out.line(ctx.out.style.dim(`Saved to ${path} (readable by you only).`));
      });
    });

  program
    .command('logout')
    .description('forget the stored server and token')
    .addHelpText('after', examples('flagstaff logout'))
    .action(async (_options, command: Command) => {
      const ctx = new CommandContext(io, command);
      const path = configPath(io.env);
      const removed = await removeLogin(path);
      ctx.out.result({ configPath: path, removed }, () => ctx.out.line(removed ? `Removed ${path}.` : `Not logged in (no ${path}).`));
    });
}

/** On a terminal, a prompt that does not echo the token; from a pipe, the first line. */
async function readToken(io: Io): Promise<string> {
  if (!io.stdin.isTTY) return (await readAll(io.stdin)).split('\n')[0]!.trim();
  return (await askLine(io, 'Admin token: ', { echo: false })).trim();
}
