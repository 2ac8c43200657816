// The admin side of usage: when each flag was last evaluated (and how often, per variation), and which
// environment version each SDK instance applies. SDKs feed both through POST /sdk/v1/usage.
import { Hono } from 'hono';
import { requireScope } from '../auth.js';
import { ApiError, notFound } from '../errors.js';
import type { AppDeps, AppEnv } from '../http/context.js';

export function adminUsageRoutes({ store, snapshots }: AppDeps): Hono<AppEnv> {
  // Mounted at /api/v1 beside other groups: the scope check goes on each route, not on '*'.
  const app = new Hono<AppEnv>();

  app.get('/flags/:key/usage', requireScope('read'), (c) => {
    const env = c.req.query('env');
    if (env === '') throw new ApiError('invalid_query', 'env must name an environment');
    const flag = c.req.param('key');
    return c.json({ flag, usage: store.usage.flagUsage(flag, env) });
  });

  app.get('/environments/:env/sdk-instances', requireScope('read'), (c) => {
    const env = c.req.param('env');
    const snapshot = snapshots.snapshot(env);
    if (snapshot === null) throw notFound(`environment "${env}"`);
    return c.json({ env, version: snapshot.version, instances: store.usage.sdkInstances(env, snapshot.version) });
  });

  return app;
}
