// `flagstaff flags list|get|create|update|archive|unarchive|set-rules`: the flag definitions shared by every
// environment, and the rules file of one environment.
import type { FlagKind } from '@flagstaff/core';
import type { FlagPatch, FlagResource } from '@flagstaff/core/admin';
import { type Command, Option } from 'commander';
import { CommandContext, examples, ifMatchOption, reasonOption, yesOption } from '../context.js';
import { describeRule, describeServe, describeState, describeTarget } from '../describe.js';
import { ServerRefusal, UsageError } from '../errors.js';
import { sameValue } from '../flags-as-code/plan.js';
import type { Io } from '../io.js';
import { collect, formatValue, parseVariations } from '../parse.js';
import { readRulesFile } from '../rules-file.js';

type UpdateOptions = {
  description?: string;
  name?: string;
  tag?: string[];
  untag?: string[];
  /** true with --client-side, false with --no-client-side */
  clientSide?: boolean;
  /** false with --no-seed */
  seed?: string | false;
  variations?: string;
};

/** The definition fields the options ask for; tags are added to and removed from the current ones. */
function definitionPatch(current: FlagResource, options: UpdateOptions): FlagPatch {
  const patch: FlagPatch = {};
  if (options.description !== undefined) patch.description = options.description;
  if (options.name !== undefined) patch.name = options.name;
  if (options.tag || options.untag) {
    const removed = new Set(options.untag ?? []);
    patch.tags = [...new Set([...current.tags, ...(options.tag ?? [])])].filter((tag) => !removed.has(tag));
  }
  if (options.clientSide !== undefined) patch.clientSide = options.clientSide;
  if (options.seed !== undefined) patch.seed = options.seed === false ? null : options.seed;
  if (options.variations !== undefined) {
    if (current.kind === 'boolean') throw new UsageError('a boolean flag always has the variations [false, true]');
    patch.variations = parseVariations(options.variations, current.kind);
  }
  return patch;
}

function showDefinition(value: unknown): string {
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return `[${value.join(', ')}]`;
  return JSON.stringify(value);
}

type CreateOptions = {
  type: FlagKind;
  variations?: string;
  description?: string;
  name?: string;
  tag?: string[];
  clientSide?: boolean;
};

export function registerFlags(program: Command, io: Io): void {
  const flags = program
    .command('flags')
    .description('list, inspect, create, update and archive flags; replace rules from a file')
    .addHelpText(
      'after',
      examples('flagstaff flags list --env production', 'flagstaff flags create new-checkout --description "One-page checkout"'),
    );

  flags
    .command('list')
    .description('list flags, with their state in each environment (or only in --env)')
    .option('--env <env>', 'show only this environment')
    .option('--tag <tag>', 'only flags with this tag')
    .option('--archived', 'list archived flags instead')
    .addHelpText('after', examples('flagstaff flags list', 'flagstaff flags list --env production --tag checkout'))
    .action(async (_options, command: Command) => {
      const ctx = new CommandContext<{ env?: string; tag?: string; archived?: boolean }>(io, command);
      const { env, tag, archived } = ctx.options;
      const result = await (await ctx.api()).listFlags({ env, tag, archived: archived ? 'true' : undefined });
      ctx.out.result(result, () => printFlagTable(ctx, result.flags, env));
    });

  flags
    .command('get')
    .description("show a flag's definition and its state per environment")
    .argument('<key>', 'flag key')
    .option('--env <env>', 'show only this environment')
    .addHelpText('after', examples('flagstaff flags get new-checkout', 'flagstaff flags get new-checkout --env production --json'))
    .action(async (key: string, _options, command: Command) => {
      const ctx = new CommandContext<{ env?: string }>(io, command);
      const api = await ctx.api();
      const flag = await api.getFlag(key);
      const env = ctx.options.env;
      if (env) flag.environments = { [env]: flag.environments[env] ?? (await api.getFlagState(key, env)) };
      ctx.out.result(flag, () => printFlag(ctx, flag));
    });

  flags
    .command('create')
    .description('create a flag; it starts off in every environment')
    .argument('<key>', 'flag key: lowercase letters, digits, ".", "_", "-"')
    .addOption(new Option('--type <type>', 'what the flag serves').choices(['boolean', 'string', 'number', 'json']).default('boolean'))
    .option('--variations <list>', 'for string/number/json flags: a,b,c or a JSON array')
    .option('--description <text>', 'what the flag is for')
    .option('--name <name>', 'display name')
    .option('--tag <tag>', 'a tag (repeatable)', collect)
    .option('--client-side', 'may be sent to browser SDKs')
    .addOption(reasonOption())
    .addOption(yesOption())
    .addHelpText(
      'after',
      examples(
        'flagstaff flags create new-checkout --description "One-page checkout" --tag checkout',
        'flagstaff flags create button-colour --type string --variations red,green,blue',
        `flagstaff flags create limits --type json --variations '[{"max":10},{"max":50}]'`,
      ),
    )
    .action(async (key: string, _options, command: Command) => {
      const ctx = new CommandContext<CreateOptions>(io, command);
      const { type, description, name, tag, clientSide } = ctx.options;
      const variations = ctx.options.variations === undefined ? undefined : parseVariations(ctx.options.variations, type);
      const flag = await (await ctx.api())
        .createFlag({ key, kind: type, variations, description, name, tags: tag, clientSide: clientSide ? true : undefined })
        .catch((error: unknown) => {
          if (error instanceof ServerRefusal && error.code === 'already_exists') {
            error.hint = `to change its definition, use \`flagstaff flags update ${key}\` (see \`flagstaff flags get ${key}\`)`;
          }
          throw error;
        });
      ctx.out.result(flag, () => {
        const browsers = flag.clientSide ? ' client-side (browser SDKs receive it)' : '';
        ctx.out.line(`Created ${flag.kind}${browsers} flag ${flag.key}; it is off in every environment.`);
        ctx.out.line(ctx.out.style.dim(`Next: flagstaff on ${flag.key} --env development`));
      });
    });

  flags
    .command('update')
    .description("change a flag's definition, shared by every environment: description, name, tags, client-side, seed, variations")
    .argument('<key>', 'flag key')
    .option('--description <text>', 'what the flag is for')
    .option('--name <name>', 'display name')
    .option('--tag <tag>', 'add a tag (repeatable)', collect)
    .option('--untag <tag>', 'remove a tag (repeatable)', collect)
    .option('--client-side', 'send it to browser SDKs (client keys see only client-side flags)')
    .option('--no-client-side', 'stop sending it to browser SDKs')
    .option('--seed <text>', 'bucketing salt: a new seed reshuffles who is in every rollout of this flag')
    .option('--no-seed', 'bucket by the flag key again (the default seed)')
    .option('--variations <list>', 'for string/number/json flags: a,b,c or a JSON array; every state must stay valid')
    .addOption(reasonOption())
    .addOption(yesOption())
    .addOption(ifMatchOption())
    .addHelpText(
      'after',
      examples(
        'flagstaff flags update new-checkout --client-side --reason "checkout page reads it"',
        'flagstaff flags update new-checkout --description "One-page checkout" --tag checkout --untag beta',
        'flagstaff flags update button-colour --variations red,green,blue,black',
      ),
    )
    .action(async (key: string, _options, command: Command) => {
      const ctx = new CommandContext<UpdateOptions>(io, command);
      const ifMatch = ctx.ifMatch();
      const api = await ctx.api();
      const current = await api.getFlag(key);
      const patch = definitionPatch(current, ctx.options);
      const changes = (Object.keys(patch) as (keyof FlagPatch)[]).filter((field) => !sameValue(patch[field], current[field]));
      if (!changes.length) {
        if (!Object.keys(patch).length) {
          throw new UsageError(
            'nothing to change',
            'give at least one of --description, --name, --tag, --untag, --client-side, --no-client-side, --seed, --no-seed, --variations',
          );
        }
        return ctx.out.result(current, () =>
          ctx.out.line(`${key} already has that definition (version ${current.version}); nothing changed.`),
        );
      }
      const summary = changes.map((field) => `${field}: ${showDefinition(current[field])} → ${showDefinition(patch[field])}`).join(', ');
      // clientSide, seed and variations change what SDKs receive in every environment, production included.
      const seenBySdks = changes.some((field) => field === 'clientSide' || field === 'seed' || field === 'variations');
      await ctx.confirm(`change ${key} in every environment (${summary})`, [], seenBySdks);
      const body = Object.fromEntries(changes.map((field) => [field, patch[field]]));
      const flag = await api.patchFlag(key, body, ifMatch ?? current.version);
      ctx.out.result(flag, () => ctx.out.line(`Updated ${flag.key} (version ${flag.version}): ${summary}.`));
    });

  for (const archive of [true, false]) {
    const verb = archive ? 'archive' : 'unarchive';
    flags
      .command(verb)
      .description(
        archive
          ? 'archive a flag: SDKs stop receiving it in every environment; states and history are kept'
          : 'bring an archived flag back as it was',
      )
      .argument('<key>', 'flag key')
      .addOption(reasonOption())
      .addOption(yesOption())
      .addHelpText('after', examples(`flagstaff flags ${verb} old-banner --reason "cleanup after launch"`))
      .action(async (key: string, _options, command: Command) => {
        const ctx = new CommandContext(io, command);
        const api = await ctx.api();
        await api.getFlag(key); // an unknown flag fails before the prompt, not after it
        // It changes what every environment serves, production included, so it is always confirmed.
        await ctx.confirm(`${verb} ${key} in every environment`, [], true);
        const flag = archive ? await api.archiveFlag(key) : await api.unarchiveFlag(key);
        ctx.out.result(flag, () => ctx.out.line(`${archive ? 'Archived' : 'Unarchived'} ${flag.key}.`));
      });
  }

  flags
    .command('set-rules')
    .description("replace a flag's rules in one environment with the rules in a JSON or YAML file")
    .argument('<key>', 'flag key')
    .requiredOption('--env <env>', 'environment')
    .requiredOption('-f, --file <path>', 'rules file: a list of rules, or { rules: [...] }; - for stdin')
    .addOption(reasonOption())
    .addOption(yesOption())
    .addOption(ifMatchOption())
    .addHelpText('after', examples('flagstaff flags set-rules new-checkout --env staging -f rules.json'))
    .action(async (key: string, _options, command: Command) => {
      const ctx = new CommandContext<{ env: string; file: string }>(io, command);
      const { env, file } = ctx.options;
      const rules = await readRulesFile(io, file);
      const ifMatch = ctx.ifMatch();
      const api = await ctx.api();
      const current = await api.getFlagState(key, env);
      await ctx.confirm(`replace the ${current.rules.length} rules of ${key} in ${env} with ${rules.length}`, [env]);
      const state = await api.patchFlagState(key, env, { rules }, ifMatch ?? current.version);
      ctx.out.result(state, () => ctx.out.line(`${key} in ${env} now has ${state.rules.length} rules (version ${state.version}).`));
    });
}

function printFlagTable(ctx: CommandContext, flags: FlagResource[], env: string | undefined): void {
  if (!flags.length) return ctx.out.line(ctx.out.style.dim('no flags'));
  const envs = env ? [env] : [...new Set(flags.flatMap((flag) => Object.keys(flag.environments)))];
  ctx.out.table(
    ['key', 'kind', ...envs, 'tags'],
    flags.map((flag) => [
      flag.key,
      flag.kind,
      ...envs.map((name) => {
        const state = flag.environments[name];
        if (!state) return '-';
        // With one environment there is room to say what it serves; with all of them, just on/off.
        const text = env ? describeState(state, flag.variations) : state.on ? 'on' : 'off';
        return state.on ? ctx.out.style.green(text) : ctx.out.style.dim(text);
      }),
      flag.tags.join(','),
    ]),
  );
}

function printFlag(ctx: CommandContext, flag: FlagResource): void {
  const { style } = ctx.out;
  ctx.out.fields([
    ['key', style.bold(flag.key)],
    ['name', flag.name],
    ['kind', flag.kind],
    ['variations', flag.variations.map((variation, index) => `${index}: ${formatValue(variation)}`).join('  ')],
    ['description', flag.description || style.dim('(none)')],
    ['tags', flag.tags.join(', ') || style.dim('(none)')],
    ['client-side', flag.clientSide ? 'yes' : 'no'],
    ['archived', flag.archived ? style.yellow('yes') : 'no'],
    ['version', String(flag.version)],
  ]);
  for (const [env, state] of Object.entries(flag.environments)) {
    ctx.out.line();
    ctx.out.line(`${style.bold(env)} ${style.dim(`(version ${state.version})`)}`);
    const onOff = state.on ? style.green('on') : style.red('off');
    ctx.out.line(`  ${onOff} · off serves ${formatValue(flag.variations[state.offVariation])}`);
    for (const target of state.targets) ctx.out.line(`  target  ${describeTarget(target, flag.variations)}`);
    for (const rule of state.rules) ctx.out.line(`  rule    ${describeRule(rule, flag.variations)}`);
    ctx.out.line(`  default ${describeServe(state.fallthrough, flag.variations)}`);
  }
}
