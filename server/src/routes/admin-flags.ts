// /api/v1/flags: flag definitions, shared by every environment.
import { Hono } from 'hono';
import { z } from 'zod';
import { FLAG_KINDS } from '@flagstaff/core';
import { requireScope } from '../auth.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { readBody, readJson } from '../http/body.js';
import { parseChoice } from '../http/query.js';
import { setVersionTag, writeMeta } from '../http/write-meta.js';

const tag = z.string().regex(/^[\w.:/-]{1,64}$/, 'a tag is 1–64 characters of letters, digits, ".", ":", "/", "_", "-"');

const definitionFields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(5000),
  tags: z
    .array(tag)
    .max(50)
    .transform((tags) => [...new Set(tags)]),
  clientSide: z.boolean(),
  seed: z.string().min(1).max(200).nullable(),
  variations: z.array(z.json()).min(1, 'a flag needs at least one variation').max(100),
};

const createFlagBody = z.strictObject({
  // The key's pattern is core's to check (validateFlag), so that the message is the same everywhere.
  key: z.string(),
  kind: z.enum(FLAG_KINDS, { error: `kind is one of ${FLAG_KINDS.join(', ')}` }).optional(),
  ...z.object(definitionFields).partial().shape,
});

const patchFlagBody = z.object(definitionFields).partial().strict();

export function flagRoutes({ store }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', requireScope('read'), (c) => {
    const archived = parseChoice('archived', c.req.query('archived'), ['false', 'true', 'all'], 'false');
    const flags = store.flags.list({
      archived,
      env: c.req.query('env'),
      tag: c.req.query('tag'),
      q: c.req.query('q'),
    });
    return c.json({ flags });
  });

  app.post('/', requireScope('write'), async (c) => {
    const body = await readBody(c, createFlagBody);
    const flag = store.flags.create(body, writeMeta(c));
    setVersionTag(c, flag.version);
    return c.json(flag, 201);
  });

  app.get('/:key', requireScope('read'), (c) => {
    const flag = store.flags.get(c.req.param('key'));
    setVersionTag(c, flag.version);
    return c.json(flag);
  });

  app.patch('/:key', requireScope('write'), async (c) => {
    const body = await readBody(c, patchFlagBody);
    const flag = store.flags.update(c.req.param('key'), body, writeMeta(c));
    setVersionTag(c, flag.version);
    return c.json(flag);
  });

  for (const action of ['archive', 'unarchive'] as const) {
    app.post(`/:key/${action}`, requireScope('write'), async (c) => {
      await readJson(c); // nothing is expected, but a body that is sent must be JSON
      const flag = store.flags.setArchived(c.req.param('key'), action === 'archive', writeMeta(c));
      setVersionTag(c, flag.version);
      return c.json(flag);
    });
  }

  return app;
}
