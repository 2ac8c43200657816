// GET /sdk/v1/flags — an environment's snapshot for SDKs (their bootstrap and polling fallback).
// The stream (GET /sdk/v1/stream) lives in routes/sdk-stream.ts and is mounted beside this in app.ts.
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { credentialFromHeader, requireSdkKey } from '../auth.js';
import { ApiError } from '../errors.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { kindOf } from '../secrets.js';
import { matchesIfNoneMatch, serialized, snapshotTag, viewFor } from '../snapshot-views.js';

const presentedSecret = (c: Context) => credentialFromHeader(c.req.header('Authorization')) ?? c.req.query('key')?.trim();

/**
 * Browsers call this route with client keys, which are public: CORS `*` for them, on errors too so that
 * a 401 is readable. Only for them: a page on another origin must not read what a server key returns
 * (docs/operations.md, "Security headers and CORS"). A preflight carries no credentials, so it is
 * answered unless its URL holds a key that is not a client key; the request itself is then checked.
 */
export const publicCors: MiddlewareHandler = async (c, next) => {
  await next();
  const secret = presentedSecret(c);
  const isClientKey = secret !== undefined && kindOf(secret) === 'client';
  if (c.req.method === 'OPTIONS' ? secret !== undefined && !isClientKey : !isClientKey) return;
  c.header('Access-Control-Allow-Origin', '*');
  if (c.req.method === 'OPTIONS') {
    c.header('Access-Control-Allow-Methods', 'GET, OPTIONS');
    c.header('Access-Control-Allow-Headers', 'Authorization, If-None-Match');
    c.header('Access-Control-Max-Age', '86400');
  } else {
    c.header('Access-Control-Expose-Headers', 'ETag, X-Request-Id');
  }
};

export function sdkRoutes({ auth, snapshots }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.options('/flags', publicCors, (c) => c.body(null, 204));

  app.get('/flags', publicCors, requireSdkKey(auth), (c) => {
    const { env, audience } = c.get('sdk');
    const snapshot = snapshots.snapshot(env);
    if (snapshot === null) throw new ApiError('not_found', `environment "${env}" does not exist`);
    const tag = snapshotTag(snapshot.version, audience);
    c.header('ETag', tag);
    c.header('Cache-Control', 'no-cache');
    c.header('Vary', 'Authorization');
    if (matchesIfNoneMatch(c.req.header('If-None-Match'), tag)) return c.body(null, 304);
    return c.body(serialized(viewFor(snapshot, audience)), 200, { 'Content-Type': 'application/json; charset=utf-8' });
  });

  return app;
}
