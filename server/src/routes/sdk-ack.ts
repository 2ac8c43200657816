// POST /sdk/v1/ack — an SDK says which environment version it has applied (docs/protocol.md,
// "Acknowledgements"), within a second of applying it, several versions in that second sent as the newest.
// It feeds the propagation reports (stream/reach.ts) read back at GET /api/v1/environments/:env/changes/:version.
import { Hono } from 'hono';
import { z } from 'zod';
import { requireSdkKey } from '../auth.js';
import { readBody } from '../http/body.js';
import type { AppDeps, AppEnv } from '../http/context.js';

const ack = z.object({
  /** The instance id the SDK announced on its stream (X-Flagstaff-Instance). */
  instance: z.string().trim().min(1).max(200),
  version: z.number().int().nonnegative(),
  /** How long ago the SDK applied it (it batches): the report dates the application back by this much. */
  ageMs: z.number().int().nonnegative().max(60_000).optional(),
});

export function sdkAckRoutes({ auth, streaming }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/', requireSdkKey(auth), async (c) => {
    const { instance, version, ageMs } = await readBody(c, ack);
    const { env, keyId } = c.get('sdk');
    // Matched by key and instance: one key's SDKs cannot acknowledge on behalf of another key's streams.
    const counted = streaming?.reach?.ack(env, keyId, instance, version, ageMs) ?? 0;
    return c.json({ counted }, 202);
  });

  return app;
}
