// The HTTP application: middleware in the order a request meets it, then every route group.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { requireAdmin } from './auth.js';
import { ApiError } from './errors.js';
import { jsonBodies } from './http/body.js';
import type { AppDeps, AppEnv } from './http/context.js';
import { observe } from './http/observe.js';
import { rateLimit } from './http/rate-limit.js';
import { securityHeaders } from './http/security-headers.js';
import { environmentRoutes } from './routes/admin-envs.js';
import { flagStateRoutes } from './routes/admin-flag-states.js';
import { flagRoutes } from './routes/admin-flags.js';
import { keyRoutes } from './routes/admin-keys.js';
import { segmentRoutes } from './routes/admin-segments.js';
import { auditRoutes } from './routes/audit.js';
import { evaluateRoutes } from './routes/evaluate.js';
import { healthRoutes } from './routes/health.js';
import { hookAdminRoutes } from './routes/admin-hooks.js';
import { hookRoutes } from './routes/hooks.js';
import { killRuleRoutes } from './routes/admin-kill-rules.js';
import { notificationRoutes } from './routes/admin-notifications.js';
import { ofrepRoutes } from './routes/ofrep.js';
import { rolloutPlanRoutes } from './routes/admin-rollout-plans.js';
import { sdkRoutes } from './routes/sdk.js';
import { adminUsageRoutes } from './routes/admin-usage.js';
import { sdkUsageRoutes } from './routes/sdk-usage.js';
import { sdkAckRoutes } from './routes/sdk-ack.js';
import { changeRoutes } from './routes/admin-changes.js';

export type { AppDeps, AppEnv } from './http/context.js';

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use('*', observe(deps.log, deps.metrics, deps.lifecycle));
  app.use('*', securityHeaders());
  const limit = rateLimit(deps.config.rateLimitPerMinute);
  app.use('/api/*', limit);
  app.use('/hooks/*', limit);
  app.use('*', jsonBodies(deps.config.bodyLimitBytes));
  app.use('/api/*', requireAdmin(deps.auth));

  app.route('/', healthRoutes(deps));

  // Admin API (docs/api.md): admin tokens only, scopes checked per route.
  app.route('/api/v1/environments/:env/segments', segmentRoutes(deps));
  app.route('/api/v1/environments/:env/hooks', hookAdminRoutes(deps));
  app.route('/api/v1/environments/:env/kill-rules', killRuleRoutes(deps));
  app.route('/api/v1/environments/:env/notifications', notificationRoutes(deps));
  app.route('/api/v1/environments/:env/changes', changeRoutes(deps));
  app.route('/api/v1/environments', environmentRoutes(deps));
  app.route('/api/v1/flags/:key/environments', flagStateRoutes(deps));
  app.route('/api/v1/flags', flagRoutes(deps));
  app.route('/api/v1/keys', keyRoutes(deps));
  app.route('/api/v1/audit', auditRoutes(deps));
  app.route('/api/v1/rollout-plans', rolloutPlanRoutes(deps));
  app.route('/api/v1/evaluate', evaluateRoutes(deps));
  app.route('/api/v1', adminUsageRoutes(deps));

  // SDK routes: SDK keys of one environment only.
  app.route('/sdk/v1', sdkRoutes(deps));
  app.route('/sdk/v1/usage', sdkUsageRoutes(deps));
  app.route('/sdk/v1/ack', sdkAckRoutes(deps));
  // SDK streaming (stream/sdk-stream.ts, built by stream/streaming.ts): no body or compression middleware.
  if (deps.streaming) app.route('/sdk/v1/stream', deps.streaming.route);
  app.route('/ofrep/v1', ofrepRoutes(deps));
  // Alert webhooks (docs/alerts.md): each hook's own secret, never admin tokens.
  app.route('/hooks/v1/alerts', hookRoutes(deps));

  app.notFound((c) => c.json(new ApiError('not_found', `no route ${c.req.method} ${c.req.path}`).toBody(), 404));

  app.onError((error, c) => {
    if (error instanceof ApiError) {
      if (error.code === 'unauthorized') c.header('WWW-Authenticate', 'Bearer');
      if (error.code === 'rate_limited') c.header('Retry-After', String(error.details?.retryAfterSeconds ?? 1));
      return c.json(error.toBody(), error.status);
    }
    if (error instanceof HTTPException && error.status < 500) {
      return c.json(new ApiError(error.status === 413 ? 'payload_too_large' : 'invalid_json', error.message).toBody(), error.status);
    }
    const requestId = c.get('requestId');
    deps.log.error('unhandled error', { requestId, method: c.req.method, path: c.req.path, error });
    return c.json(new ApiError('internal', `internal error (request ${requestId})`).toBody(), 500);
  });

  return app;
}
