// The tables. Times are integer milliseconds since the epoch (UTC); JSON columns hold wire-format data
// (targets, rules, serves, variations) exactly as core's validation accepted it.
// Change this file, then `npx drizzle-kit generate` from server/ — and follow docs/migrations.md.
import type { JsonValue, Rule, SegmentRule, Serve, Target } from '@flagstaff/core';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

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
  (t) => [
    index('audit_at_idx').on(t.at),
    index('audit_resource_idx').on(t.resourceKind, t.resourceKey),
    index('audit_env_idx').on(t.env),
  ],
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
