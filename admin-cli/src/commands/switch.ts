// `flagstaff on|off KEY --env E`: the switch. `off` is the kill switch: everyone gets the off variation.
import type { Command } from 'commander';
import type { FlagResource, FlagState } from '@flagstaff/core/admin';
import { CommandContext, examples, ifMatchOption, reasonOption, yesOption } from '../context.js';
import { describeServe } from '../describe.js';
import type { Io } from '../io.js';
import { formatValue } from '../parse.js';
import { parseDuration, reachLine, shortOf, timeoutOption, waitForReach, waitOption } from '../reach.js';

export function registerSwitch(program: Command, io: Io): void {
  for (const on of [true, false]) {
    const verb = on ? 'on' : 'off';
    program
      .command(verb)
      .description(
        on
          ? 'turn a flag on in one environment: it serves its targets, rules and default rollout'
          : 'the kill switch: turn a flag off in one environment, everyone gets its off variation',
      )
      .argument('<key>', 'flag key')
      .requiredOption('--env <env>', 'environment')
      .addOption(reasonOption())
      .addOption(yesOption())
      .addOption(ifMatchOption())
      .addOption(waitOption())
      .addOption(timeoutOption())
      .addHelpText(
        'after',
        examples(
          `flagstaff ${verb} new-checkout --env staging`,
          `flagstaff ${verb} new-checkout --env production --wait --timeout 5s`,
          `flagstaff ${verb} new-checkout --env production --reason "${on ? 'release 4.2' : 'INC-123 checkout errors'}"`,
        ),
      )
      .action(async (key: string, _options, command: Command) => {
        const ctx = new CommandContext<{ env: string; wait?: boolean; timeout: string }>(io, command);
        const { env, wait } = ctx.options;
        const ifMatch = ctx.ifMatch();
        const timeoutMs = parseDuration(ctx.options.timeout);
        const api = await ctx.api();
        // Read first so an unknown flag or environment fails before the prompt, not after it.
        const flag = await api.getFlag(key);
        const current = flag.environments[env];
        // Hitting the kill switch a second time mid-incident gets an answer, not another question.
        if (current?.on === on && ifMatch === undefined && !wait) {
          ctx.out.result(current, () => ctx.out.line(`${describeSwitch(ctx, key, env, flag, current)} (already; nothing changed)`));
          return;
        }
        if (current?.on !== on || ifMatch !== undefined) await ctx.confirm(`turn ${verb} ${key} in ${env}`, [env]);
        // No If-Match unless asked: switching is idempotent and must win over an edit made a second ago.
        // With --wait and nothing to change, the same PATCH changes nothing and says the version to wait for.
        const { state, envVersion } = await api.patchFlagStateAt(key, env, { on }, ifMatch);
        const already = current?.on === on && ifMatch === undefined ? ' (already; nothing changed)' : '.';
        if (!wait) {
          ctx.out.result(state, () => ctx.out.line(`${describeSwitch(ctx, key, env, flag, state)}${already}`));
          return;
        }
        const reach = envVersion === null ? null : await waitForReach(api, env, envVersion, timeoutMs);
        ctx.out.result({ ...state, reach }, () => {
          ctx.out.line(`${describeSwitch(ctx, key, env, flag, state)}${already}`);
          if (reach !== null) ctx.out.line(reachLine(reach, timeoutMs));
        });
        const short = shortOf(reach, env, envVersion ?? state.version);
        if (short !== null) throw short;
      });
  }
}

/** "new-checkout is OFF in production (version 7): everyone gets false" */
function describeSwitch(ctx: CommandContext, key: string, env: string, flag: FlagResource, state: FlagState): string {
  const { style } = ctx.out;
  const version = style.dim(`(version ${state.version})`);
  if (state.on) return `${key} is ${style.green('ON')} in ${env} ${version}: default ${describeServe(state.fallthrough, flag.variations)}`;
  return `${key} is ${style.red('OFF')} in ${env} ${version}: everyone gets ${formatValue(flag.variations[state.offVariation])}`;
}
