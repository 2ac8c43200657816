// `flagstaff notify create|list|test|delete|log`: where an environment's changes, kills and rollout steps
// are announced (docs/notifications.md) — a signed webhook, Slack or Microsoft Teams. `create` for a webhook
// prints its signing secret once; a Slack or Teams URL is itself a secret and is never printed back whole.
import { type Command, Option } from 'commander';
import { NOTIFY_EVENTS, type NotifyEventKind, type NotifyTarget } from '@flagstaff/core/admin';
import { CommandContext, examples, reasonOption, yesOption } from '../context.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { collectKeys } from '../parse.js';

type CreateOptions = {
  env: string;
  webhook?: string;
  slack?: string;
  teams?: string;
  events: string[];
  tag?: string[];
  flag?: string[];
  name?: string;
};

/** Exactly one of --webhook, --slack, --teams: the target and its URL. */
function targetOf(options: CreateOptions): { target: NotifyTarget; url: string } {
  const given = (['webhook', 'slack', 'teams'] as const).filter((t) => options[t] !== undefined);
  if (given.length !== 1) throw new UsageError('give exactly one of --webhook URL, --slack URL, --teams URL');
  const target = given[0]!;
  return { target, url: options[target]! };
}

function eventsOf(events: string[]): NotifyEventKind[] {
  const unknown = events.filter((e) => !(NOTIFY_EVENTS as readonly string[]).includes(e));
  if (unknown.length > 0) throw new UsageError(`unknown event ${unknown.join(', ')}: --events takes ${NOTIFY_EVENTS.join(', ')}`);
  return events as NotifyEventKind[];
}

export function registerNotify(program: Command, io: Io): void {
  const notify = program
    .command('notify')
    .description('announce changes, kills and rollout steps to a webhook, Slack or Microsoft Teams')
    .addHelpText(
      'after',
      examples(
        'flagstaff notify create --env production --slack https://hooks.slack.com/services/… --events kill,change,plan',
        'flagstaff notify list --env production',
      ),
    );

  notify
    .command('create')
    .description('subscribe a target to an environment’s events (a webhook’s signing secret is shown once)')
    .requiredOption('--env <env>', 'environment whose events are announced')
    .option('--webhook <url>', 'a generic webhook, signed per Standard Webhooks')
    .option('--slack <url>', 'a Slack incoming webhook URL')
    .option('--teams <url>', 'a Microsoft Teams workflow webhook URL')
    .addOption(new Option('--events <events>', `comma-separated: ${NOTIFY_EVENTS.join(', ')}`).argParser(collectKeys).makeOptionMandatory())
    .option('--tag <tags>', 'only flags carrying one of these tags (comma-separated, repeatable)', collectKeys)
    .option('--flag <keys>', 'only these flags (comma-separated, repeatable)', collectKeys)
    .option('--name <name>', 'what it is, e.g. #checkout-alerts')
    .addOption(reasonOption())
    .addOption(yesOption())
    .addHelpText(
      'after',
      examples(
        'flagstaff notify create --env production --slack "$SLACK_WEBHOOK_URL" --events kill,change --name "#checkout"',
        'flagstaff notify create --env production --webhook https://ops.example.com/flagstaff --events kill --json | jq -r .secret',
      ),
    )
    .action(async (_options, command: Command) => {
      const ctx = new CommandContext<CreateOptions>(io, command);
      const { env, name, tag, flag } = ctx.options;
      const body = {
        ...targetOf(ctx.options),
        events: eventsOf(ctx.options.events),
        ...(name ? { name } : {}),
        ...(tag ? { tags: tag } : {}),
        ...(flag ? { flags: flag } : {}),
      };
      const api = await ctx.api();
      const created = await api.createNotification(env, body);
      ctx.out.result(created, () => {
        ctx.out.fields([
          ['id', created.id],
          ['target', `${created.target} ${created.url}`],
          ['events', created.events.join(', ')],
          ...(created.secret ? ([['secret', created.secret]] as Array<[string, string]>) : []),
        ]);
        if (created.secret) {
          ctx.out.note(
            ctx.out.errStyle.dim('Verify each request with this secret (docs/notifications.md). Store it now: it is not shown again.'),
          );
        }
        ctx.out.note(ctx.out.errStyle.dim(`Send a test message: flagstaff notify test ${created.id} --env ${env}`));
      });
    });

  notify
    .command('list')
    .description('list the subscriptions of an environment')
    .requiredOption('--env <env>', 'environment')
    .addHelpText('after', examples('flagstaff notify list --env production'))
    .action(async (_options, command: Command) => {
      const ctx = new CommandContext<{ env: string }>(io, command);
      const result = await (await ctx.api()).listNotifications(ctx.options.env);
      ctx.out.result(result, () =>
        ctx.out.table(
          ['id', 'target', 'name', 'events', 'only', 'url', 'status'],
          result.notifications.map((n) => [
            n.id,
            n.target,
            n.name,
            n.events.join(','),
            [...n.tags.map((t) => `tag:${t}`), ...n.flags].join(',') || 'all flags',
            n.url,
            n.disabledAt
              ? ctx.out.style.red(`disabled ${n.disabledAt}`)
              : n.failingSince
                ? ctx.out.style.yellow(`failing since ${n.failingSince}`)
                : 'ok',
          ]),
        ),
      );
    });

  notify
    .command('test')
    .description('send a test message to a subscription (see `notify log` for how it went)')
    .argument('<id>', 'subscription id from `notify list`')
    .requiredOption('--env <env>', 'environment')
    .addHelpText('after', examples('flagstaff notify test ntf_3f9a1c2b4d5e --env production'))
    .action(async (id: string, _options, command: Command) => {
      const ctx = new CommandContext<{ env: string }>(io, command);
      const queued = await (await ctx.api()).testNotification(ctx.options.env, id);
      ctx.out.result(queued, () =>
        ctx.out.line(`Queued test message ${queued.delivery}: flagstaff notify log ${id} --env ${ctx.options.env}`),
      );
    });

  notify
    .command('log')
    .description('the latest deliveries of a subscription: status, attempts, response code, latency')
    .argument('<id>', 'subscription id from `notify list`')
    .requiredOption('--env <env>', 'environment')
    .addHelpText('after', examples('flagstaff notify log ntf_3f9a1c2b4d5e --env production'))
    .action(async (id: string, _options, command: Command) => {
      const ctx = new CommandContext<{ env: string }>(io, command);
      const result = await (await ctx.api()).listDeliveries(ctx.options.env, id);
      ctx.out.result(result, () =>
        ctx.out.table(
          ['id', 'event', 'state', 'attempts', 'code', 'latency', 'when', 'error'],
          result.deliveries.map((d) => [
            String(d.id),
            d.eventType,
            d.state === 'failed' ? ctx.out.style.red(d.state) : d.state === 'pending' ? ctx.out.style.yellow(d.state) : d.state,
            String(d.attempts),
            d.lastStatus === null ? '' : String(d.lastStatus),
            d.latencyMs === null ? '' : `${d.latencyMs} ms`,
            d.finishedAt ?? (d.nextAttemptAt ? `next try ${d.nextAttemptAt}` : d.createdAt),
            d.lastError ?? '',
          ]),
        ),
      );
    });

  notify
    .command('delete')
    .description('delete a subscription and its undelivered messages')
    .argument('<id>', 'subscription id from `notify list`')
    .requiredOption('--env <env>', 'environment')
    .addOption(reasonOption())
    .addOption(yesOption())
    .addHelpText('after', examples('flagstaff notify delete ntf_3f9a1c2b4d5e --env production'))
    .action(async (id: string, _options, command: Command) => {
      const ctx = new CommandContext<{ env: string }>(io, command);
      const api = await ctx.api();
      // Deleting one silences the team's announcements of kills in that environment: asked in production.
      await ctx.confirm(`delete notification subscription ${id} in ${ctx.options.env}`, [ctx.options.env]);
      const deleted = await api.deleteNotification(ctx.options.env, id);
      ctx.out.result(deleted, () => ctx.out.line(`Deleted ${deleted.target} subscription ${deleted.id} (${deleted.name}).`));
    });
}
