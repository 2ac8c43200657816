// `flagstaff target KEY --env E --variation V --add a,b --remove c`: individual users, served before rules.
import type { Command } from 'commander';
import { CommandContext, examples, ifMatchOption, reasonOption, yesOption } from '../context.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { collectKeys, findVariation, formatValue } from '../parse.js';
import { changeTargets } from '../targets.js';

type TargetOptions = { env: string; variation: string; add: string[]; remove: string[] };

export function registerTarget(program: Command, io: Io): void {
  program
    .command('target')
    .description('serve a variation to individual context keys (checked before rules and rollout)')
    .argument('<key>', 'flag key')
    .requiredOption('--env <env>', 'environment')
    .requiredOption('--variation <value>', 'the variation these keys get, e.g. true')
    .option('--add <keys>', 'context keys to add, comma-separated (repeatable)', collectKeys, [])
    .option('--remove <keys>', 'context keys to remove, comma-separated (repeatable)', collectKeys, [])
    .addOption(reasonOption())
    .addOption(yesOption())
    .addOption(ifMatchOption())
    .addHelpText(
      'after',
      examples(
        'flagstaff target new-checkout --env production --variation true --add user-1,user-2',
        'flagstaff target new-checkout --env production --variation true --remove user-2',
      ),
    )
    .action(async (key: string, _options, command: Command) => {
      const ctx = new CommandContext<TargetOptions>(io, command);
      const { env, add, remove } = ctx.options;
      if (!add.length && !remove.length) throw new UsageError('say which keys to --add or --remove');
      const ifMatch = ctx.ifMatch();
      const api = await ctx.api();
      const flag = await api.getFlag(key);
      const variation = findVariation(flag.variations, ctx.options.variation);
      const state = flag.environments[env] ?? (await api.getFlagState(key, env));
      const change = changeTargets(state.targets, variation, add, remove);
      const label = formatValue(flag.variations[variation]);
      for (const { key: user, from } of change.moved) {
        ctx.out.warn(`${user} was targeted to ${formatValue(flag.variations[from])}; it now gets ${label}`);
      }
      if (change.notTargeted.length) ctx.out.warn(`not targeted to ${label}: ${change.notTargeted.join(', ')}`);

      let result = state;
      if (change.changed) {
        const what = [add.length ? `add ${add.join(', ')}` : '', remove.length ? `remove ${remove.join(', ')}` : '']
          .filter(Boolean)
          .join(' and ');
        await ctx.confirm(`${what} as ${label} targets of ${key} in ${env}`, [env]);
        result = await api.patchFlagState(key, env, { targets: change.targets }, ifMatch ?? state.version);
      }
      ctx.out.result(result, () => {
        const keys = result.targets.find((target) => target.variation === variation)?.values ?? [];
        const listed = keys.length ? `: ${keys.join(', ')}` : '';
        ctx.out.line(`${key} in ${env}: ${keys.length} key(s) targeted to ${label}${listed}.`);
      });
    });
}
