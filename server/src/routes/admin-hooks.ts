// /api/v1/environments/:env/hooks — alert webhook receivers. The secret is in the creation response and
// nowhere else; the URL to give the alerting system comes with it.
import { Hono } from 'hono';
import { z } from 'zod';
import type { CreatedHook, ListedHook } from '@flagstaff/core/admin';
import { PROVIDERS } from '../alerts/alert.js';
import { hookAuth } from '../alerts/providers.js';
import { requireScope } from '../auth.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { readBody } from '../http/body.js';
import { writeMeta } from '../http/write-meta.js';

const createHookBody = z.strictObject({
  provider: z.enum(PROVIDERS, { error: `provider is one of ${PROVIDERS.join(', ')}` }),
  name: z.string().trim().min(1).max(100).optional(),
  auth: z.enum(['bearer', 'hmac'], { error: 'auth is bearer or hmac' }).optional(),
});

/** The hook's URL on this server, as the admin reached it (a proxy in front should pass Host through). */
const hookUrl = (requestUrl: string, provider: string, id: string) => `${new URL(requestUrl).origin}/hooks/v1/alerts/${provider}/${id}`;

export function hookAdminRoutes({ store }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requireScope('admin'));

  app.get('/', (c) => {
    const hooks = store.hooks
      .list(c.req.param('env')!)
      .map((hook): ListedHook => ({ ...hook, url: hookUrl(c.req.url, hook.provider, hook.id) }));
    return c.json({ hooks });
  });

  app.post('/', async (c) => {
    const body = await readBody(c, createHookBody);
    const auth = hookAuth(body.provider, body.auth);
    const { info, secret } = store.hooks.create(c.req.param('env')!, { ...body, auth }, writeMeta(c));
    c.header('Cache-Control', 'no-store');
    return c.json({ ...info, url: hookUrl(c.req.url, info.provider, info.id), secret } satisfies CreatedHook, 201);
  });

  app.delete('/:id', (c) => c.json(store.hooks.revoke(c.req.param('env')!, c.req.param('id'), writeMeta(c))));

  return app;
}
