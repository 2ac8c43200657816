// GET /api/v1/environments/:env/changes/:version — how far one change reached: the SDK streams of this
// instance that were sent it, how many acknowledged it and how fast, and which have not (docs/api.md,
// "Changes and their reach"). `flagstaff on|off|rollout … --wait` polls it.
import { Hono } from 'hono';
import { requireScope } from '../auth.js';
import { ApiError, notFound } from '../errors.js';
import type { AppDeps, AppEnv } from '../http/context.js';

export function changeRoutes({ snapshots, streaming }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/:version', requireScope('read'), (c) => {
    const env = c.req.param('env')!;
    const raw = c.req.param('version');
    if (!/^\d{1,15}$/.test(raw)) throw new ApiError('invalid_query', 'version must be a whole number');
    const version = Number(raw);
    const current = snapshots.snapshot(env);
    if (current === null) throw notFound(`environment "${env}"`);
    if (version > current.version) throw notFound(`version ${version} of "${env}" (it is at ${current.version})`);
    const report = streaming?.reach?.report(env, version) ?? null;
    if (report === null) throw notFound(`a propagation report of version ${version} of "${env}" on this instance`);
    return c.json(report);
  });

  return app;
}
