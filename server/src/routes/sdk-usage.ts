// POST /sdk/v1/usage — SDKs report evaluation counts and the environment version they apply
// (sdk-node/src/usage.ts builds the body). Recorded by store/usage.ts; read back in admin-usage.ts.
import { Hono } from 'hono';
import { z } from 'zod';
import { requireSdkKey } from '../auth.js';
import { readBody } from '../http/body.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { viewFor } from '../snapshot-views.js';

/** Generous bounds: an SDK sends one report a minute; anything past these is not an SDK. */
const usageReport = z.object({
  instanceId: z.string().trim().min(1).max(200),
  sdk: z.string().trim().min(1).max(100),
  version: z.number().int().nonnegative().nullable(),
  window: z.object({ start: z.iso.datetime(), end: z.iso.datetime() }).optional(),
  flags: z
    .array(
      z.object({
        key: z.string().min(1).max(128),
        variation: z.number().int().nonnegative().max(10_000).nullable(),
        count: z.number().int().positive().max(1e12),
      }),
    )
    .max(10_000),
});

export function sdkUsageRoutes({ auth, store, snapshots }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/', requireSdkKey(auth), async (c) => {
    const report = await readBody(c, usageReport);
    const { env, keyId, audience } = c.get('sdk');
    // A key reports only flags it can see: a public client key could otherwise make a server-only flag
    // look alive (its "last evaluated" feeds stale-flag reports). Counts for other keys are dropped as
    // the store drops unknown ones, so `recorded` tells a client key nothing about server-only flags.
    if (audience === 'client') {
      const snapshot = snapshots.snapshot(env);
      const visible = snapshot === null ? {} : viewFor(snapshot, audience).flags;
      report.flags = report.flags.filter((f) => Object.hasOwn(visible, f.key));
    }
    const recorded = store.usage.record(env, keyId, report);
    return c.json({ recorded }, 202);
  });

  return app;
}
