// `flagstaff export` and `flagstaff apply`: flags as code. Export writes the server's flags (and segments)
// as YAML; apply shows the plan to make the server match a file and, unless --dry-run, carries it out.
// Export then apply against the same server is a no-op: every step of the plan is "unchanged".
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { SegmentResource } from '@flagstaff/core/admin';
import type { AdminApi } from '../api.js';
import { CommandContext, examples, reasonOption, yesOption } from '../context.js';
import { ApplyIncomplete, PlanRefused, UsageError } from '../errors.js';
import { type Io, readInput } from '../io.js';
import { collect } from '../parse.js';
import { applyPlan, type StepOutcome } from '../flags-as-code/apply.js';
import { parseDocument, renderDocument, toDocument } from '../flags-as-code/document.js';
import { type Plan, planChanges, type ServerState, summarise } from '../flags-as-code/plan.js';

export function registerFlagsAsCode(program: Command, io: Io): void {
  program
    .command('export')
    .description('write every flag (definition + state per environment) and segment as YAML')
    .option('--env <env>', 'only this environment (repeatable)', collect)
    .option('-o, --output <path>', 'write to a file instead of stdout')
    .addHelpText('after', examples('flagstaff export > flags.yaml', 'flagstaff export --env production -o production.yaml'))
    .action(async (_options, command: Command) => {
      const ctx = new CommandContext<{ env?: string[]; output?: string }>(io, command);
      const api = await ctx.api();
      const { environments } = await api.listEnvironments();
      const known = environments.map((env) => env.key);
      const envs = ctx.options.env ?? known;
      const missing = envs.filter((env) => !known.includes(env));
      if (missing.length) throw new UsageError(`no environment ${missing.join(', ')} (there are: ${known.join(', ')})`);

      const [{ flags }, segments] = await Promise.all([api.listFlags(), segmentsOf(api, envs)]);
      const document = toDocument(flags, segments, envs);
      const text = ctx.out.json ? `${JSON.stringify(document, null, 2)}\n` : await renderDocument(document);
      if (ctx.options.output) {
        await writeFile(ctx.options.output, text);
        ctx.out.note(`Wrote ${Object.keys(document.flags).length} flags to ${ctx.options.output}.`);
      } else {
        ctx.out.write(text);
      }
    });

  program
    .command('apply')
    .description('make the server match a flags file: shows the plan, then applies it with If-Match versions')
    .requiredOption('-f, --file <path>', 'the flags file (YAML or JSON, as `export` writes it); - for stdin')
    .option('--dry-run', 'show the plan and change nothing')
    .addOption(reasonOption())
    .addOption(yesOption())
    .addHelpText('after', examples('flagstaff apply -f flags.yaml --dry-run', 'flagstaff apply -f flags.yaml --reason "PR #42" --yes'))
    .action(async (_options, command: Command) => {
      const ctx = new CommandContext<{ file: string; dryRun?: boolean }>(io, command);
      const { file, dryRun } = ctx.options;
      const document = await parseDocument(await readInput(io, file), file === '-' ? 'stdin' : file);
      const api = await ctx.api();
      const server = await serverState(api);
      const plan = planChanges(document, server);
      const source = file === '-' ? 'stdin' : file;
      if (plan.invalid.length) {
        throw new UsageError(
          `${source} is not valid; nothing was changed:\n${bulleted(plan.invalid)}`,
          'fix the file and run apply again (see docs/cli.md, "Flags as code")',
        );
      }
      if (plan.problems.length) throw new PlanRefused(`${source} cannot be applied:\n${bulleted(plan.problems)}`);
      const { printPlan, describeOutcome } = await import('../flags-as-code/render.js');
      if (!ctx.out.json) printPlan(ctx.out, plan);
      const counts = summarise(plan);
      const changing = counts.create + counts.update > 0;
      if (dryRun || !changing) {
        ctx.out.result({ plan: planJson(plan), counts, applied: false, outcomes: [] }, () =>
          ctx.out.line(changing ? 'Dry run: nothing was changed.' : 'Nothing to change.'),
        );
        return;
      }

      await ctx.confirm(`apply this plan (${counts.create} to create, ${counts.update} to update)`, envsTouched(plan, server.environments));
      const outcomes = await applyPlan(api, plan, (outcome) => {
        if (!ctx.out.json) ctx.out.line(describeOutcome(ctx.out, outcome));
      });
      ctx.out.result({ plan: planJson(plan), counts, applied: true, outcomes: outcomes.map(outcomeJson) }, () => undefined);
      const refused = outcomes.filter((outcome) => outcome.status !== 'applied');
      if (refused.length) {
        const conflicts = refused.some((outcome) => outcome.status === 'conflict');
        throw new ApplyIncomplete(
          `${refused.length} of ${outcomes.length} changes were not applied`,
          conflicts
            ? 'a conflict means someone changed it after the plan was made: run apply again to see the new plan'
            : 'the ✓ steps were applied; fix what the server refused, then run apply again to see what is left',
        );
      }
      if (!ctx.out.json) ctx.out.line(`Applied ${outcomes.length} change${outcomes.length === 1 ? '' : 's'}.`);
    });
}

async function segmentsOf(api: AdminApi, envs: string[]): Promise<Record<string, SegmentResource[]>> {
  const lists = await Promise.all(envs.map((env) => api.listSegments(env)));
  return Object.fromEntries(envs.map((env, index) => [env, lists[index]!.segments]));
}

async function serverState(api: AdminApi): Promise<ServerState> {
  const [{ environments }, { flags }] = await Promise.all([api.listEnvironments(), api.listFlags({ archived: 'all' })]);
  const known = environments.map((env) => env.key);
  // Every environment's segments, not only the file's: a flag's segmentMatch may name one the file leaves out.
  return { environments: known, flags, segments: await segmentsOf(api, known) };
}

const bulleted = (lines: string[]) => lines.map((line) => `  - ${line}`).join('\n');

/** The environments a plan changes. A flag definition is shared, so updating one touches them all. */
function envsTouched(plan: Plan, environments: string[]): string[] {
  return plan.steps.flatMap((step) => {
    if (step.action === 'unchanged') return [];
    if (step.resource === 'flag') return step.action === 'update' ? environments : [];
    return [step.env];
  });
}

function planJson(plan: Plan) {
  return plan.steps.map(({ resource, action, key, version, changes, ...rest }) => ({
    resource,
    action,
    key,
    ...('env' in rest ? { env: rest.env } : {}),
    version: version ?? null,
    changes,
  }));
}

function outcomeJson({ step, status, message, version }: StepOutcome) {
  const env = 'env' in step ? { env: step.env } : {};
  return { resource: step.resource, key: step.key, ...env, status, message: message ?? null, version: version ?? null };
}
