// /api/v1/environments
import { Hono } from 'hono';
import { z } from 'zod';
import { requireScope } from '../auth.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { readBody } from '../http/body.js';
import { writeMeta } from '../http/write-meta.js';
import { ENV_KEY_PATTERN } from '../store/index.js';

const createEnvironmentBody = z.strictObject({
  key: z.string().regex(ENV_KEY_PATTERN, 'an environment key is 1–64 characters of a-z, 0-9, "_", "-", starting with a letter or digit'),
  name: z.string().trim().min(1).max(100).optional(),
});

export function environmentRoutes({ store }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', requireScope('read'), (c) => c.json({ environments: store.environments.list() }));

  app.get('/:env', requireScope('read'), (c) => c.json(store.environments.get(c.req.param('env'))));

  app.post('/', requireScope('admin'), async (c) => {
    const body = await readBody(c, createEnvironmentBody);
    return c.json(store.environments.create(body, writeMeta(c)), 201);
  });

  return app;
}
