// The tables. Times are integer milliseconds since the epoch (UTC); JSON columns hold wire-format data
// (targets, rules, serves, variations) exactly as core's validation accepted it.
// Change this file, then `npx drizzle-kit generate` from server/ — and follow docs/migrations.md.
import type { JsonValue, Rule, SegmentRule, Serve, Target } from '@flagstaff/core';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { sql } from 'drizzle-orm';

export const environments = sqliteTable('environments', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  key: text('key').notNull().unique(),
  name: text('name').notNull(),
  /** Bumps on every change in the environment; the SSE event id. Never reset. */
  version: integer('version').notNull().default(1),
  createdAt: integer('created_at').notNull(),
});

/** A flag's definition, shared by every environment. */
export const flags = sqliteTable('flags', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  key: text('key').notNull().unique(),
  name: text('name').notNull(),
  kind: text('kind', { enum: ['boolean', 'string', 'number', 'json'] }).notNull(),
  variations: text('variations', { mode: 'json' }).notNull().$type<JsonValue[]>(),
  description: text('description').notNull().default(''),
  tags: text('tags', { mode: 'json' }).notNull().$type<string[]>(),
  clientSide: integer('client_side', { mode: 'boolean' }).notNull().default(false),
  seed: text('seed'),
  archived: integer('archived', { mode: 'boolean' }).notNull().default(false),
  /** The definition's version, for `If-Match` on `PATCH /api/v1/flags/:key`. */
  version: integer('version').notNull().default(1),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/** A flag's state in one environment. */
export const flagStates = sqliteTable(
  'flag_states',
  {
    flagId: integer('flag_id')
      .notNull()
      .references(() => flags.id),
    envId: integer('env_id')
      .notNull()
      .references(() => environments.id),
    /** The wire Flag's `version` in this environment. */
    version: integer('version').notNull().default(1),
    on: integer('on', { mode: 'boolean' }).notNull().default(false),
    offVariation: integer('off_variation').notNull().default(0),
    targets: text('targets', { mode: 'json' }).notNull().$type<Target[]>(),
    rules: text('rules', { mode: 'json' }).notNull().$type<Rule[]>(),
    fallthrough: text('fallthrough', { mode: 'json' }).notNull().$type<Serve>(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.flagId, t.envId] }), index('flag_states_env_idx').on(t.envId)],
);

export const segments = sqliteTable(
  'segments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    envId: integer('env_id')
      .notNull()
      .references(() => environments.id),
    key: text('key').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    version: integer('version').notNull().default(1),
    included: text('included', { mode: 'json' }).notNull().$type<string[]>(),
    excluded: text('excluded', { mode: 'json' }).notNull().$type<string[]>(),
    rules: text('rules', { mode: 'json' }).notNull().$type<SegmentRule[]>(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('segments_env_key_idx').on(t.envId, t.key)],
);

/** Admin tokens and SDK keys. Only the SHA-256 of a key is kept; the key itself is shown once. */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['admin', 'server', 'client'] }).notNull(),
    name: text('name').notNull(),
    /** Set for SDK keys: the one environment they may read. */
    envId: integer('env_id').references(() => environments.id),
    /** Set for admin tokens. */
    scopes: text('scopes', { mode: 'json' }).$type<string[]>(),
    hash: text('hash').notNull().unique(),
    hint: text('hint').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [index('api_keys_kind_idx').on(t.kind)],
);

/** Append-only. Environment and resource keys are copied as text so an entry outlives what it describes. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    actorKind: text('actor_kind').notNull(),
    actorId: text('actor_id').notNull(),
    actorName: text('actor_name').notNull(),
    action: text('action').notNull(),
    env: text('env'),
    resourceKind: text('resource_kind').notNull(),
    resourceKey: text('resource_key').notNull(),
    reason: text('reason'),
    before: text('before', { mode: 'json' }),
    after: text('after', { mode: 'json' }),
  },
  (t) => [index('audit_at_idx').on(t.at), index('audit_resource_idx').on(t.resourceKind, t.resourceKey), index('audit_env_idx').on(t.env)],
);

/**
 * Evaluation counts that SDKs report (`POST /sdk/v1/usage`), per environment, flag and variation (-1: the
 * caller's default was served). Flags are named by key, so usage of an archived flag is still recorded.
 */
export const flagUsage = sqliteTable(
  'flag_usage',
  {
    envId: integer('env_id')
      .notNull()
      .references(() => environments.id),
    flagKey: text('flag_key').notNull(),
    variation: integer('variation').notNull(),
    count: integer('count').notNull().default(0),
    lastEvaluatedAt: integer('last_evaluated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.envId, t.flagKey, t.variation] })],
);

/** Each SDK instance's last report: which environment version it applies — how far a change has reached. */
export const sdkInstances = sqliteTable(
  'sdk_instances',
  {
    envId: integer('env_id')
      .notNull()
      .references(() => environments.id),
    instanceId: text('instance_id').notNull(),
    keyId: text('key_id').notNull(),
    sdk: text('sdk').notNull(),
    appliedVersion: integer('applied_version'),
    firstSeenAt: integer('first_seen_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.envId, t.instanceId] }), index('sdk_instances_seen_idx').on(t.lastSeenAt)],
);

// ——— Alert webhooks and kill rules (docs/alerts.md) ———

/**
 * One alert webhook receiver of one environment. The secret (`fsh_…`) is kept as a SHA-256 for bearer and
 * basic auth; HMAC hooks also keep it recoverably in `signingSecret`, since verifying a signature needs the
 * key itself (docs/decisions/001-hook-signing-secrets.md).
 */
export const alertHooks = sqliteTable(
  'alert_hooks',
  {
    id: text('id').primaryKey(),
    envId: integer('env_id')
      .notNull()
      .references(() => environments.id),
    provider: text('provider', { enum: ['alertmanager', 'grafana', 'datadog', 'generic'] }).notNull(),
    name: text('name').notNull(),
    auth: text('auth', { enum: ['bearer', 'hmac'] }).notNull(),
    secretHash: text('secret_hash').notNull().unique(),
    signingSecret: text('signing_secret'),
    hint: text('hint').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [index('alert_hooks_env_idx').on(t.envId)],
);

/** Alert name + label matchers → flags (by key, or named by an alert label) and what to do to them. */
export const killRules = sqliteTable(
  'kill_rules',
  {
    id: text('id').primaryKey(),
    envId: integer('env_id')
      .notNull()
      .references(() => environments.id),
    alertName: text('alert_name').notNull(),
    matchers: text('matchers', { mode: 'json' }).notNull().$type<Array<{ label: string; op: '=' | '!=' | '=~'; value: string }>>(),
    flagKey: text('flag_key'),
    flagLabel: text('flag_label'),
    action: text('action', { enum: ['off', 'rollback'] }).notNull(),
    onResolve: text('on_resolve', { enum: ['keep', 'restore'] }).notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('kill_rules_env_alert_idx').on(t.envId, t.alertName)],
);

/**
 * The last status each alert was seen in. Senders repeat notifications on purpose (Alertmanager's
 * repeat_interval, HA pairs sending twice): only a change of status or occurrence is acted on.
 */
export const alertStates = sqliteTable(
  'alert_states',
  {
    envId: integer('env_id')
      .notNull()
      .references(() => environments.id),
    provider: text('provider').notNull(),
    fingerprint: text('fingerprint').notNull(),
    alertName: text('alert_name').notNull(),
    status: text('status', { enum: ['firing', 'resolved'] }).notNull(),
    /** What tells two firings of one alert apart: startsAt, or Datadog's $ALERT_CYCLE_KEY ('' if unknown). */
    occurrence: text('occurrence').notNull(),
    hookId: text('hook_id').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.envId, t.provider, t.fingerprint] }), index('alert_states_updated_idx').on(t.updatedAt)],
);

/**
 * A flag an alert switched off (or rolled back), while alerts hold it: the state from before (for
 * onResolve=restore) and the version the kill produced, so a restore can tell whether a person changed it since.
 */
export const killLatches = sqliteTable(
  'kill_latches',
  {
    envId: integer('env_id')
      .notNull()
      .references(() => environments.id),
    flagKey: text('flag_key').notNull(),
    ruleId: text('rule_id').notNull(),
    action: text('action', { enum: ['off', 'rollback'] }).notNull(),
    onResolve: text('on_resolve', { enum: ['keep', 'restore'] }).notNull(),
    before: text('before', { mode: 'json' }).notNull(),
    killedVersion: integer('killed_version').notNull(),
    /** Fingerprints of the firing alerts that hold the flag; it is released when the last one resolves. */
    holders: text('holders', { mode: 'json' }).notNull().$type<string[]>(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.envId, t.flagKey] })],
);

// ——— Progressive rollout plans (docs/rollouts.md) ———

/**
 * A progressive rollout of one flag in one environment: steps of percentages, each held for a while, applied
 * by the server's scheduler (rollout/scheduler.ts). `currentStep` and the flag change it caused commit in the
 * same transaction, so a restart never applies a step twice nor skips one.
 */
export const rolloutPlans = sqliteTable(
  'rollout_plans',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    envId: integer('env_id')
      .notNull()
      .references(() => environments.id),
    flagId: integer('flag_id')
      .notNull()
      .references(() => flags.id),
    state: text('state', { enum: ['active', 'paused', 'completed', 'aborted'] }).notNull(),
    /** Share of `variation` per step (thousandths of a percent) and how long it holds before the next one. */
    steps: text('steps', { mode: 'json' }).notNull().$type<Array<{ thousandths: number; holdMs: number }>>(),
    /** Index of the last step applied. */
    currentStep: integer('current_step').notNull(),
    /** When the next step is due; null unless active with a step to go. */
    nextStepAt: integer('next_step_at'),
    /** The variation rolled out, the one everybody else keeps, and the attribute users are bucketed by. */
    variation: integer('variation').notNull(),
    baseline: integer('baseline').notNull(),
    bucketBy: text('bucket_by').notNull(),
    /** The flag state version this plan last wrote (or accepted on resume): any other means a person changed it. */
    flagVersion: integer('flag_version').notNull(),
    /** Why the plan was last paused, aborted or resumed, and by whom. */
    reason: text('reason'),
    stateChangedBy: text('state_changed_by', { mode: 'json' }).$type<{ kind: string; id: string; name: string }>(),
    createdBy: text('created_by', { mode: 'json' }).notNull().$type<{ kind: string; id: string; name: string }>(),
    /** For `If-Match` on pause, resume and abort. */
    version: integer('version').notNull().default(1),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    // At most one unfinished plan per flag and environment.
    uniqueIndex('rollout_plans_open_idx').on(t.envId, t.flagId).where(sql`${t.state} IN ('active', 'paused')`),
    index('rollout_plans_due_idx').on(t.state, t.nextStepAt),
  ],
);

// ——— Outbound notifications (docs/notifications.md) ———

/**
 * Where an environment's events are announced: a signed generic webhook, Slack or Microsoft Teams. A webhook
 * subscription keeps its signing secret (`whsec_…`) itself, since signing needs the key; it is shown once.
 */
export const notificationSubscriptions = sqliteTable(
  'notification_subscriptions',
  {
    id: text('id').primaryKey(),
    envId: integer('env_id')
      .notNull()
      .references(() => environments.id),
    target: text('target', { enum: ['webhook', 'slack', 'teams'] }).notNull(),
    name: text('name').notNull(),
    url: text('url').notNull(),
    /** Event kinds announced (notify/events.ts). */
    events: text('events', { mode: 'json' }).notNull().$type<string[]>(),
    /** Only flags carrying one of these tags, when non-empty. */
    tags: text('tags', { mode: 'json' }).notNull().$type<string[]>(),
    /** Only these flags, when non-empty. */
    flags: text('flags', { mode: 'json' }).notNull().$type<string[]>(),
    signingSecret: text('signing_secret'),
    createdAt: integer('created_at').notNull(),
    /** Since when every delivery has failed (null: the last one succeeded); a day of it disables the subscription. */
    failingSince: integer('failing_since'),
    disabledAt: integer('disabled_at'),
    disabledWhy: text('disabled_why'),
  },
  (t) => [index('notification_subscriptions_env_idx').on(t.envId)],
);

/**
 * The outbox: one row per subscription per announced event, written in the transaction of the change, so that
 * a committed change is always announced and a rolled-back one never. The delivery worker claims a row by
 * setting `leaseUntil`; several instances on one file deliver each row once.
 */
export const notificationOutbox = sqliteTable(
  'notification_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    subscriptionId: text('subscription_id')
      .notNull()
      .references(() => notificationSubscriptions.id, { onDelete: 'cascade' }),
    /** The delivery id (`webhook-id`): stable across retries, so receivers can deduplicate. */
    messageId: text('message_id').notNull(),
    eventType: text('event_type').notNull(),
    /** The event as notify/events.ts summarised it: no secrets, no rule contents. */
    event: text('event', { mode: 'json' }).notNull(),
    state: text('state', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    leaseOwner: text('lease_owner'),
    leaseUntil: integer('lease_until'),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    latencyMs: integer('latency_ms'),
    createdAt: integer('created_at').notNull(),
    finishedAt: integer('finished_at'),
  },
  (t) => [
    index('notification_outbox_due_idx').on(t.state, t.nextAttemptAt),
    index('notification_outbox_subscription_idx').on(t.subscriptionId, t.id),
  ],
);
