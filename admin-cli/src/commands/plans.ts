// `flagstaff plans create|list|get|pause|resume|abort`: progressive rollouts that the server steps on schedule
// (docs/rollouts.md). A plan is named by its flag and environment, like every other flag command.
import { type Command, Option } from 'commander';
import type { PlanState, RolloutPlan } from '@flagstaff/core/admin';
import type { AdminApi } from '../api.js';
import { CommandContext, examples, ifMatchOption, reasonOption, yesOption } from '../context.js';
import { ServerRefusal, UsageError } from '../errors.js';
import type { Io } from '../io.js';
import type { Output } from '../output.js';
import { findVariation, formatValue, parsePercentage } from '../parse.js';

type CreateOptions = { env: string; steps: string; hold: string; variation?: string; from?: string; bucketBy?: string };

const HOLD_UNITS = { s: 1, m: 60, h: 3_600, d: 86_400 } as const;

/** `--hold 90s | 15m | 1h | 2d` (a bare number is seconds) → seconds. */
export function parseHold(text: string): number {
  const match = /^(\d{1,7})([smhd]?)$/.exec(text.trim());
  if (!match || Number(match[1]) === 0) {
    throw new UsageError(`--hold is a duration such as 90s, 15m, 1h or 2d, not "${text}"`);
  }
  return Number(match[1]) * HOLD_UNITS[(match[2] || 's') as keyof typeof HOLD_UNITS];
}

const STEPS_HINT = 'steps are increasing percentages above 0 and up to 100 (at most 3 decimals), e.g. `--steps 5,25,50,100`';

/** `--steps 5,25,50,100` → [5, 25, 50, 100]; each a percentage as `flagstaff rollout` takes it. */
export function parseSteps(text: string): number[] {
  const steps = text.split(',').map((step) => step.trim());
  if (steps.some((step) => step === ''))
    throw new UsageError(`--steps is a comma list of percentages such as 5,25,50,100, not "${text}"`, STEPS_HINT);
  return steps.map((step) => {
    try {
      return parsePercentage(step) / 1000;
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      // parsePercentage's own hint is about `flagstaff rollout`, which is not what was typed.
      throw new UsageError(
        `--steps: a step's percentage must be a number from 0 to 100 with at most 3 decimals, not "${step}"`,
        STEPS_HINT,
      );
    }
  });
}

/**
 * `flagOn: false` when the plan's flag is off in its environment: the plan then waits (docs/rollouts.md), so
 * there is no "next step at" to show — whatever time the server computed, nothing happens until `on`.
 */
function describePlan(out: Output, plan: RolloutPlan, flagOn = true): void {
  const state = { active: out.style.green, paused: out.style.yellow, completed: out.style.cyan, aborted: out.style.red }[plan.state](
    plan.state,
  );
  const pairs: [string, string][] = [
    ['plan', `${plan.id} (version ${plan.version})`],
    ['flag', `${plan.flag} in ${plan.env}`],
    ['state', state],
    // What the plan last set; a person may have changed the flag since (a paused plan says so in its reason).
    [
      'at',
      `step ${plan.currentStep + 1} of ${plan.steps.length}: ${formatValue(plan.variation)} to ${plan.percent} %, ${formatValue(plan.from)} to the rest`,
    ],
    [
      'steps',
      plan.steps.map((step, index) => (index === plan.currentStep ? out.style.bold(`${step.percent}%`) : `${step.percent}%`)).join(' → '),
    ],
  ];
  const next = plan.steps[plan.currentStep + 1];
  const open = plan.state === 'active' || plan.state === 'paused';
  if (open && !flagOn)
    pairs.push([
      'next',
      out.style.yellow(
        `waiting: the flag is off; ${next ? `${next.percent} % one hold after it is turned on` : 'nobody gets it until it is turned on'}`,
      ),
    ]);
  else if (plan.nextStepAt && next) pairs.push(['next', `${next.percent} % at ${plan.nextStepAt}`]);
  if (plan.reason) pairs.push(['reason', `${plan.reason}${plan.stateChangedBy ? ` (${plan.stateChangedBy.name})` : ''}`]);
  pairs.push(['created', `${plan.createdAt} by ${plan.createdBy.name}`]);
  out.fields(pairs);
}

/** The flag's most recent plan in `env`; with `open`, only an active or paused one. */
async function planOf(api: AdminApi, key: string, env: string, open: boolean): Promise<RolloutPlan> {
  const { plans } = await api.listPlans({ flag: key, env });
  const plan = open ? plans.find((p) => p.state === 'active' || p.state === 'paused') : plans[0];
  if (!plan) {
    // No plan for a flag (or environment) that does not exist says so: the server's 404 names which.
    await api.getFlagState(key, env);
    throw new ServerRefusal(404, 'not_found', `${key} has no ${open ? 'active or paused ' : ''}rollout plan in ${env}`);
  }
  return plan;
}

export function registerPlans(program: Command, io: Io): void {
  const plans = program
    .command('plans')
    .description('progressive rollouts: steps of percentages that the server applies on schedule')
    .addHelpText(
      'after',
      examples(
        'flagstaff plans create new-checkout --env production --steps 5,25,50,100 --hold 1h --yes',
        'flagstaff plans get new-checkout --env production',
        'flagstaff plans pause new-checkout --env production --reason "latency up"',
      ),
    );

  plans
    .command('create')
    .description('start a plan: the first step applies now, each next one after the hold; raising keeps everyone who had it')
    .argument('<key>', 'flag key')
    .requiredOption('--env <env>', 'environment')
    .requiredOption('--steps <percentages>', 'increasing percentages, e.g. 5,25,50,100')
    .requiredOption('--hold <duration>', 'how long each step holds before the next: 90s, 15m, 1h, 2d')
    .option('--variation <value>', 'the variation to roll out (default: true; required for non-boolean flags)')
    .option('--from <value>', 'the variation everyone else gets (default: false, or the off variation)')
    .option('--bucket-by <attribute>', 'context attribute users are bucketed by (default: the current one, or key)')
    .addOption(reasonOption())
    .addOption(yesOption())
    .addHelpText(
      'after',
      examples(
        'flagstaff plans create new-checkout --env production --steps 5,25,50,100 --hold 1h --reason "release 4.2"',
        'flagstaff plans create button-colour --env staging --steps 10,50,100 --hold 30m --variation green --from blue',
      ),
    )
    .action(async (key: string, _options, command: Command) => {
      const ctx = new CommandContext<CreateOptions>(io, command);
      const { env, bucketBy } = ctx.options;
      const steps = parseSteps(ctx.options.steps);
      const holdSeconds = parseHold(ctx.options.hold);
      const api = await ctx.api();
      const flag = await api.getFlag(key);
      const pick = (ref: string | undefined, option: string) =>
        ref === undefined ? undefined : flag.variations[findVariation(flag.variations, ref, option)];
      const variation = pick(ctx.options.variation, '--variation');
      const from = pick(ctx.options.from, '--from');
      await ctx.confirm(`start rolling out ${key} in ${env}: ${steps.join('% → ')}%, ${ctx.options.hold} apart`, [env]);
      const plan = await api.createPlan({ flag: key, env, steps, holdSeconds, variation, from, bucketBy });
      // A plan on a flag that is off waits for `on` (docs/rollouts.md): read the state the plan was created
      // on, since someone may have switched the flag between the read above and the create.
      const on = (await api.getFlagState(key, env)).on;
      ctx.out.result(plan, () => {
        describePlan(ctx.out, plan, on);
        if (on) return;
        const then = plan.steps.length > plan.currentStep + 1 ? '; the next step comes one hold after that' : '';
        ctx.out.warn(
          `${key} is off in ${env}: the plan waits, and nobody gets ${plan.percent} % until \`flagstaff on ${key} --env ${env}\`${then}`,
        );
      });
    });

  plans
    .command('list')
    .description('list rollout plans, newest first')
    .option('--env <env>', 'only this environment')
    .option('--flag <key>', 'only this flag')
    .addOption(new Option('--state <state>', 'only plans in this state').choices(['active', 'paused', 'completed', 'aborted']))
    .addHelpText('after', examples('flagstaff plans list --state active', 'flagstaff plans list --flag new-checkout --json'))
    .action(async (_options, command: Command) => {
      const ctx = new CommandContext<{ env?: string; flag?: string; state?: PlanState }>(io, command);
      const { env, flag, state } = ctx.options;
      const result = await (await ctx.api()).listPlans({ env, flag, state });
      ctx.out.result(result, () =>
        ctx.out.table(
          ['id', 'flag', 'env', 'state', 'percent', 'step', 'next step at', 'reason'],
          result.plans.map((plan) => [
            String(plan.id),
            plan.flag,
            plan.env,
            plan.state,
            `${plan.percent}%`,
            `${plan.currentStep + 1}/${plan.steps.length}`,
            plan.nextStepAt ?? '-',
            plan.reason ?? '',
          ]),
        ),
      );
    });

  plans
    .command('get')
    .description("show a flag's latest rollout plan in one environment")
    .argument('<key>', 'flag key')
    .requiredOption('--env <env>', 'environment')
    .addHelpText('after', examples('flagstaff plans get new-checkout --env production'))
    .action(async (key: string, _options, command: Command) => {
      const ctx = new CommandContext<{ env: string }>(io, command);
      const plan = await planOf(await ctx.api(), key, ctx.options.env, false);
      ctx.out.result(plan, () => describePlan(ctx.out, plan));
    });

  const actions = {
    pause: 'stop stepping until resumed; the flag keeps its current percentage',
    resume: 'continue a paused plan: the next step comes one full hold from now',
    abort: 'end the plan for good; the flag keeps its current percentage (`flagstaff rollout KEY 0` rolls back)',
  } as const;
  for (const [action, description] of Object.entries(actions) as [keyof typeof actions, string][]) {
    plans
      .command(action)
      .description(description)
      .argument('<key>', 'flag key')
      .requiredOption('--env <env>', 'environment')
      .addOption(reasonOption())
      .addOption(yesOption())
      .addOption(ifMatchOption())
      .addHelpText('after', examples(`flagstaff plans ${action} new-checkout --env production --reason "INC-123"`))
      .action(async (key: string, _options, command: Command) => {
        const ctx = new CommandContext<{ env: string }>(io, command);
        const { env } = ctx.options;
        const ifMatch = ctx.ifMatch();
        const api = await ctx.api();
        const current = await planOf(api, key, env, true);
        await ctx.confirm(`${action} the rollout plan of ${key} in ${env}`, [env]);
        // No If-Match unless asked: like `off`, a pause or an abort must win over a step taken a second ago.
        const plan = await api.changePlan(current.id, action, ifMatch);
        ctx.out.result(plan, () => describePlan(ctx.out, plan));
      });
  }
}
