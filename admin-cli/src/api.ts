// The one typed client of the admin API (docs/api.md). Every command goes through it, so every command maps
// failures the same way: an error body → ServerRefusal (exit 1), no answer → Unreachable (exit 3).
import type { FlagKind, JsonValue, Rule, SegmentRule, Serve, Target } from '@flagstaff/core';
import { ServerRefusal, Unreachable } from './errors.js';

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

export type FlagStateFields = Pick<FlagState, 'on' | 'offVariation' | 'targets' | 'rules' | 'fallthrough'>;

/** A flag as the admin API returns it: the shared definition plus its state in each environment. */
export interface AdminFlag {
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

export interface NewFlag {
  key: string;
  kind?: FlagKind;
  variations?: JsonValue[];
  name?: string;
  description?: string;
  tags?: string[];
  clientSide?: boolean;
  seed?: string | null;
}

export type FlagDefinitionPatch = Partial<
  Pick<AdminFlag, 'name' | 'description' | 'tags' | 'clientSide' | 'seed' | 'variations'>
>;

export interface Segment {
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

export type SegmentFields = Pick<Segment, 'name' | 'description' | 'included' | 'excluded' | 'rules'>;

export interface Evaluation {
  flag: string;
  env: string;
  flagVersion: number;
  value: JsonValue;
  variationIndex: number | null;
  reason: { kind: string; ruleId?: string; ruleIndex?: number; inRollout?: boolean; errorKind?: string };
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: { kind: string; id?: string; name?: string };
  action: string;
  env?: string;
  resource: { kind: string; key: string };
  reason?: string;
  before?: unknown;
  after?: unknown;
}

export interface AuditQuery {
  flag?: string;
  env?: string;
  actor?: string;
  action?: string;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

export type KeyKind = 'admin' | 'server' | 'client';

export interface KeyInfo {
  id: string;
  kind: KeyKind;
  name: string;
  env?: string;
  scopes?: string[];
  hint: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** A progressive rollout plan (docs/rollouts.md). */
export interface RolloutPlan {
  id: number;
  env: string;
  flag: string;
  state: 'active' | 'paused' | 'completed' | 'aborted';
  steps: Array<{ percent: number; holdSeconds: number }>;
  currentStep: number;
  percent: number;
  nextStepAt: string | null;
  variation: JsonValue;
  from: JsonValue;
  bucketBy: string;
  reason: string | null;
  stateChangedBy: { kind: string; id: string; name: string } | null;
  createdBy: { kind: string; id: string; name: string };
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface NewRolloutPlan {
  flag: string;
  env: string;
  steps: number[];
  holdSeconds: number;
  variation?: JsonValue;
  from?: JsonValue;
  bucketBy?: string;
}

export type HookProvider = 'alertmanager' | 'grafana' | 'datadog' | 'generic';

/** An alert webhook receiver (docs/alerts.md). */
export interface HookInfo {
  id: string;
  env: string;
  provider: HookProvider;
  name: string;
  auth: 'bearer' | 'hmac';
  hint: string;
  url: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface LabelMatcher {
  label: string;
  op: '=' | '!=' | '=~';
  value: string;
}

export interface KillRule {
  id: string;
  env: string;
  alert: string;
  matchers: LabelMatcher[];
  flag?: string;
  flagLabel?: string;
  action: 'off' | 'rollback';
  onResolve: 'keep' | 'restore';
  createdAt: string;
}

export type NewKillRule = Omit<KillRule, 'id' | 'env' | 'createdAt' | 'action' | 'onResolve'> &
  Partial<Pick<KillRule, 'action' | 'onResolve'>>;

export interface ApiOptions {
  url: string;
  token: string;
  /** Sent with every write as X-Flagstaff-Reason; it lands in the audit entry. */
  reason?: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

type Query = Record<string, string | number | undefined>;

export class AdminApi {
  readonly url: string;
  readonly #token: string;
  readonly #reason?: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: ApiOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.#token = options.token;
    this.#reason = options.reason;
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  listEnvironments = () => this.#get<{ environments: Environment[] }>('environments');
  createEnvironment = (body: { key: string; name?: string }) => this.#send<Environment>('POST', 'environments', body);

  listFlags = (query: { env?: string; tag?: string; q?: string; archived?: 'false' | 'true' | 'all' } = {}) =>
    this.#get<{ flags: AdminFlag[] }>('flags', query);
  getFlag = (key: string) => this.#get<AdminFlag>(path('flags', key));
  createFlag = (body: NewFlag) => this.#send<AdminFlag>('POST', 'flags', body);
  patchFlag = (key: string, body: FlagDefinitionPatch, ifMatch?: number) =>
    this.#send<AdminFlag>('PATCH', path('flags', key), body, ifMatch);
  archiveFlag = (key: string) => this.#send<AdminFlag>('POST', path('flags', key, 'archive'));
  unarchiveFlag = (key: string) => this.#send<AdminFlag>('POST', path('flags', key, 'unarchive'));

  getFlagState = (key: string, env: string) => this.#get<FlagState>(path('flags', key, 'environments', env));
  patchFlagState = (key: string, env: string, body: Partial<FlagStateFields>, ifMatch?: number) =>
    this.#send<FlagState>('PATCH', path('flags', key, 'environments', env), body, ifMatch);

  listSegments = (env: string) => this.#get<{ segments: Segment[] }>(path('environments', env, 'segments'));
  getSegment = (env: string, key: string) => this.#get<Segment>(path('environments', env, 'segments', key));
  createSegment = (env: string, body: Partial<SegmentFields> & { key: string }) =>
    this.#send<Segment>('POST', path('environments', env, 'segments'), body);
  putSegment = (env: string, key: string, body: SegmentFields, ifMatch: number) =>
    this.#send<Segment>('PUT', path('environments', env, 'segments', key), body, ifMatch);
  deleteSegment = (env: string, key: string) =>
    this.#send<null>('DELETE', path('environments', env, 'segments', key));

  evaluate = (body: { env: string; flag: string; context: Record<string, unknown>; default?: JsonValue }) =>
    this.#send<Evaluation>('POST', 'evaluate', body);

  listAudit = (query: AuditQuery) =>
    this.#get<{ entries: AuditEntry[]; nextCursor: string | null }>('audit', query as Query);

  listKeys = () => this.#get<{ keys: KeyInfo[] }>('keys');
  createKey = (body: { kind: KeyKind; env?: string; name?: string; scopes?: string[] }) =>
    this.#send<KeyInfo & { key: string }>('POST', 'keys', body);
  revokeKey = (id: string) => this.#send<KeyInfo>('DELETE', path('keys', id));

  listPlans = (query: { env?: string; flag?: string; state?: string } = {}) =>
    this.#get<{ plans: RolloutPlan[] }>('rollout-plans', query);
  getPlan = (id: number) => this.#get<RolloutPlan>(path('rollout-plans', String(id)));
  createPlan = (body: NewRolloutPlan) => this.#send<RolloutPlan>('POST', 'rollout-plans', body);
  /** `action` is pause, resume or abort. */
  changePlan = (id: number, action: 'pause' | 'resume' | 'abort', ifMatch?: number) =>
    this.#send<RolloutPlan>('POST', path('rollout-plans', String(id), action), undefined, ifMatch);

  listHooks = (env: string) => this.#get<{ hooks: HookInfo[] }>(path('environments', env, 'hooks'));
  createHook = (env: string, body: { provider: HookProvider; name?: string; auth?: 'bearer' | 'hmac' }) =>
    this.#send<HookInfo & { secret: string }>('POST', path('environments', env, 'hooks'), body);
  revokeHook = (env: string, id: string) => this.#send<HookInfo>('DELETE', path('environments', env, 'hooks', id));

  listKillRules = (env: string) => this.#get<{ killRules: KillRule[] }>(path('environments', env, 'kill-rules'));
  createKillRule = (env: string, body: NewKillRule) => this.#send<KillRule>('POST', path('environments', env, 'kill-rules'), body);
  deleteKillRule = (env: string, id: string) => this.#send<null>('DELETE', path('environments', env, 'kill-rules', id));

  #get<T>(route: string, query?: Query): Promise<T> {
    return this.#request<T>('GET', route, undefined, undefined, query);
  }

  #send<T>(method: string, route: string, body?: unknown, ifMatch?: number): Promise<T> {
    return this.#request<T>(method, route, body, ifMatch);
  }

  async #request<T>(method: string, route: string, body?: unknown, ifMatch?: number, query?: Query): Promise<T> {
    const target = new URL(`${this.url}/api/v1/${route}`);
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined) target.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = { authorization: `Bearer ${this.#token}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (ifMatch !== undefined) headers['if-match'] = `"${ifMatch}"`;
    if (method !== 'GET' && this.#reason) headers['x-flagstaff-reason'] = encodeReason(this.#reason);

    let response: Response;
    try {
      response = await this.#fetch(target, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new Unreachable(`cannot reach the Flagstaff server at ${this.url}: ${describeNetworkError(error)}`);
    }
    return readResponse<T>(response, this.url);
  }
}

async function readResponse<T>(response: Response, base: string): Promise<T> {
  const text = await response.text().catch(() => '');
  if (response.ok) {
    if (response.status === 204 || text === '') return null as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      throw notFlagstaff(response, base);
    }
  }
  const error = parseErrorBody(text);
  // A proxy in front of a stopped server answers 502/504, and the server answers 503 while it is not ready:
  // to a script these mean the same as a refused connection — try again later.
  if (response.status === 502 || response.status === 503 || response.status === 504) {
    const why = error?.message ?? `HTTP ${response.status}`;
    throw new Unreachable(`the Flagstaff server at ${base} is unavailable: ${why}`);
  }
  if (!error) throw notFlagstaff(response, base);
  throw new ServerRefusal(response.status, error.code, error.message, error.details);
}

function parseErrorBody(text: string): { code: string; message: string; details?: unknown } | undefined {
  try {
    const error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown; details?: unknown } }).error;
    if (typeof error?.code === 'string' && typeof error.message === 'string') {
      return { code: error.code, message: error.message, details: error.details };
    }
  } catch {
    // not JSON: handled by the caller
  }
  return undefined;
}

function notFlagstaff(response: Response, base: string): ServerRefusal {
  const type = response.headers.get('content-type') ?? 'no content type';
  return new ServerRefusal(
    response.status,
    'unexpected_response',
    `unexpected answer from ${base} (HTTP ${response.status}, ${type}): is this a Flagstaff server?`,
  );
}

function describeNetworkError(error: unknown): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') return 'no answer in time';
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
}

function path(...segments: string[]): string {
  return segments.map(encodeURIComponent).join('/');
}

/**
 * docs/api.md: the reason is UTF-8, percent-encoded when it is not plain printable ASCII. A "%" is
 * encoded too: the server percent-decodes the header, so "50% rollout" sent raw would not survive.
 */
export function encodeReason(reason: string): string {
  return /^[\x20-\x24\x26-\x7e]*$/.test(reason) ? reason : encodeURIComponent(reason);
}
