// Reading the audit log (entries are written by Writer, in the transaction of the change they record).
import { and, desc, eq, gte, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from './db.js';
import { iso, type Actor, type AuditEntry } from './resources.js';
import { auditLog } from './schema.js';

export interface AuditQuery {
  flag?: string;
  env?: string;
  /** Matches the actor's id or name. */
  actor?: string;
  /** An exact action (`flag_state.update`), or a prefix ending in `*` (`flag.*`). */
  action?: string;
  since?: number;
  until?: number;
  limit: number;
  /** Only entries older than this id (the cursor of the previous page). */
  beforeId?: number;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Pass back as `beforeId` for the next (older) page; null on the last page. */
  nextBeforeId: number | null;
}

type AuditRow = typeof auditLog.$inferSelect;

function toAuditEntry(row: AuditRow): AuditEntry {
  const entry: AuditEntry = {
    id: String(row.id),
    at: iso(row.at),
    actor: { kind: row.actorKind as Actor['kind'], id: row.actorId, name: row.actorName },
    action: row.action,
    resource: { kind: row.resourceKind, key: row.resourceKey },
  };
  if (row.env !== null) entry.env = row.env;
  if (row.reason !== null) entry.reason = row.reason;
  if (row.before !== null) entry.before = row.before;
  if (row.after !== null) entry.after = row.after;
  return entry;
}

export class AuditStore {
  constructor(private readonly db: Db) {}

  /** Newest first; ids grow with time, so paging by id is stable while new entries arrive. */
  query(q: AuditQuery): AuditPage {
    const where: (SQL | undefined)[] = [];
    if (q.flag !== undefined) where.push(and(eq(auditLog.resourceKind, 'flag'), eq(auditLog.resourceKey, q.flag)));
    if (q.env !== undefined) where.push(eq(auditLog.env, q.env));
    if (q.actor !== undefined) where.push(or(eq(auditLog.actorId, q.actor), eq(auditLog.actorName, q.actor)));
    if (q.action !== undefined) {
      where.push(
        q.action.endsWith('*')
          ? sql`${auditLog.action} LIKE ${`${q.action.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`)}%`} ESCAPE '\\'`
          : eq(auditLog.action, q.action),
      );
    }
    if (q.since !== undefined) where.push(gte(auditLog.at, q.since));
    if (q.until !== undefined) where.push(lte(auditLog.at, q.until));
    if (q.beforeId !== undefined) where.push(lt(auditLog.id, q.beforeId));
    const rows = this.db
      .select()
      .from(auditLog)
      .where(and(...where))
      .orderBy(desc(auditLog.id))
      .limit(q.limit + 1)
      .all();
    const page = rows.slice(0, q.limit);
    const more = rows.length > q.limit;
    return { entries: page.map(toAuditEntry), nextBeforeId: more ? page[page.length - 1]!.id : null };
  }
}
