// Outbound notifications' SQL (docs/notifications.md): subscriptions per environment, and the outbox the
// delivery worker drains. Which subscriptions an event reaches and what it says are notify/'s decisions; this
// file only reads and writes rows. Outbox rows are written inside the change's own transaction (`enqueue`
// takes the transaction's Db), and claimed with a lease so that several instances on one file deliver each
// row once, in order per subscription.
import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import type { NewNotification, NotificationDelivery, NotificationInfo } from '@flagstaff/core/admin';
import { notFound } from '../errors.js';
import type { Db } from './db.js';
import { requireEnv } from './environments.js';
import { iso, isoOrNull, type WriteMeta } from './resources.js';
import { environments, flags, notificationOutbox, notificationSubscriptions } from './schema.js';
import type { Writer } from './write.js';

type SubscriptionRow = typeof notificationSubscriptions.$inferSelect;
type OutboxRow = typeof notificationOutbox.$inferSelect;

/** What the worker needs to deliver to a subscription. */
export interface Subscription {
  id: string;
  env: string;
  target: SubscriptionRow['target'];
  name: string;
  url: string;
  events: string[];
  tags: string[];
  flags: string[];
  signingSecret: string | null;
}

/** An outbox row the worker holds the lease of. */
export interface ClaimedDelivery {
  id: number;
  messageId: string;
  eventType: string;
  event: unknown;
  attempts: number;
  createdAt: number;
  subscription: Subscription;
}

/** How one attempt went, as the worker decided (notify/worker.ts). */
export type AttemptOutcome =
  | { state: 'delivered'; status: number; latencyMs: number }
  | { state: 'retry'; status: number | null; error: string; latencyMs: number; nextAttemptAt: number }
  | { state: 'failed'; status: number | null; error: string; latencyMs: number };

/** A Slack or Teams URL is a credential: only its origin and first path segment are ever shown again. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  const first = parsed.pathname.split('/').filter(Boolean)[0];
  return `${parsed.origin}/${first ? `${first}/…` : ''}`;
}

const toInfo = (row: SubscriptionRow, env: string): NotificationInfo => ({
  id: row.id,
  env,
  target: row.target,
  name: row.name,
  url: redactUrl(row.url),
  events: row.events as NotificationInfo['events'],
  tags: row.tags,
  flags: row.flags,
  createdAt: iso(row.createdAt),
  failingSince: isoOrNull(row.failingSince),
  disabledAt: isoOrNull(row.disabledAt),
  disabledWhy: row.disabledWhy,
});

const toSubscription = (row: SubscriptionRow, env: string): Subscription => ({
  id: row.id,
  env,
  target: row.target,
  name: row.name,
  url: row.url,
  events: row.events,
  tags: row.tags,
  flags: row.flags,
  signingSecret: row.signingSecret,
});

const toDelivery = (row: OutboxRow): NotificationDelivery => ({
  id: row.id,
  messageId: row.messageId,
  eventType: row.eventType,
  state: row.state,
  attempts: row.attempts,
  lastStatus: row.lastStatus,
  lastError: row.lastError,
  latencyMs: row.latencyMs,
  createdAt: iso(row.createdAt),
  nextAttemptAt: row.state === 'pending' ? iso(row.nextAttemptAt) : null,
  finishedAt: isoOrNull(row.finishedAt),
});

export class NotificationStore {
  constructor(
    private readonly db: Db,
    private readonly writer: Writer,
    private readonly clock: () => number,
  ) {}

  create(envKey: string, input: NewNotification, signingSecret: string | null, meta: WriteMeta): NotificationInfo {
    return this.writer.write(meta, (tx) => {
      const env = requireEnv(tx.db, envKey);
      const row = tx.db
        .insert(notificationSubscriptions)
        .values({
          id: `ntf_${randomBytes(6).toString('hex')}`,
          envId: env.id,
          target: input.target,
          name: input.name ?? `${input.target} notifications`,
          url: input.url,
          events: input.events,
          tags: input.tags ?? [],
          flags: input.flags ?? [],
          signingSecret,
          createdAt: tx.now,
        })
        .returning()
        .get();
      const info = toInfo(row, env.key);
      tx.audit({ action: 'notification.create', env: env.key, resource: { kind: 'notification', key: row.id }, after: info });
      return info;
    });
  }

  list(envKey: string): NotificationInfo[] {
    const env = requireEnv(this.db, envKey);
    return this.#rows(env.id).map((row) => toInfo(row, env.key));
  }

  get(envKey: string, id: string): Subscription {
    const env = requireEnv(this.db, envKey);
    const row = this.db
      .select()
      .from(notificationSubscriptions)
      .where(and(eq(notificationSubscriptions.id, id), eq(notificationSubscriptions.envId, env.id)))
      .get();
    if (!row) throw notFound(`notification subscription "${id}" in ${envKey}`);
    return toSubscription(row, env.key);
  }

  delete(envKey: string, id: string, meta: WriteMeta): NotificationInfo {
    return this.writer.write(meta, (tx) => {
      const env = requireEnv(tx.db, envKey);
      const row = tx.db
        .select()
        .from(notificationSubscriptions)
        .where(and(eq(notificationSubscriptions.id, id), eq(notificationSubscriptions.envId, env.id)))
        .get();
      if (!row) throw notFound(`notification subscription "${id}" in ${envKey}`);
      tx.db.delete(notificationOutbox).where(eq(notificationOutbox.subscriptionId, id)).run();
      tx.db.delete(notificationSubscriptions).where(eq(notificationSubscriptions.id, id)).run();
      const info = toInfo(row, env.key);
      tx.audit({ action: 'notification.delete', env: env.key, resource: { kind: 'notification', key: id }, before: info });
      return info;
    });
  }

  /** The enabled subscriptions an event in `envKey` may reach (every environment's for a project-wide event). */
  subscriptionsFor(db: Db, envKey: string | undefined): Subscription[] {
    const rows = db
      .select({ sub: notificationSubscriptions, env: environments.key })
      .from(notificationSubscriptions)
      .innerJoin(environments, eq(environments.id, notificationSubscriptions.envId))
      .where(and(isNull(notificationSubscriptions.disabledAt), envKey === undefined ? undefined : eq(environments.key, envKey)))
      .orderBy(asc(notificationSubscriptions.createdAt), asc(notificationSubscriptions.id))
      .all();
    return rows.map(({ sub, env }) => toSubscription(sub, env));
  }

  /** A flag's tags, as the transaction sees them (the tag filter). */
  flagTags(db: Db, flagKey: string): string[] {
    return db.select({ tags: flags.tags }).from(flags).where(eq(flags.key, flagKey)).get()?.tags ?? [];
  }

  /** Writes one outbox row, inside the caller's transaction (`db` is the transaction's). */
  enqueue(db: Db, subscriptionId: string, eventType: string, event: unknown, now: number): number {
    return db
      .insert(notificationOutbox)
      .values({
        subscriptionId,
        messageId: `msg_${randomBytes(12).toString('hex')}`,
        eventType,
        event,
        state: 'pending',
        nextAttemptAt: now,
        createdAt: now,
      })
      .returning({ id: notificationOutbox.id })
      .get().id;
  }

  /** A test message for one subscription, audited (who sent one, and when). */
  enqueueTest(envKey: string, id: string, event: unknown, meta: WriteMeta): number {
    const sub = this.get(envKey, id);
    return this.writer.write(meta, (tx) => {
      const delivery = this.enqueue(tx.db, sub.id, 'test', event, tx.now);
      tx.audit({ action: 'notification.test', env: sub.env, resource: { kind: 'notification', key: sub.id }, after: { delivery } });
      return delivery;
    });
  }

  deliveries(envKey: string, id: string, limit = 100): NotificationDelivery[] {
    this.get(envKey, id);
    return this.db
      .select()
      .from(notificationOutbox)
      .where(eq(notificationOutbox.subscriptionId, id))
      .orderBy(desc(notificationOutbox.id))
      .limit(limit)
      .all()
      .map(toDelivery);
  }

  /**
   * Takes the lease of every subscription's oldest pending row that is due and not leased by a live owner:
   * one row per subscription at a time keeps delivery in order; BEGIN IMMEDIATE makes two instances' claims
   * take turns, so a row is held by one owner at a time.
   */
  claim(owner: string, leaseMs: number, limit: number): ClaimedDelivery[] {
    const now = this.clock();
    // A plain read first: the write lock is taken only when something is due (the worker polls).
    const due = this.db
      .select({ id: notificationOutbox.id })
      .from(notificationOutbox)
      .where(and(eq(notificationOutbox.state, 'pending'), lte(notificationOutbox.nextAttemptAt, now)))
      .limit(1)
      .get();
    if (due === undefined) return [];
    return this.db.transaction(
      (db) => {
        const heads = db
          .select({ row: notificationOutbox, sub: notificationSubscriptions, env: environments.key })
          .from(notificationOutbox)
          .innerJoin(notificationSubscriptions, eq(notificationSubscriptions.id, notificationOutbox.subscriptionId))
          .innerJoin(environments, eq(environments.id, notificationSubscriptions.envId))
          .where(
            and(
              eq(notificationOutbox.state, 'pending'),
              isNull(notificationSubscriptions.disabledAt),
              lte(notificationOutbox.nextAttemptAt, now),
              or(isNull(notificationOutbox.leaseUntil), lt(notificationOutbox.leaseUntil, now)),
              sql`${notificationOutbox.id} = (select min(o2.id) from notification_outbox o2 where o2.subscription_id = ${notificationOutbox.subscriptionId} and o2.state = 'pending')`,
            ),
          )
          .orderBy(asc(notificationOutbox.id))
          .limit(limit)
          .all();
        if (heads.length === 0) return [];
        db.update(notificationOutbox)
          .set({ leaseOwner: owner, leaseUntil: now + leaseMs })
          .where(
            inArray(
              notificationOutbox.id,
              heads.map((h) => h.row.id),
            ),
          )
          .run();
        return heads.map(({ row, sub, env }) => ({
          id: row.id,
          messageId: row.messageId,
          eventType: row.eventType,
          event: row.event,
          attempts: row.attempts,
          createdAt: row.createdAt,
          subscription: toSubscription(sub, env),
        }));
      },
      { behavior: 'immediate' },
    );
  }

  /** When the earliest pending row falls due (a retry's time), or null when none is pending. */
  nextDueAt(): number | null {
    const row = this.db
      .select({ at: sql<number | null>`min(${notificationOutbox.nextAttemptAt})` })
      .from(notificationOutbox)
      .where(eq(notificationOutbox.state, 'pending'))
      .get();
    return row?.at ?? null;
  }

  /**
   * Records an attempt, if `owner` still holds the row's lease, and the subscription's health: a success
   * clears `failingSince`, a failure sets it once; a subscription failing since before `disableBefore` is
   * disabled (returned, so that the worker can say so).
   */
  recordAttempt(owner: string, id: number, outcome: AttemptOutcome, disableBefore: number): { disabled: boolean } {
    const now = this.clock();
    return this.db.transaction(
      (db) => {
        const row = db
          .select()
          .from(notificationOutbox)
          .where(and(eq(notificationOutbox.id, id), eq(notificationOutbox.leaseOwner, owner)))
          .get();
        if (row?.state !== 'pending') return { disabled: false };
        const common = {
          attempts: row.attempts + 1,
          lastStatus: outcome.status,
          latencyMs: outcome.latencyMs,
          leaseOwner: null,
          leaseUntil: null,
        };
        if (outcome.state === 'delivered') {
          db.update(notificationOutbox)
            .set({ ...common, state: 'delivered', lastError: null, finishedAt: now })
            .where(eq(notificationOutbox.id, id))
            .run();
          db.update(notificationSubscriptions)
            .set({ failingSince: null })
            .where(eq(notificationSubscriptions.id, row.subscriptionId))
            .run();
          return { disabled: false };
        }
        db.update(notificationOutbox)
          .set({
            ...common,
            lastError: outcome.error,
            ...(outcome.state === 'retry' ? { nextAttemptAt: outcome.nextAttemptAt } : { state: 'failed', finishedAt: now }),
          })
          .where(eq(notificationOutbox.id, id))
          .run();
        const sub = db.select().from(notificationSubscriptions).where(eq(notificationSubscriptions.id, row.subscriptionId)).get()!;
        const failingSince = sub.failingSince ?? now;
        const disable = sub.disabledAt === null && failingSince < disableBefore;
        db.update(notificationSubscriptions)
          .set({
            failingSince,
            ...(disable ? { disabledAt: now, disabledWhy: `every delivery failed since ${iso(failingSince)}: ${outcome.error}` } : {}),
          })
          .where(eq(notificationSubscriptions.id, row.subscriptionId))
          .run();
        return { disabled: disable };
      },
      { behavior: 'immediate' },
    );
  }

  #rows(envId: number): SubscriptionRow[] {
    return this.db
      .select()
      .from(notificationSubscriptions)
      .where(eq(notificationSubscriptions.envId, envId))
      .orderBy(asc(notificationSubscriptions.createdAt), asc(notificationSubscriptions.id))
      .all();
  }
}
