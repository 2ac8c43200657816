// /api/v1/environments/:env/kill-rules — which alerts turn which flags off (docs/alerts.md).
import { Hono } from 'hono';
import { z } from 'zod';
import { FLAG_KEY_PATTERN } from '@flagstaff/core';
import { labelMatcherSchema } from '../alerts/matchers.js';
import { requireScope } from '../auth.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { readBody } from '../http/body.js';
import { writeMeta } from '../http/write-meta.js';

const createRuleBody = z.strictObject({
  alert: z.string().trim().min(1, 'alert names the alert (alertname, or the Datadog monitor name)').max(200),
  matchers: z.array(labelMatcherSchema).max(20).optional(),
  flag: z.string().regex(FLAG_KEY_PATTERN, 'a flag key').optional(),
  flagLabel: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'a label name')
    .optional(),
  action: z.enum(['off', 'rollback'], { error: 'action is off or rollback' }).optional(),
  onResolve: z.enum(['keep', 'restore'], { error: 'onResolve is keep or restore' }).optional(),
});

export function killRuleRoutes({ store }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', requireScope('read'), (c) => c.json({ killRules: store.killRules.list(c.req.param('env')!) }));
  app.get('/:id', requireScope('read'), (c) => c.json(store.killRules.get(c.req.param('env')!, c.req.param('id'))));

  app.post('/', requireScope('admin'), async (c) => {
    const body = await readBody(c, createRuleBody);
    return c.json(store.killRules.create(c.req.param('env')!, body, writeMeta(c)), 201);
  });

  app.delete('/:id', requireScope('admin'), (c) => {
    store.killRules.delete(c.req.param('env')!, c.req.param('id'), writeMeta(c));
    return c.body(null, 204);
  });

  return app;
}
