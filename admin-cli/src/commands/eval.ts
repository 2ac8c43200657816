// `flagstaff eval KEY --env E --context '{"key":"user-1"}'`: what does this user get, and why.
import type { Command } from 'commander';
import { CommandContext, examples } from '../context.js';
import type { Io } from '../io.js';
import { formatValue, parseJson, parseJsonObject } from '../parse.js';

type EvalOptions = { env: string; context: string; default?: string };

export function registerEval(program: Command, io: Io): void {
  program
    .command('eval')
    .description('evaluate a flag for a context on the server and explain the result')
    .argument('<key>', 'flag key')
    .requiredOption('--env <env>', 'environment')
    .requiredOption('--context <json>', 'the evaluation context as a JSON object, e.g. \'{"key":"user-1"}\'')
    .option('--default <json>', 'the value an SDK caller would pass as default')
    .addHelpText('after', examples(`flagstaff eval new-checkout --env production --context '{"key":"user-1","country":"NL"}'`))
    .action(async (key: string, _options, command: Command) => {
      const ctx = new CommandContext<EvalOptions>(io, command);
      const context = parseJsonObject(ctx.options.context, '--context');
      const fallback = ctx.options.default === undefined ? undefined : parseJson(ctx.options.default, '--default');
      const result = await (await ctx.api()).evaluate({ env: ctx.options.env, flag: key, context, default: fallback });
      ctx.out.result(result, () => {
        const { reason } = result;
        const why = [
          reason.kind,
          reason.ruleId !== undefined ? `rule ${reason.ruleId}${reason.ruleIndex !== undefined ? ` (#${reason.ruleIndex})` : ''}` : '',
          reason.inRollout ? 'in rollout' : '',
          reason.errorKind ?? '',
        ].filter(Boolean);
        ctx.out.fields([
          ['value', ctx.out.style.bold(formatValue(result.value))],
          ['variation', result.variationIndex === null ? 'none (default returned)' : String(result.variationIndex)],
          ['reason', why.join(' · ')],
          ['flag', `${result.flag} in ${result.env}, version ${result.flagVersion}`],
        ]);
      });
    });
}
