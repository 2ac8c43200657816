// The HTTP surface of a relay: SDK reads only (`/sdk/v1/flags`, `/sdk/v1/stream`) plus health and metrics,
// served from the hub's state and authorised against the SDK keys mirrored in Redis. Everything that
// writes (the admin API, hooks, usage) belongs to the primaries.
import type { HttpBindings } from '@hono/node-server';
import { KEY_PREFIX } from '@flagstaff/core';
import { Hono } from 'hono';
import { credentialFromHeader } from '../auth.js';
import { ApiError } from '../errors.js';
import type { AppEnv } from '../http/context.js';
import { securityHeaders } from '../http/security-headers.js';
import { publicCors } from '../http/public-cors.js';
import { sdkStreamRoute } from './sdk-stream.js';
import { matchesIfNoneMatch, serialized, snapshotTag, viewFor } from '../snapshot-views.js';
import type { Admission } from './admission.js';
import type { StreamHub } from './hub.js';
import { processMemoryText } from './metrics.js';
import type { Relay } from './redis-relay.js';

export interface RelayAppDeps {
  hub: StreamHub;
  relay: Relay;
  admission: Admission;
}

type Env = AppEnv & { Bindings: HttpBindings };

export function createRelayApp({ hub, relay, admission }: RelayAppDeps): Hono<Env> {
  const app = new Hono<Env>();
  const authenticate = (raw: string) => relay.directory.lookup(raw);
  // The same headers as a primary's answers (http/security-headers.ts): a relay serves the same routes.
  app.use('*', securityHeaders());

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) => {
    if (hub.closing) throw new ApiError('unavailable', 'shutting down');
    if (!relay.ready) throw new ApiError('unavailable', 'no state loaded from Redis yet');
    return c.json({ status: 'ready', role: 'relay', redis: relay.connected ? 'connected' : 'unreachable' });
  });
  app.get('/metrics', (c) =>
    c.body(hub.metricsText() + processMemoryText(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }),
  );

  app.options('/sdk/v1/flags', publicCors, (c) => {
    c.header('Access-Control-Allow-Methods', 'GET, OPTIONS');
    c.header('Access-Control-Allow-Headers', 'Authorization, If-None-Match');
    return c.body(null, 204);
  });
  app.get('/sdk/v1/flags', publicCors, async (c) => {
    const fromHeader = credentialFromHeader(c.req.header('Authorization'));
    const secret = fromHeader ?? c.req.query('key')?.trim();
    if (!secret) throw new ApiError('unauthorized', 'missing credentials: send Authorization: <SDK key>');
    if (fromHeader === undefined && !secret.startsWith(KEY_PREFIX.client)) {
      throw new ApiError('unauthorized', 'only client keys (fsc_…) may be passed as ?key=');
    }
    const key = await authenticate(secret);
    if (key === 'unavailable') throw new ApiError('unavailable', 'cannot check SDK keys right now; retry');
    if (key === null || key === 'revoked')
      throw new ApiError('unauthorized', key === null ? 'unknown SDK key' : 'this SDK key was revoked');
    const snapshot = hub.snapshot(key.env);
    if (snapshot === null) throw new ApiError('unavailable', `no state for environment "${key.env}" yet`);
    const tag = snapshotTag(snapshot.version, key.audience);
    c.header('ETag', tag);
    c.header('Cache-Control', 'no-cache');
    c.header('Vary', 'Authorization');
    if (matchesIfNoneMatch(c.req.header('If-None-Match'), tag)) return c.body(null, 304);
    return c.body(serialized(viewFor(snapshot, key.audience)), 200, { 'Content-Type': 'application/json; charset=utf-8' });
  });
  app.route('/sdk/v1/stream', sdkStreamRoute({ hub, authenticate, admission, missingEnv: 'unavailable' }));

  app.notFound((c) => {
    const hint = c.req.path.startsWith('/sdk/') ? '' : ' (this is a relay: it serves SDK reads only)';
    return c.json(new ApiError('not_found', `no route ${c.req.method} ${c.req.path}${hint}`).toBody(), 404);
  });
  app.onError((error, c) => {
    const known = error instanceof ApiError ? error : new ApiError('internal', 'internal error');
    if (known.code === 'unavailable') c.header('Retry-After', String(admission.retryAfter(2)));
    return c.json(known.toBody(), known.status);
  });
  return app;
}
