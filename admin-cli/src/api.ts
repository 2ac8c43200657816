// The one typed client of the admin API (docs/api.md). Every command goes through it, so every command maps
// failures the same way: an error body → ServerRefusal (exit 1), no answer → Unreachable (exit 3). What it
// sends and reads is typed by @flagstaff/core/admin, the server's own definitions: types only, over HTTP.
import type {
  AuditEntry,
  ChangeReach,
  AuditQueryParams,
  CreatedHook,
  CreatedNotification,
  CreatedKey,
  CreatedRolloutPlan,
  Environment,
  Evaluation,
  EvaluationRequest,
  FlagPatch,
  FlagResource,
  FlagState,
  FlagStateInput,
  HookInfo,
  KeyInfo,
  KillRule,
  ListedHook,
  NewFlag,
  NewHook,
  NewNotification,
  NotificationDelivery,
  NotificationInfo,
  NewKey,
  NewKillRule,
  NewRolloutPlan,
  PlanState,
  RolloutPlan,
  SegmentInput,
  SegmentResource,
} from '@flagstaff/core/admin';
import { ServerRefusal, Unreachable } from './errors.js';

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
    this.#get<{ flags: FlagResource[] }>('flags', query);
  getFlag = (key: string) => this.#get<FlagResource>(path('flags', key));
  createFlag = (body: NewFlag) => this.#send<FlagResource>('POST', 'flags', body);
  patchFlag = (key: string, body: FlagPatch, ifMatch?: number) => this.#send<FlagResource>('PATCH', path('flags', key), body, ifMatch);
  archiveFlag = (key: string) => this.#send<FlagResource>('POST', path('flags', key, 'archive'));
  unarchiveFlag = (key: string) => this.#send<FlagResource>('POST', path('flags', key, 'unarchive'));

  getFlagState = (key: string, env: string) => this.#get<FlagState>(path('flags', key, 'environments', env));
  patchFlagState = (key: string, env: string, body: Partial<FlagStateInput>, ifMatch?: number) =>
    this.patchFlagStateAt(key, env, body, ifMatch).then(({ state }) => state);
  /** As patchFlagState, with the environment version the write left (null from a server that does not say). */
  patchFlagStateAt = async (key: string, env: string, body: Partial<FlagStateInput>, ifMatch?: number) => {
    let envVersion: number | null = null;
    const state = await this.#request<FlagState>('PATCH', path('flags', key, 'environments', env), body, ifMatch, undefined, (h) => {
      const raw = h.get('x-flagstaff-env-version');
      if (raw !== null && /^\d+$/.test(raw)) envVersion = Number(raw);
    });
    return { state, envVersion };
  };
  /** How far one change reached the SDKs (GET /api/v1/environments/:env/changes/:version). */
  getChangeReach = (env: string, version: number) => this.#get<ChangeReach>(path('environments', env, 'changes', String(version)));

  listSegments = (env: string) => this.#get<{ segments: SegmentResource[] }>(path('environments', env, 'segments'));
  getSegment = (env: string, key: string) => this.#get<SegmentResource>(path('environments', env, 'segments', key));
  createSegment = (env: string, body: SegmentInput & { key: string }) =>
    this.#send<SegmentResource>('POST', path('environments', env, 'segments'), body);
  putSegment = (env: string, key: string, body: SegmentInput, ifMatch: number) =>
    this.#send<SegmentResource>('PUT', path('environments', env, 'segments', key), body, ifMatch);
  deleteSegment = (env: string, key: string) => this.#send<null>('DELETE', path('environments', env, 'segments', key));

  evaluate = (body: EvaluationRequest) => this.#send<Evaluation>('POST', 'evaluate', body);

  listAudit = (query: AuditQueryParams) => this.#get<{ entries: AuditEntry[]; nextCursor: string | null }>('audit', query as Query);

  listKeys = () => this.#get<{ keys: KeyInfo[] }>('keys');
  createKey = (body: NewKey) => this.#send<CreatedKey>('POST', 'keys', body);
  revokeKey = (id: string) => this.#send<KeyInfo>('DELETE', path('keys', id));

  listPlans = (query: { env?: string; flag?: string; state?: PlanState } = {}) =>
    this.#get<{ plans: RolloutPlan[] }>('rollout-plans', query);
  getPlan = (id: number) => this.#get<RolloutPlan>(path('rollout-plans', String(id)));
  createPlan = (body: NewRolloutPlan) => this.#send<CreatedRolloutPlan>('POST', 'rollout-plans', body);
  /** `action` is pause, resume or abort. */
  changePlan = (id: number, action: 'pause' | 'resume' | 'abort', ifMatch?: number) =>
    this.#send<RolloutPlan>('POST', path('rollout-plans', String(id), action), undefined, ifMatch);

  listHooks = (env: string) => this.#get<{ hooks: ListedHook[] }>(path('environments', env, 'hooks'));
  createHook = (env: string, body: NewHook) => this.#send<CreatedHook>('POST', path('environments', env, 'hooks'), body);
  revokeHook = (env: string, id: string) => this.#send<HookInfo>('DELETE', path('environments', env, 'hooks', id));

  listNotifications = (env: string) => this.#get<{ notifications: NotificationInfo[] }>(path('environments', env, 'notifications'));
  createNotification = (env: string, body: NewNotification) =>
    this.#send<CreatedNotification>('POST', path('environments', env, 'notifications'), body);
  deleteNotification = (env: string, id: string) => this.#send<NotificationInfo>('DELETE', path('environments', env, 'notifications', id));
  testNotification = (env: string, id: string) =>
    this.#send<{ delivery: number }>('POST', path('environments', env, 'notifications', id, 'test'));
  listDeliveries = (env: string, id: string) =>
    this.#get<{ deliveries: NotificationDelivery[] }>(path('environments', env, 'notifications', id, 'deliveries'));

  listKillRules = (env: string) => this.#get<{ killRules: KillRule[] }>(path('environments', env, 'kill-rules'));
  createKillRule = (env: string, body: NewKillRule) => this.#send<KillRule>('POST', path('environments', env, 'kill-rules'), body);
  deleteKillRule = (env: string, id: string) => this.#send<null>('DELETE', path('environments', env, 'kill-rules', id));

  #get<T>(route: string, query?: Query): Promise<T> {
    return this.#request<T>('GET', route, undefined, undefined, query);
  }

  #send<T>(method: string, route: string, body?: unknown, ifMatch?: number): Promise<T> {
    return this.#request<T>(method, route, body, ifMatch);
  }

  async #request<T>(
    method: string,
    route: string,
    body?: unknown,
    ifMatch?: number,
    query?: Query,
    seen?: (headers: Headers) => void,
  ): Promise<T> {
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
    if (response.ok) seen?.(response.headers);
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

/**
 * The server's ErrorBody (@flagstaff/core/admin), or undefined when the answer is not one. Its code is read as
 * any string, not as ErrorCode: a newer server may refuse with a code this CLI does not know yet.
 */
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
