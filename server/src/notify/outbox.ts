// Writing the outbox: told about each audit entry inside its transaction (store/write.ts, `onAudit`), it
// writes one outbox row per subscription that wants the event. The row commits with the change or rolls
// back with it: a committed change is always announced, a rolled-back one never (REFERENCE.md).
import type { AuditListener, Store } from '../store/index.js';

import { eventOf, kindOf, wants } from './events.js';

/** `enqueued` runs after COMMIT of a write that wrote outbox rows (to wake the delivery worker). */
export function outboxWriter(store: Store, enqueued: () => void = () => {}): AuditListener {
  const { notifications } = store;
  return (tx, entry) => {
    const kind = kindOf(entry.action, tx.meta.actor);
    if (kind === null) return;
    const subs = notifications.subscriptionsFor(tx.db, entry.env);
    if (subs.length === 0) return;
    const flagKey = entry.resource.kind === 'flag' ? entry.resource.key : null;
    const tags = flagKey === null ? [] : notifications.flagTags(tx.db, flagKey);
    const reached = subs.filter((sub) => wants(sub, kind, flagKey, tags));
    if (reached.length === 0) return;
    const event = eventOf(entry, tx.meta.actor, tx.now, tx.meta.reason);
    if (event === null) return;
    for (const sub of reached) notifications.enqueue(tx.db, sub.id, event.type, event, tx.now);
    tx.afterCommit(enqueued);
  };
}
