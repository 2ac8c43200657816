// POST /api/v1/evaluate — "why did user X get Y": core's evaluator on the environment's current snapshot.
import { Hono } from 'hono';
import { z } from 'zod';
import { evaluate, validateContext, type JsonValue } from '@flagstaff/core';
import type { Evaluation } from '@flagstaff/core/admin';
import { requireScope } from '../auth.js';
import { ApiError, notFound, validationFailed } from '../errors.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { readBody } from '../http/body.js';

const evaluateBody = z.strictObject({
  env: z.string().min(1),
  flag: z.string().min(1),
  // Required: "what does this context get" needs the context. z.unknown() alone answers zod's own wording.
  context: z.custom<unknown>((value) => value !== undefined, { error: 'required: the context to evaluate for, e.g. { "key": "user-1" }' }),
  default: z.json().optional(),
});

export function evaluateRoutes({ store }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/', requireScope('read'), async (c) => {
    const body = await readBody(c, evaluateBody);
    const context = validateContext(body.context);
    if (!context.ok) throw validationFailed(context.issues.map((i) => ({ ...i, path: i.path ? `context.${i.path}` : 'context' })));
    const prepared = store.snapshots.prepared(body.env);
    if (prepared === null) throw notFound(`environment "${body.env}"`);
    const flag = Object.hasOwn(prepared.raw.flags, body.flag) ? prepared.raw.flags[body.flag] : undefined;
    if (flag === undefined) {
      store.flags.get(body.flag); // 404 when the flag does not exist at all
      throw new ApiError('not_found', `flag "${body.flag}" is archived: unarchive it to evaluate it`);
    }
    const detail = evaluate(prepared, body.flag, context.value, (body.default ?? null) as JsonValue);
    return c.json({
      flag: body.flag,
      env: body.env,
      flagVersion: flag.version,
      value: detail.value,
      variationIndex: detail.variationIndex,
      reason: detail.reason,
    } satisfies Evaluation);
  });

  return app;
}
