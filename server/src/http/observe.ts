// Per request: a request id (the caller's `X-Request-Id` if it is sane, else a new one), one structured
// log line, and the Prometheus request count and latency by route pattern.
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Lifecycle } from '../lifecycle.js';
import type { Logger } from '../log.js';
import type { ServerMetrics } from '../metrics.js';
import type { AppEnv } from './context.js';

const SANE_REQUEST_ID = /^[\w.:-]{1,128}$/;
/** Routes polled by machines: logged at debug so they do not drown the rest. */
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

export function observe(log: Logger, metrics: ServerMetrics, lifecycle: Lifecycle): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header('X-Request-Id');
    const requestId = incoming && SANE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    c.set('requestId', requestId);
    await next();
    c.header('X-Request-Id', requestId);
    // While shutting down, tell keep-alive clients to reconnect (to another instance, or after restart).
    if (lifecycle.stopping) c.header('Connection', 'close');

    const seconds = (performance.now() - started) / 1000;
    // The route pattern, not the path: label values must come from a bounded set.
    const handlers = matchedRoutes(c).filter((r) => r.method !== 'ALL');
    const route = handlers[handlers.length - 1]?.path ?? 'unmatched';
    const status = c.res.status;
    metrics.httpRequests.inc({ method: c.req.method, route, status: String(status) });
    metrics.httpDuration.observe({ method: c.req.method, route }, seconds);

    const fields = {
      requestId,
      method: c.req.method,
      // The path only: a query string may hold a client key.
      path: c.req.path,
      route,
      status,
      ms: Math.round(seconds * 10_000) / 10,
      keyId: c.get('admin')?.keyId ?? c.get('sdk')?.keyId,
    };
    if (QUIET_ROUTES.has(route)) log.debug('request', fields);
    else log.info('request', fields);
  };
}
