// `flagstaff hooks create|list|revoke`: alert webhook receivers (docs/alerts.md). `create` prints the URL and
// the secret to give the alerting system; the secret is shown once.
import { type Command, Option } from 'commander';
import type { HookProvider } from '@flagstaff/core/admin';
import { CommandContext, examples, reasonOption, yesOption } from '../context.js';
import type { Io } from '../io.js';

type CreateOptions = { provider: HookProvider; env: string; name?: string; auth?: 'bearer' | 'hmac' };

/** How each provider presents the secret: what `create` tells the operator to configure. */
const HOW_TO_SEND: Record<string, string> = {
  bearer: 'send it as Authorization: Bearer <secret> (or basic auth with the secret as password)',
  hmac: 'configure it as the HMAC signing secret, with a timestamp header (docs/alerts.md)',
};

export function registerHooks(program: Command, io: Io): void {
  const hooks = program
    .command('hooks')
    .description('create, list and revoke alert webhooks (Alertmanager, Grafana, Datadog, generic)')
    .addHelpText(
      'after',
      examples('flagstaff hooks create --provider alertmanager --env production', 'flagstaff hooks list --env production'),
    );

  hooks
    .command('create')
    .description('create a webhook receiver; prints its URL and its secret (shown once)')
    .addOption(
      new Option('--provider <provider>', 'who sends the alerts')
        .choices(['alertmanager', 'grafana', 'datadog', 'generic'])
        .makeOptionMandatory(),
    )
    .requiredOption('--env <env>', 'environment whose kill rules the alerts trigger')
    .option('--name <name>', 'what sends to it, e.g. prod-alertmanager')
    .addOption(
      new Option('--auth <auth>', 'bearer secret, or HMAC signature (grafana, generic); default: hmac for grafana').choices([
        'bearer',
        'hmac',
      ]),
    )
    .addOption(reasonOption())
    .addOption(yesOption())
    .addHelpText(
      'after',
      examples(
        'flagstaff hooks create --provider alertmanager --env production --name prod-am',
        'flagstaff hooks create --provider grafana --env production --json | jq -r .url,.secret',
      ),
    )
    .action(async (_options, command: Command) => {
      const ctx = new CommandContext<CreateOptions>(io, command);
      const { provider, env, name, auth } = ctx.options;
      const api = await ctx.api();
      const created = await api.createHook(env, { provider, ...(name ? { name } : {}), ...(auth ? { auth } : {}) });
      ctx.out.result(created, () => {
        ctx.out.fields([
          ['url', created.url],
          ['secret', created.secret],
        ]);
        ctx.out.note(
          ctx.out.errStyle.dim(
            `${provider} hook ${created.id} for ${env}: ${HOW_TO_SEND[created.auth]}. Store the secret now: it is not shown again.`,
          ),
        );
      });
    });

  hooks
    .command('list')
    .description('list the webhooks of an environment (never their secrets)')
    .requiredOption('--env <env>', 'environment')
    .addHelpText('after', examples('flagstaff hooks list --env production', 'flagstaff hooks list --env production --json'))
    .action(async (_options, command: Command) => {
      const ctx = new CommandContext<{ env: string }>(io, command);
      const result = await (await ctx.api()).listHooks(ctx.options.env);
      ctx.out.result(result, () =>
        ctx.out.table(
          ['id', 'provider', 'name', 'auth', 'hint', 'last used', 'revoked', 'url'],
          result.hooks.map((hook) => [
            hook.id,
            hook.provider,
            hook.name,
            hook.auth,
            hook.hint,
            hook.lastUsedAt ?? 'never',
            hook.revokedAt ? ctx.out.style.yellow(hook.revokedAt) : '',
            hook.url,
          ]),
        ),
      );
    });

  hooks
    .command('revoke')
    .description('revoke a webhook; its requests are refused from then on')
    .argument('<id>', 'hook id from `hooks list`')
    .requiredOption('--env <env>', 'environment')
    .addOption(reasonOption())
    .addOption(yesOption())
    .addHelpText('after', examples('flagstaff hooks revoke hook_3f9a1c2b4d5e --env production --reason "rotating the secret"'))
    .action(async (id: string, _options, command: Command) => {
      const ctx = new CommandContext<{ env: string }>(io, command);
      const api = await ctx.api();
      // A revoked hook silently disarms the kill switch it feeds: always confirmed.
      await ctx.confirm(`revoke hook ${id} in ${ctx.options.env}`, [ctx.options.env], true);
      const hook = await api.revokeHook(ctx.options.env, id);
      ctx.out.result(hook, () => ctx.out.line(`Revoked ${hook.provider} hook ${hook.id} (${hook.hint}).`));
    });
}
