// /api/v1/environments/:env/notifications — where the environment's events are announced
// (docs/notifications.md): subscriptions, a test message, and each subscription's delivery log. A webhook
// subscription's signing secret is in the creation response and nowhere else; a Slack or Teams URL, itself
// a credential, is shown only by its origin afterwards.
import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { type CreatedNotification, NOTIFY_EVENTS, NOTIFY_TARGETS } from '@flagstaff/core/admin';
import { requireScope } from '../auth.js';
import { validationFailed } from '../errors.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { readBody } from '../http/body.js';
import { writeMeta } from '../http/write-meta.js';
import { testEvent } from '../notify/events.js';
import { refusedUrl } from '../notify/send.js';

const FLAG_KEY = /^[a-z0-9][a-z0-9._-]{0,127}$/;

const createBody = z.strictObject({
  target: z.enum(NOTIFY_TARGETS, { error: `target is one of ${NOTIFY_TARGETS.join(', ')}` }),
  url: z.string().trim().min(1).max(2000),
  name: z.string().trim().min(1).max(100).optional(),
  events: z
    .array(z.enum(NOTIFY_EVENTS, { error: `each event is one of ${NOTIFY_EVENTS.join(', ')}` }))
    .min(1)
    .max(NOTIFY_EVENTS.length)
    .transform((events) => [...new Set(events)]),
  tags: z.array(z.string().trim().min(1).max(100)).max(50).optional(),
  flags: z.array(z.string().regex(FLAG_KEY, 'a flag key')).max(200).optional(),
});

/** Standard Webhooks' secret form: `whsec_` and base64 of 24 random bytes. */
const newSigningSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

export function notificationRoutes({ store, config, notifications }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requireScope('admin'));

  app.get('/', (c) => c.json({ notifications: store.notifications.list(c.req.param('env')!) }));

  app.post('/', async (c) => {
    const body = await readBody(c, createBody);
    const refused = refusedUrl(body.url, config.notify.allowPrivate);
    if (refused !== null) throw validationFailed([{ path: 'url', message: refused }]);
    const secret = body.target === 'webhook' ? newSigningSecret() : null;
    const info = store.notifications.create(c.req.param('env')!, body, secret, writeMeta(c));
    c.header('Cache-Control', 'no-store');
    return c.json({ ...info, ...(secret ? { secret } : {}) } satisfies CreatedNotification, 201);
  });

  app.delete('/:id', (c) => c.json(store.notifications.delete(c.req.param('env')!, c.req.param('id'), writeMeta(c))));

  app.post('/:id/test', (c) => {
    const env = c.req.param('env')!;
    const meta = writeMeta(c);
    const id = store.notifications.enqueueTest(env, c.req.param('id'), testEvent(env, meta.actor, Date.now()), meta);
    notifications?.kick();
    return c.json({ delivery: id }, 202);
  });

  app.get('/:id/deliveries', (c) => c.json({ deliveries: store.notifications.deliveries(c.req.param('env')!, c.req.param('id')) }));

  return app;
}
