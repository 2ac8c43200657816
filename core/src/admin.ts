// The admin API's resources, request bodies and error body as they travel (docs/api.md, docs/alerts.md,
// docs/rollouts.md), defined once for both ends: the server builds and sends them, the CLI sends and reads
// them over HTTP. Types only, but for the two lists of notification targets and events that both ends
// check against (admin-notifications.ts). Notifications and propagation reports have files of their own.
import type { FlagKind, JsonValue, Reason, Rule, SegmentRule, Serve, Target } from './model.js';
import type { ValidationIssue } from './validate.js';

// Errors

export type ErrorCode =
  | 'invalid_json'
  | 'validation_failed'
  | 'invalid_query'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'already_exists'
  | 'version_conflict'
  | 'archived'
  | 'segment_in_use'
  | 'last_admin_token'
  | 'plan_finished'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'precondition_required'
  | 'rate_limited'
  | 'internal'
  | 'unavailable';

/** One problem with a request body: where (`rules[1].clauses[0].op`) and what. */
export type Issue = ValidationIssue;

/** Every refusal: `{ error: { code, message, details? } }`; `validation_failed` details hold `issues`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

// Who changed what

/** Who made a change: an admin token, an alert hook, or the server itself (bootstrap, seeding). */
export interface Actor {
  kind: 'admin' | 'hook' | 'system';
  id: string;
  name: string;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: Actor;
  action: string;
  env?: string;
  resource: { kind: string; key: string };
  reason?: string;
  before?: unknown;
  after?: unknown;
}

/** The query string of `GET /api/v1/audit`: times are ISO 8601 or a duration back from now (`15m`, `7d`); `cursor` is a page's `nextCursor`. */
export interface AuditQueryParams {
  flag?: string;
  env?: string;
  /** Matches the actor's id or name. */
  actor?: string;
  /** An exact action (`flag_state.update`), or a prefix ending in `*` (`flag.*`). */
  action?: string;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

// Environments, flags, segments

export interface Environment {
  key: string;
  name: string;
  version: number;
  createdAt: string;
}

/** One flag's state in one environment. */
export interface FlagState {
  version: number;
  on: boolean;
  offVariation: number;
  targets: Target[];
  rules: Rule[];
  fallthrough: Serve;
  updatedAt: string;
}

/** The part of a FlagState a caller may write. */
export type FlagStateInput = Pick<FlagState, 'on' | 'offVariation' | 'targets' | 'rules' | 'fallthrough'>;

/** A flag as the admin API returns it: the shared definition plus its state in each environment. */
export interface FlagResource {
  key: string;
  name: string;
  kind: FlagKind;
  variations: JsonValue[];
  description: string;
  tags: string[];
  clientSide: boolean;
  seed: string | null;
  archived: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
  environments: Record<string, FlagState>;
}

/** `POST /api/v1/flags`. */
export interface NewFlag {
  key: string;
  kind?: FlagKind;
  name?: string;
  description?: string;
  tags?: string[];
  clientSide?: boolean;
  seed?: string | null;
  variations?: JsonValue[];
}

/** `PATCH /api/v1/flags/:key`: the definition's writable fields. */
export type FlagPatch = Partial<Pick<FlagResource, 'name' | 'description' | 'tags' | 'clientSide' | 'seed' | 'variations'>>;

export interface SegmentResource {
  key: string;
  name: string;
  description: string;
  version: number;
  included: string[];
  excluded: string[];
  rules: SegmentRule[];
  createdAt: string;
  updatedAt: string;
}

/** The body of `POST` (with `key`) and `PUT` on segments; a field left out is empty (the name: the key). */
export interface SegmentInput {
  name?: string;
  description?: string;
  included?: string[];
  excluded?: string[];
  rules?: SegmentRule[];
}

/** `POST /api/v1/evaluate`: "why did user X get Y". */
export interface EvaluationRequest {
  env: string;
  flag: string;
  context: Record<string, unknown>;
  /** Served when the flag cannot be evaluated; null when left out. */
  default?: JsonValue;
}

/** The answer to `POST /api/v1/evaluate`. */
export interface Evaluation {
  flag: string;
  env: string;
  flagVersion: number;
  value: JsonValue;
  variationIndex: number | null;
  reason: Reason;
}

// Keys

export type KeyKind = 'admin' | 'server' | 'client';
export type Scope = 'read' | 'write' | 'admin';

export interface KeyInfo {
  id: string;
  kind: KeyKind;
  name: string;
  env?: string;
  scopes?: Scope[];
  hint: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** `POST /api/v1/keys`; the answer is a CreatedKey. */
export interface NewKey {
  kind: KeyKind;
  env?: string;
  name?: string;
  scopes?: Scope[];
}

/** The answer to creating a key: the only time the key itself is shown. */
export type CreatedKey = KeyInfo & { key: string };

// Alert hooks and kill rules (docs/alerts.md)

export type HookProvider = 'alertmanager' | 'grafana' | 'datadog' | 'generic';
export type HookAuth = 'bearer' | 'hmac';

/** An alert webhook receiver. Listing and creating add its `url`; creating, once, its `secret`. */
export interface HookInfo {
  id: string;
  env: string;
  provider: HookProvider;
  name: string;
  auth: HookAuth;
  hint: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** A hook as listed: with the URL to give the alerting system. */
export type ListedHook = HookInfo & { url: string };

/** The answer to creating a hook: the only time its secret is shown. */
export type CreatedHook = ListedHook & { secret: string };

/** `POST /api/v1/environments/:env/hooks`. */
export interface NewHook {
  provider: HookProvider;
  name?: string;
  auth?: HookAuth;
}

export type MatchOp = '=' | '!=' | '=~';

/** A label matcher with Prometheus' meaning (`=~` is anchored at both ends). */
export interface LabelMatcher {
  label: string;
  op: MatchOp;
  value: string;
}

export type KillAction = 'off' | 'rollback';
export type OnResolve = 'keep' | 'restore';

export interface KillRule {
  id: string;
  env: string;
  alert: string;
  matchers: LabelMatcher[];
  /** Exactly one of flag and flagLabel is set. */
  flag?: string;
  flagLabel?: string;
  action: KillAction;
  onResolve: OnResolve;
  createdAt: string;
}

/** `POST /api/v1/environments/:env/kill-rules`. */
export interface NewKillRule {
  alert: string;
  matchers?: LabelMatcher[];
  flag?: string;
  flagLabel?: string;
  action?: KillAction;
  onResolve?: OnResolve;
}

// Rollout plans (docs/rollouts.md)

export type PlanState = 'active' | 'paused' | 'completed' | 'aborted';

export interface RolloutPlan {
  id: number;
  env: string;
  flag: string;
  state: PlanState;
  steps: Array<{ percent: number; holdSeconds: number }>;
  /** Index of the last step applied (the first one is applied when the plan is created). */
  currentStep: number;
  /** The share of users who get `variation` now, as far as this plan set it. */
  percent: number;
  nextStepAt: string | null;
  variation: JsonValue;
  from: JsonValue;
  bucketBy: string;
  reason: string | null;
  stateChangedBy: Actor | null;
  createdBy: Actor;
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** `POST /api/v1/rollout-plans`. A step is a percentage, or one with its own hold. */
export interface NewRolloutPlan {
  flag: string;
  env: string;
  steps: Array<number | { percent: number; holdSeconds?: number }>;
  /** The hold of every step that does not name its own. */
  holdSeconds?: number;
  /** The variation rolled out, by value (default: true, for boolean flags). */
  variation?: JsonValue;
  /** The variation everybody else keeps, by value (default: the other one of a boolean flag, else the off variation). */
  from?: JsonValue;
  bucketBy?: string;
}

/** Something the creator of a plan should know; the plan was created all the same. */
export interface PlanWarning {
  code: 'flag_off';
  message: string;
}

/** The answer to `POST /api/v1/rollout-plans`. */
export type CreatedRolloutPlan = RolloutPlan & { warnings: PlanWarning[] };

// Usage (what SDKs report)

export interface VariationUsage {
  /** Null when the caller's default was served (unknown flag, wrong type). */
  variation: number | null;
  count: number;
  lastEvaluatedAt: string;
}

export interface FlagUsage {
  env: string;
  lastEvaluatedAt: string | null;
  evaluations: number;
  variations: VariationUsage[];
}

export interface SdkInstance {
  instanceId: string;
  sdk: string;
  keyId: string;
  appliedVersion: number | null;
  /** Environment versions not yet applied by this instance at its last report; null before any. */
  behind: number | null;
  firstSeenAt: string;
  lastSeenAt: string;
}

export * from './admin-notifications.js';
export type * from './admin-reach.js';
