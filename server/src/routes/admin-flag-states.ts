// /api/v1/flags/:key/environments/:env — a flag's state in one environment.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { ruleSchema, serveSchema, targetSchema } from '@flagstaff/core';
import { requireScope } from '../auth.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { readBody } from '../http/body.js';
import { setVersionTag, writeMeta } from '../http/write-meta.js';
import type { FlagStateInput } from '../store/index.js';
import type { SnapshotSource } from '../store/changes.js';

const stateFields = {
  on: z.boolean(),
  offVariation: z.int().min(0),
  targets: z.array(targetSchema),
  rules: z.array(ruleSchema),
  fallthrough: serveSchema,
};
// A state read with GET may be sent back as it is: its read-only fields are ignored.
const readOnlyFields = { version: z.unknown().optional(), updatedAt: z.unknown().optional() };

const putStateBody = z.strictObject({ ...stateFields, ...readOnlyFields });
const patchStateBody = z.strictObject({ ...z.object(stateFields).partial().shape, ...readOnlyFields });

function writable(body: Partial<FlagStateInput> & Record<string, unknown>): Partial<FlagStateInput> {
  const { version: _version, updatedAt: _updatedAt, ...state } = body;
  return state;
}

/**
 * The environment's version once the write committed, so that `flagstaff off … --wait` knows which change's
 * reach to wait for (GET /api/v1/environments/:env/changes/:version). Read in the same tick as the commit.
 */
function setEnvVersion(c: Context<AppEnv>, snapshots: SnapshotSource, env: string): void {
  const version = snapshots.snapshot(env)?.version;
  if (version !== undefined) c.header('X-Flagstaff-Env-Version', String(version));
}

export function flagStateRoutes({ store, snapshots }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/:env', requireScope('read'), (c) => {
    const state = store.flagStates.get(c.req.param('key')!, c.req.param('env'));
    setVersionTag(c, state.version);
    return c.json(state);
  });

  app.put('/:env', requireScope('write'), async (c) => {
    const meta = writeMeta(c, { requireIfMatch: true });
    const body = await readBody(c, putStateBody);
    const state = store.flagStates.replace(c.req.param('key')!, c.req.param('env'), writable(body) as FlagStateInput, meta);
    setVersionTag(c, state.version);
    setEnvVersion(c, snapshots, c.req.param('env'));
    return c.json(state);
  });

  app.patch('/:env', requireScope('write'), async (c) => {
    const meta = writeMeta(c);
    const body = await readBody(c, patchStateBody);
    const state = store.flagStates.patch(c.req.param('key')!, c.req.param('env'), writable(body), meta);
    setVersionTag(c, state.version);
    setEnvVersion(c, snapshots, c.req.param('env'));
    return c.json(state);
  });

  return app;
}
