// `flagstaff segments list|get|create|update|delete --env E`: named groups of users in one environment,
// referenced from flag rules with the `segmentMatch` operator.
import type { Command } from 'commander';
import type { SegmentInput, SegmentResource } from '@flagstaff/core/admin';
import { CommandContext, examples, reasonOption, yesOption } from '../context.js';
import { describeClause } from '../describe.js';
import { UsageError } from '../errors.js';
import { type Io, readInput } from '../io.js';
import { collectKeys } from '../parse.js';
import { loadYaml } from '../yaml.js';

type SegmentOptions = { env: string; name?: string; description?: string; include: string[]; exclude: string[]; file?: string };

export function registerSegments(program: Command, io: Io): void {
  const segments = program
    .command('segments')
    .description('manage the segments of an environment')
    .addHelpText(
      'after',
      examples('flagstaff segments list --env production', 'flagstaff segments create beta-users --env production --include user-1,user-2'),
    );

  segments
    .command('list')
    .description('list the segments of an environment')
    .requiredOption('--env <env>', 'environment')
    .addHelpText('after', examples('flagstaff segments list --env production'))
    .action(async (_options, command: Command) => {
      const ctx = new CommandContext<SegmentOptions>(io, command);
      const result = await (await ctx.api()).listSegments(ctx.options.env);
      ctx.out.result(result, () =>
        ctx.out.table(
          ['key', 'name', 'included', 'excluded', 'rules', 'version'],
          result.segments.map((s) => [
            s.key,
            s.name,
            String(s.included.length),
            String(s.excluded.length),
            String(s.rules.length),
            String(s.version),
          ]),
        ),
      );
    });

  segments
    .command('get')
    .description('show one segment')
    .argument('<key>', 'segment key')
    .requiredOption('--env <env>', 'environment')
    .addHelpText('after', examples('flagstaff segments get beta-users --env production'))
    .action(async (key: string, _options, command: Command) => {
      const ctx = new CommandContext<SegmentOptions>(io, command);
      const segment = await (await ctx.api()).getSegment(ctx.options.env, key);
      ctx.out.result(segment, () => printSegment(ctx, segment));
    });

  segments
    .command('create')
    .description('create a segment from options or a JSON/YAML file')
    .argument('<key>', 'segment key')
    .requiredOption('--env <env>', 'environment')
    .option('--name <name>', 'display name')
    .option('--description <text>', 'what the segment is')
    .option('--include <keys>', 'context keys always in the segment (repeatable, comma-separated)', collectKeys, [])
    .option('--exclude <keys>', 'context keys never in the segment (repeatable, comma-separated)', collectKeys, [])
    .option('-f, --file <path>', 'segment fields { name, description, included, excluded, rules }; - for stdin')
    .addOption(reasonOption())
    .addOption(yesOption())
    .addHelpText(
      'after',
      examples(
        'flagstaff segments create beta-users --env production --include user-1,user-2',
        'flagstaff segments create staff --env production -f staff.yaml',
      ),
    )
    .action(async (key: string, _options, command: Command) => {
      const ctx = new CommandContext<SegmentOptions>(io, command);
      const { env, name, description, include, exclude, file } = ctx.options;
      const fromFile = file ? await readSegmentFile(io, file) : {};
      const body = { ...fromFile, key, name: name ?? fromFile.name, description: description ?? fromFile.description };
      if (include.length) body.included = include;
      if (exclude.length) body.excluded = exclude;
      const api = await ctx.api();
      await ctx.confirm(`create segment ${key} in ${env}`, [env]);
      const segment = await api.createSegment(env, body);
      ctx.out.result(segment, () => ctx.out.line(`Created segment ${segment.key} in ${env}.`));
    });

  segments
    .command('update')
    .description('replace the fields given in a JSON/YAML file; the others stay as they are')
    .argument('<key>', 'segment key')
    .requiredOption('--env <env>', 'environment')
    .requiredOption('-f, --file <path>', 'segment fields { name, description, included, excluded, rules }; - for stdin')
    .addOption(reasonOption())
    .addOption(yesOption())
    .addHelpText('after', examples('flagstaff segments update beta-users --env production -f beta-users.yaml'))
    .action(async (key: string, _options, command: Command) => {
      const ctx = new CommandContext<SegmentOptions & { file: string }>(io, command);
      const { env, file } = ctx.options;
      const changes = await readSegmentFile(io, file);
      const api = await ctx.api();
      const current = await api.getSegment(env, key);
      const { name, description, included, excluded, rules } = { ...current, ...changes };
      await ctx.confirm(`update segment ${key} in ${env}`, [env]);
      const segment = await api.putSegment(env, key, { name, description, included, excluded, rules }, current.version);
      ctx.out.result(segment, () => ctx.out.line(`Updated segment ${key} in ${env} (version ${segment.version}).`));
    });

  segments
    .command('delete')
    .description('delete a segment no flag refers to')
    .argument('<key>', 'segment key')
    .requiredOption('--env <env>', 'environment')
    .addOption(reasonOption())
    .addOption(yesOption())
    .addHelpText('after', examples('flagstaff segments delete beta-users --env staging'))
    .action(async (key: string, _options, command: Command) => {
      const ctx = new CommandContext<SegmentOptions>(io, command);
      const { env } = ctx.options;
      const api = await ctx.api();
      // Read first so an unknown segment or environment fails before the prompt, not after it.
      await api.getSegment(env, key);
      await ctx.confirm(`delete segment ${key} in ${env}`, [env]);
      await api.deleteSegment(env, key);
      ctx.out.result({ deleted: key, env }, () => ctx.out.line(`Deleted segment ${key} in ${env}.`));
    });
}

const SEGMENT_FIELDS = ['name', 'description', 'included', 'excluded', 'rules'];

async function readSegmentFile(io: Io, path: string): Promise<SegmentInput> {
  const text = await readInput(io, path);
  const { parse } = await loadYaml();
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON or YAML: ${(error as Error).message}`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new UsageError(`${path} must hold an object with ${SEGMENT_FIELDS.join(', ')}`);
  }
  const unknown = Object.keys(document).filter((field) => !SEGMENT_FIELDS.includes(field) && field !== 'key');
  if (unknown.length) throw new UsageError(`${path}: unknown field(s) ${unknown.join(', ')}`);
  const { key: _key, ...fields } = document as SegmentInput & { key?: unknown };
  return fields;
}

function printSegment(ctx: CommandContext, segment: SegmentResource): void {
  ctx.out.fields([
    ['key', ctx.out.style.bold(segment.key)],
    ['name', segment.name],
    ['description', segment.description || ctx.out.style.dim('(none)')],
    ['included', segment.included.join(', ') || ctx.out.style.dim('(none)')],
    ['excluded', segment.excluded.join(', ') || ctx.out.style.dim('(none)')],
    ['version', String(segment.version)],
  ]);
  for (const rule of segment.rules) ctx.out.line(`rule  ${rule.clauses.map(describeClause).join(' and ')}`);
}
