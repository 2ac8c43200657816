// GET /sdk/v1/flags — an environment's snapshot for SDKs (their bootstrap and polling fallback).
// The stream (GET /sdk/v1/stream) lives in stream/sdk-stream.ts and is mounted beside this in app.ts.
import { Hono } from 'hono';
import { requireSdkKey } from '../auth.js';
import { ApiError } from '../errors.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { publicCors } from '../http/public-cors.js';
import { matchesIfNoneMatch, serialized, snapshotTag, viewFor } from '../snapshot-views.js';

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
