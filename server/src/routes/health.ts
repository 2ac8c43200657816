// Operations: liveness, readiness and Prometheus metrics. Unauthenticated, and cheap by design.
import { Hono } from 'hono';
import { ApiError } from '../errors.js';
import type { AppDeps, AppEnv } from '../http/context.js';

export function healthRoutes({ store, lifecycle, metrics, streaming }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.get('/readyz', (c) => {
    if (lifecycle.stopping) throw new ApiError('unavailable', 'shutting down');
    const storeProblem = store.problem();
    if (storeProblem) throw new ApiError('unavailable', storeProblem);
    const streamProblem = streaming?.unready();
    if (streamProblem) throw new ApiError('unavailable', streamProblem);
    return c.json({ status: 'ready' });
  });

  app.get('/metrics', (c) => c.body(metrics.registry.render(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }));

  return app;
}
