// `flagstaff rollout KEY PERCENT --env E`: serve a variation to a percentage of users (see ../rollout.ts
// for why raising the percentage only ever adds users).
import type { Command } from 'commander';
import { CommandContext, examples, ifMatchOption, reasonOption, yesOption } from '../context.js';
import { describeServe } from '../describe.js';
import type { Io } from '../io.js';
import { findVariation, parsePercentage } from '../parse.js';
import { planRollout } from '../rollout.js';
import { parseDuration, reachLine, shortOf, timeoutOption, waitForReach, waitOption } from '../reach.js';

type RolloutOptions = { env: string; variation?: string; from?: string; bucketBy?: string; wait?: boolean; timeout: string };

export function registerRollout(program: Command, io: Io): void {
  program
    .command('rollout')
    .description(
      'serve the flag (true, or --variation) to PERCENT of the users who match no target or rule; ' +
        'raising it keeps everyone who already had it',
    )
    .argument('<key>', 'flag key')
    .argument('<percent>', 'a number from 0 to 100; decimals down to 0.001')
    .requiredOption('--env <env>', 'environment')
    .option('--variation <value>', 'the variation to roll out (default: true; required for non-boolean flags)')
    .option('--from <value>', 'the variation everyone else gets (default: what they get now)')
    .option('--bucket-by <attribute>', 'context attribute users are bucketed by (default: the current one, or key)')
    .addOption(reasonOption())
    .addOption(yesOption())
    .addOption(ifMatchOption())
    .addOption(waitOption())
    .addOption(timeoutOption())
    .addHelpText(
      'after',
      examples(
        'flagstaff rollout new-checkout 25 --env production --reason "phase 2"',
        'flagstaff rollout new-checkout 0.5 --env production --wait',
        'flagstaff rollout button-colour 10 --variation green --env staging',
      ),
    )
    .action(async (key: string, percent: string, _options, command: Command) => {
      const ctx = new CommandContext<RolloutOptions>(io, command);
      const thousandths = parsePercentage(percent);
      const timeoutMs = parseDuration(ctx.options.timeout);
      const ifMatch = ctx.ifMatch();
      const { env, bucketBy } = ctx.options;
      const api = await ctx.api();
      const flag = await api.getFlag(key);
      // The version this rollout is computed from: if anyone changes the flag before the write, it is a 409.
      const state = flag.environments[env] ?? (await api.getFlagState(key, env));
      const pick = (ref: string | undefined, option: string) =>
        ref === undefined ? undefined : findVariation(flag.variations, ref, option);
      const change = planRollout({
        kind: flag.kind,
        variations: flag.variations,
        offVariation: state.offVariation,
        current: state.fallthrough,
        thousandths,
        chosen: pick(ctx.options.variation, '--variation'),
        baseline: pick(ctx.options.from, '--from'),
        bucketBy,
      });
      for (const warning of change.warnings) ctx.out.warn(warning);
      const serves = describeServe(change.fallthrough, flag.variations);

      let result = state;
      let envVersion: number | null = null;
      if (JSON.stringify(change.fallthrough) !== JSON.stringify(state.fallthrough)) {
        await ctx.confirm(`set ${key} in ${env} to ${serves}`, [env]);
        ({ state: result, envVersion } = await api.patchFlagStateAt(
          key,
          env,
          { fallthrough: change.fallthrough },
          ifMatch ?? state.version,
        ));
      } else if (ctx.options.wait) {
        // Nothing to change: the current version is what to wait for (the same PATCH changes nothing).
        ({ state: result, envVersion } = await api.patchFlagStateAt(
          key,
          env,
          { fallthrough: change.fallthrough },
          ifMatch ?? state.version,
        ));
      }
      const reach = ctx.options.wait && envVersion !== null ? await waitForReach(api, env, envVersion, timeoutMs) : null;
      ctx.out.result(ctx.options.wait ? { ...result, reach } : result, () => {
        ctx.out.line(`${key} in ${env}: ${serves} (version ${result.version}).`);
        if (!result.on) ctx.out.warn(`${key} is off in ${env}: nobody gets this until \`flagstaff on ${key} --env ${env}\``);
        if (reach !== null) ctx.out.line(reachLine(reach, timeoutMs));
      });
      const short = ctx.options.wait ? shortOf(reach, env, envVersion ?? result.version) : null;
      if (short !== null) throw short;
    });
}
