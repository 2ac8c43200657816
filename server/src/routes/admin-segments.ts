// /api/v1/environments/:env/segments
import { Hono } from 'hono';
import { z } from 'zod';
import { segmentRuleSchema } from '@flagstaff/core';
import { requireScope } from '../auth.js';
import { validationFailed } from '../errors.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { readBody } from '../http/body.js';
import { setVersionTag, writeMeta } from '../http/write-meta.js';

const contextKeys = z.array(z.string().min(1)).max(100_000);
const segmentFields = {
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(5000).optional(),
  included: contextKeys.optional(),
  excluded: contextKeys.optional(),
  rules: z.array(segmentRuleSchema).optional(),
};

// The key's pattern is core's to check (validateSegment).
const createSegmentBody = z.strictObject({ key: z.string(), ...segmentFields });
// A segment read with GET may be sent back as it is: its read-only fields are ignored.
const putSegmentBody = z.strictObject({
  key: z.string().optional(),
  ...segmentFields,
  version: z.unknown().optional(),
  createdAt: z.unknown().optional(),
  updatedAt: z.unknown().optional(),
});

export function segmentRoutes({ store }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', requireScope('read'), (c) => c.json({ segments: store.segments.list(c.req.param('env')!) }));

  app.post('/', requireScope('write'), async (c) => {
    const { key, ...input } = await readBody(c, createSegmentBody);
    const segment = store.segments.create(c.req.param('env')!, key, input, writeMeta(c));
    setVersionTag(c, segment.version);
    return c.json(segment, 201);
  });

  app.get('/:key', requireScope('read'), (c) => {
    const segment = store.segments.get(c.req.param('env')!, c.req.param('key'));
    setVersionTag(c, segment.version);
    return c.json(segment);
  });

  app.put('/:key', requireScope('write'), async (c) => {
    const meta = writeMeta(c, { requireIfMatch: true });
    const { key, version: _v, createdAt: _c, updatedAt: _u, ...input } = await readBody(c, putSegmentBody);
    if (key !== undefined && key !== c.req.param('key')) {
      throw validationFailed([{ path: 'key', message: `the body names segment "${key}" but the URL "${c.req.param('key')}"` }]);
    }
    const segment = store.segments.replace(c.req.param('env')!, c.req.param('key'), input, meta);
    setVersionTag(c, segment.version);
    return c.json(segment);
  });

  app.delete('/:key', requireScope('write'), (c) => {
    store.segments.delete(c.req.param('env')!, c.req.param('key'), writeMeta(c));
    return c.body(null, 204);
  });

  return app;
}
