// /api/v1/audit — who changed what, when, and why; newest first, paginated by cursor.
import { Hono } from 'hono';
import { requireScope } from '../auth.js';
import type { AppDeps, AppEnv } from '../http/context.js';
import { decodeCursor, encodeCursor, parseLimit, parseTime } from '../http/query.js';

export const AUDIT_PAGE_DEFAULT = 50;
export const AUDIT_PAGE_MAX = 200;

export function auditRoutes({ store }: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/', requireScope('read'), (c) => {
    const now = Date.now();
    const query = c.req.query();
    const page = store.audit.query({
      flag: query.flag,
      env: query.env,
      actor: query.actor,
      action: query.action,
      since: parseTime('since', query.since, now),
      until: parseTime('until', query.until, now),
      limit: parseLimit('limit', query.limit, AUDIT_PAGE_DEFAULT, AUDIT_PAGE_MAX),
      beforeId: decodeCursor(query.cursor),
    });
    return c.json({ entries: page.entries, nextCursor: page.nextBeforeId === null ? null : encodeCursor(page.nextBeforeId) });
  });

  return app;
}
