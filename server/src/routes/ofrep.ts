// /ofrep/v1 — flags for any OpenFeature SDK through its OFREP provider, authorised by an SDK key.
// Failures use OFREP's bodies (`{ key?, errorCode, errorDetails }`), not the admin API's error shape.
import { Hono, type Context } from 'hono';
import { requireSdkKey } from '../auth.js';
import { ApiError } from '../errors.js';
import { MAX_BODY_DEPTH, nestsDeeperThan, TOO_DEEP } from '../http/body.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { bulkTag, contextOf, evaluateForOfrep, FAILURE_STATUS, OfrepRequestError } from '../ofrep.js';
import { matchesIfNoneMatch, viewFor } from '../snapshot-views.js';

async function requestBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return undefined;
  if (nestsDeeperThan(text, MAX_BODY_DEPTH)) throw new OfrepRequestError('PARSE_ERROR', TOO_DEEP);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new OfrepRequestError('PARSE_ERROR', `the body is not valid JSON: ${(error as Error).message}`);
  }
}

export function ofrepRoutes({ auth, store }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requireSdkKey(auth));

  const stateOf = (c: Context<AppEnv>) => {
    const { env, audience } = c.get('sdk');
    const prepared = store.snapshots.prepared(env);
    if (prepared === null) throw new ApiError('not_found', `environment "${env}" does not exist`);
    return { prepared, audience, visible: viewFor(prepared.raw, audience).flags };
  };

  app.post('/evaluate/flags/:key', async (c) => {
    const key = c.req.param('key');
    try {
      const context = contextOf(await requestBody(c));
      const { prepared, visible } = stateOf(c);
      const result = evaluateForOfrep(prepared, visible, key, context);
      return 'errorCode' in result ? c.json(result, FAILURE_STATUS[result.errorCode]) : c.json(result);
    } catch (error) {
      if (!(error instanceof OfrepRequestError)) throw error;
      return c.json({ key, errorCode: error.errorCode, errorDetails: error.message }, 400);
    }
  });

  app.post('/evaluate/flags', async (c) => {
    try {
      const context = contextOf(await requestBody(c));
      const { prepared, audience, visible } = stateOf(c);
      const tag = bulkTag(prepared.version, audience, context);
      c.header('ETag', tag);
      if (matchesIfNoneMatch(c.req.header('If-None-Match'), tag)) return c.body(null, 304);
      const flags = Object.keys(visible)
        .sort()
        .map((key) => evaluateForOfrep(prepared, visible, key, context));
      return c.json({ flags });
    } catch (error) {
      if (!(error instanceof OfrepRequestError)) throw error;
      return c.json({ errorCode: error.errorCode, errorDetails: error.message }, 400);
    }
  });

  return app;
}
