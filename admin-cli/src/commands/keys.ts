// `flagstaff keys create|list|revoke`: admin tokens (fsa_), server SDK keys (fss_), client SDK keys (fsc_).
import { type Command, Option } from 'commander';
import type { KeyKind, Scope } from '@flagstaff/core/admin';
import { CommandContext, examples, reasonOption, yesOption } from '../context.js';
import { UsageError } from '../errors.js';
import type { Io } from '../io.js';
import { collect } from '../parse.js';

type KeyOptions = { kind: KeyKind; env?: string; name?: string; scope?: string[] };

export function registerKeys(program: Command, io: Io): void {
  const keys = program
    .command('keys')
    .description('create, list and revoke admin tokens and SDK keys')
    .addHelpText('after', examples('flagstaff keys create --kind server --env production --name checkout-service', 'flagstaff keys list'));

  keys
    .command('create')
    .description('create a key; it is shown once, only its hash is stored')
    .addOption(
      new Option('--kind <kind>', 'admin token, server SDK key or client SDK key')
        .choices(['admin', 'server', 'client'])
        .makeOptionMandatory(),
    )
    .option('--env <env>', 'environment of an SDK key (required for server and client keys)')
    .option('--name <name>', 'what uses it, e.g. checkout-service')
    .option('--scope <scope>', 'admin token scope: read, write or admin (repeatable; default admin)', collect)
    .addOption(reasonOption())
    .addOption(yesOption())
    .addHelpText(
      'after',
      examples(
        'flagstaff keys create --kind server --env production --name checkout-service',
        'flagstaff keys create --kind admin --scope read --name dashboards --json | jq -r .key',
      ),
    )
    .action(async (_options, command: Command) => {
      const ctx = new CommandContext<KeyOptions>(io, command);
      const { kind, env, name, scope } = ctx.options;
      if (kind !== 'admin' && !env) throw new UsageError(`a ${kind} key belongs to one environment: add --env`);
      if (kind !== 'admin' && scope) throw new UsageError('--scope applies to admin tokens only');
      const api = await ctx.api();
      // Sent as typed: the server refuses a scope it does not know, and says which ones it does.
      const created = await api.createKey({ kind, env, name, scopes: scope as Scope[] | undefined });
      ctx.out.result(created, () => {
        ctx.out.line(created.key);
        ctx.out.note(ctx.out.errStyle.dim(`${kind} key ${created.id}${env ? ` for ${env}` : ''}: store it now, it is not shown again.`));
      });
    });

  keys
    .command('list')
    .description('list keys (never the keys themselves: their hints)')
    .addHelpText('after', examples('flagstaff keys list', 'flagstaff keys list --json'))
    .action(async (_options, command: Command) => {
      const ctx = new CommandContext(io, command);
      const result = await (await ctx.api()).listKeys();
      ctx.out.result(result, () =>
        ctx.out.table(
          ['id', 'kind', 'name', 'env', 'scopes', 'hint', 'last used', 'revoked'],
          result.keys.map((key) => [
            key.id,
            key.kind,
            key.name ?? '',
            key.env ?? '',
            key.scopes?.join(',') ?? '',
            key.hint,
            key.lastUsedAt ?? 'never',
            key.revokedAt ? ctx.out.style.yellow(key.revokedAt) : '',
          ]),
        ),
      );
    });

  keys
    .command('revoke')
    .description('revoke a key; it stops working on its next request')
    .argument('<id>', 'key id from `keys list`')
    .addOption(reasonOption())
    .addOption(yesOption())
    .addHelpText('after', examples('flagstaff keys revoke 7 --reason "leaked in a CI log"'))
    .action(async (id: string, _options, command: Command) => {
      const ctx = new CommandContext(io, command);
      const api = await ctx.api();
      // Revoking cannot be undone and may cut off a production service, so it is always confirmed.
      await ctx.confirm(`revoke key ${id}`, [], true);
      const key = await api.revokeKey(id);
      ctx.out.result(key, () => ctx.out.line(`Revoked ${key.kind} key ${key.id} (${key.hint}).`));
    });
}
