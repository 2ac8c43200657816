// The admin API's notification subscriptions and their delivery log (docs/notifications.md), part of
// `@flagstaff/core/admin`: the lists of targets and events are values, so that the server's validation and the
// CLI's options check against the same ones.

export const NOTIFY_TARGETS = ['webhook', 'slack', 'teams'] as const;
export type NotifyTarget = (typeof NOTIFY_TARGETS)[number];

/**
 * What a subscription may announce: `flag` (a flag created, changed or archived), `change` (a flag's state in
 * the environment changed by a person), `kill` (an alert turned a flag off or rolled it back), `plan` (a rollout
 * plan created, stepped, paused, resumed, completed or aborted), `key` (an SDK or admin key created or revoked).
 */
export const NOTIFY_EVENTS = ['flag', 'change', 'kill', 'plan', 'key'] as const;
export type NotifyEventKind = (typeof NOTIFY_EVENTS)[number];

/** `POST /api/v1/environments/:env/notifications`. */
export interface NewNotification {
  target: NotifyTarget;
  url: string;
  name?: string;
  events: NotifyEventKind[];
  /** Only flags carrying one of these tags. */
  tags?: string[];
  /** Only these flags. */
  flags?: string[];
}

export interface NotificationInfo {
  id: string;
  env: string;
  target: NotifyTarget;
  name: string;
  /** Scheme, host and path only: a Slack or Teams URL is itself a credential, and is never shown whole again. */
  url: string;
  events: NotifyEventKind[];
  tags: string[];
  flags: string[];
  createdAt: string;
  failingSince: string | null;
  disabledAt: string | null;
  disabledWhy: string | null;
}

/** The answer to creating a webhook subscription: the only time its signing secret (`whsec_…`) is shown. */
export type CreatedNotification = NotificationInfo & { secret?: string };

export interface NotificationDelivery {
  id: number;
  messageId: string;
  eventType: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  latencyMs: number | null;
  createdAt: string;
  nextAttemptAt: string | null;
  finishedAt: string | null;
}
