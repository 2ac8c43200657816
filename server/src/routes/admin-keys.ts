// /api/v1/keys — admin tokens and SDK keys. A key's secret is in the creation response and nowhere else.
import { Hono } from 'hono';
import { z } from 'zod';
import type { CreatedKey } from '@flagstaff/core/admin';
import { requireScope } from '../auth.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { readBody } from '../http/body.js';
import { writeMeta } from '../http/write-meta.js';

const createKeyBody = z.strictObject({
  kind: z.enum(['admin', 'server', 'client'], { error: 'kind is one of admin, server, client' }),
  env: z.string().min(1).optional(),
  name: z.string().trim().min(1).max(100).optional(),
  scopes: z
    .array(z.enum(['read', 'write', 'admin'], { error: 'a scope is one of read, write, admin' }))
    .min(1, 'give at least one scope')
    .optional(),
});

export function keyRoutes({ store }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requireScope('admin'));

  app.get('/', (c) => c.json({ keys: store.keys.list() }));

  app.post('/', async (c) => {
    const body = await readBody(c, createKeyBody);
    const { info, key } = store.keys.create(body, writeMeta(c));
    c.header('Cache-Control', 'no-store');
    return c.json({ ...info, key } satisfies CreatedKey, 201);
  });

  app.delete('/:id', (c) => c.json(store.keys.revoke(c.req.param('id'), writeMeta(c))));

  return app;
}
