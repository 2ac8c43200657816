// `flagstaff envs list|create`.
import type { Command } from 'commander';
import { CommandContext, examples, reasonOption, yesOption } from '../context.js';
import type { Io } from '../io.js';

export function registerEnvs(program: Command, io: Io): void {
  const envs = program
    .command('envs')
    .description('list and create environments')
    .addHelpText('after', examples('flagstaff envs list', 'flagstaff envs create qa --name QA'));

  envs
    .command('list')
    .description('list environments')
    .addHelpText('after', examples('flagstaff envs list', 'flagstaff envs list --json'))
    .action(async (_options, command: Command) => {
      const ctx = new CommandContext(io, command);
      const result = await (await ctx.api()).listEnvironments();
      ctx.out.result(result, () =>
        ctx.out.table(
          ['key', 'name', 'created'],
          result.environments.map((env) => [env.key, env.name, env.createdAt]),
        ),
      );
    });

  envs
    .command('create')
    .description('create an environment; every flag gets its default (off) state in it')
    .argument('<key>', 'environment key, e.g. qa')
    .option('--name <name>', 'display name (default: the key)')
    .addOption(reasonOption())
    .addOption(yesOption())
    .addHelpText('after', examples('flagstaff envs create qa --name "QA" --reason "new test stage"'))
    .action(async (key: string, _options, command: Command) => {
      const ctx = new CommandContext<{ name?: string }>(io, command);
      const env = await (await ctx.api()).createEnvironment({ key, name: ctx.options.name });
      ctx.out.result(env, () => ctx.out.line(`Created environment ${env.key}.`));
    });
}
