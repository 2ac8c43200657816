// /api/v1/rollout-plans — progressive rollouts that the server steps on schedule (docs/rollouts.md).
import { Hono, type Context } from 'hono';
import type { CreatedRolloutPlan } from '@flagstaff/core/admin';
import { requireScope } from '../auth.js';
import { notFound } from '../errors.js';
import { readBody } from '../http/body.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { parseChoice } from '../http/query.js';
import { setVersionTag, writeMeta } from '../http/write-meta.js';
import { createPlanBody, planWarnings, type PlanState, type RolloutPlan } from '../rollout/plan.js';
import { Rollouts } from '../rollout/plans.js';

const STATES: readonly PlanState[] = ['active', 'paused', 'completed', 'aborted'];

function planId(c: Context<AppEnv>): number {
  const text = c.req.param('id') ?? '';
  if (!/^\d{1,15}$/.test(text)) throw notFound(`rollout plan ${JSON.stringify(text)}`);
  return Number(text);
}

function sendPlan(c: Context<AppEnv>, plan: RolloutPlan) {
  setVersionTag(c, plan.version);
  return c.json(plan);
}

export function rolloutPlanRoutes({ store }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const plans = new Rollouts(store.rolloutPlans);

  app.get('/', requireScope('read'), (c) => {
    const query = c.req.query();
    const state = query.state === undefined ? undefined : parseChoice('state', query.state, STATES, 'active');
    return c.json({ plans: plans.list({ env: query.env, flag: query.flag, state }) });
  });

  app.post('/', requireScope('write'), async (c) => {
    const meta = writeMeta(c);
    const body = await readBody(c, createPlanBody);
    const plan = plans.create(body, meta);
    setVersionTag(c, plan.version);
    // Only in this answer: the CLI prints them after creating a plan.
    const warnings = planWarnings(plan, store.flagStates.get(plan.flag, plan.env).on);
    return c.json({ ...plan, warnings } satisfies CreatedRolloutPlan, 201);
  });

  app.get('/:id', requireScope('read'), (c) => sendPlan(c, plans.get(planId(c))));

  app.post('/:id/pause', requireScope('write'), (c) => sendPlan(c, plans.pause(planId(c), writeMeta(c))));
  app.post('/:id/resume', requireScope('write'), (c) => sendPlan(c, plans.resume(planId(c), writeMeta(c))));
  app.post('/:id/abort', requireScope('write'), (c) => sendPlan(c, plans.abort(planId(c), writeMeta(c))));

  return app;
}
