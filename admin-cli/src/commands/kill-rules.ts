// `flagstaff kill-rules create|list|delete`: which alerts switch which flags off (docs/alerts.md).
import { type Command, Option } from 'commander';
import type { KillRule, LabelMatcher } from '@flagstaff/core/admin';
import { CommandContext, examples, reasonOption, yesOption } from '../context.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { collect } from '../parse.js';

type CreateOptions = {
  env: string;
  alert: string;
  match?: string[];
  flag?: string;
  flagLabel?: string;
  action?: 'off' | 'rollback';
  onResolve?: 'keep' | 'restore';
};

/** `flag=new-checkout`, `env!=staging`, `service=~web|api` (Prometheus' matcher syntax). */
export function parseMatch(text: string): LabelMatcher {
  const match = /^\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*(=~|!=|=)\s*(.*?)\s*$/.exec(text);
  if (!match) throw new UsageError(`--match takes label=value, label!=value or label=~regex, not "${text}"`);
  return { label: match[1]!, op: match[2] as LabelMatcher['op'], value: match[3]!.replace(/^"(.*)"$/, '$1') };
}

const describeMatchers = (matchers: LabelMatcher[]) => matchers.map((m) => `${m.label}${m.op}"${m.value}"`).join(', ');
const target = (rule: KillRule) => (rule.flag ? rule.flag : `flag named by label "${rule.flagLabel}"`);

export function registerKillRules(program: Command, io: Io): void {
  const rules = program
    .command('kill-rules')
    .description('bind alerts to flags: turn them off (or roll them back) when the alert fires')
    .addHelpText(
      'after',
      examples(
        'flagstaff kill-rules create --env production --alert HighErrorRate --flag-label flag',
        'flagstaff kill-rules create --env production --alert CheckoutErrors --match severity=page --flag new-checkout --on-resolve restore',
      ),
    );

  rules
    .command('create')
    .description('create a kill rule')
    .requiredOption('--env <env>', 'environment the rule acts in')
    .requiredOption('--alert <name>', 'alert name (Prometheus/Grafana alertname, Datadog monitor name)')
    .option('--match <matcher>', 'label matcher: label=value, label!=value, label=~regex (repeatable)', collect)
    .option('--flag <key>', 'the flag to act on')
    .option('--flag-label <label>', 'the alert label whose value names the flag (one rule, many flags)')
    .addOption(
      new Option('--action <action>', 'off: serve the off variation; rollback: rollout to 0% and abort its plan')
        .choices(['off', 'rollback'])
        .default('off'),
    )
    .addOption(
      new Option('--on-resolve <what>', 'keep: stay off until a person acts; restore: put back the state from before')
        .choices(['keep', 'restore'])
        .default('keep'),
    )
    .addOption(reasonOption())
    .addOption(yesOption())
    .addHelpText(
      'after',
      examples(
        "flagstaff kill-rules create --env production --alert HighErrorRate --match 'severity=~page|critical' --flag-label flag",
        'flagstaff kill-rules create --env production --alert CheckoutErrors --flag new-checkout --action rollback --on-resolve restore',
      ),
    )
    .action(async (_options, command: Command) => {
      const ctx = new CommandContext<CreateOptions>(io, command);
      const { env, alert, match, flag, flagLabel, action, onResolve } = ctx.options;
      if ((flag === undefined) === (flagLabel === undefined)) throw new UsageError('give exactly one of --flag KEY and --flag-label LABEL');
      const matchers = (match ?? []).map(parseMatch);
      const api = await ctx.api();
      const rule = await api.createKillRule(env, {
        alert,
        matchers,
        ...(flag !== undefined ? { flag } : { flagLabel }),
        ...(action ? { action } : {}),
        ...(onResolve ? { onResolve } : {}),
      });
      ctx.out.result(rule, () =>
        ctx.out.line(
          `Kill rule ${rule.id} in ${rule.env}: when "${rule.alert}"${rule.matchers.length ? ` {${describeMatchers(rule.matchers)}}` : ''} fires, ` +
            `${rule.action === 'off' ? 'turn off' : 'roll back'} ${target(rule)}; on resolve, ${rule.onResolve}.`,
        ),
      );
    });

  rules
    .command('list')
    .description('list the kill rules of an environment')
    .requiredOption('--env <env>', 'environment')
    .addHelpText('after', examples('flagstaff kill-rules list --env production', 'flagstaff kill-rules list --env production --json'))
    .action(async (_options, command: Command) => {
      const ctx = new CommandContext<{ env: string }>(io, command);
      const result = await (await ctx.api()).listKillRules(ctx.options.env);
      ctx.out.result(result, () =>
        ctx.out.table(
          ['id', 'alert', 'matchers', 'flag', 'action', 'on resolve'],
          result.killRules.map((rule) => [rule.id, rule.alert, describeMatchers(rule.matchers), target(rule), rule.action, rule.onResolve]),
        ),
      );
    });

  rules
    .command('delete')
    .description('delete a kill rule (flags it switched off stay as they are)')
    .argument('<id>', 'rule id from `kill-rules list`')
    .requiredOption('--env <env>', 'environment')
    .addOption(reasonOption())
    .addOption(yesOption())
    .addHelpText('after', examples('flagstaff kill-rules delete kr_5c1d2e3f4a5b --env production --yes'))
    .action(async (id: string, _options, command: Command) => {
      const ctx = new CommandContext<{ env: string }>(io, command);
      const api = await ctx.api();
      await ctx.confirm(`delete kill rule ${id} in ${ctx.options.env}`, [ctx.options.env]);
      await api.deleteKillRule(ctx.options.env, id);
      ctx.out.result({ deleted: id }, () => ctx.out.line(`Deleted kill rule ${id}.`));
    });
}
