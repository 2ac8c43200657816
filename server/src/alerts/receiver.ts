// One webhook request, start to finish: which hook (by the id in the URL, or by a bearer secret), is it
// really that hook (credentials.ts), what does the body say (the provider's parser), which flags do its
// alerts reach (kill-rules.ts), and what each alert changes (kill-switch.ts, in one transaction each that
// store/alert-events.ts runs).
// Answers as senders expect (REFERENCE.md): 2xx for any well-formed notification, even one that matches
// nothing; 4xx for bad credentials or payloads (not retried); 5xx only when a retry could succeed.
import { ApiError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/index.js';
import type { HookRecord } from '../store/hooks.js';
import { PayloadError, PROVIDERS, type NormalisedAlert, type Provider } from './alert.js';
import { checkCredentials, presentedSecret } from './credentials.js';
import { targetsOf, type Skipped } from './kill-rules.js';
import { actOnAlert, type ActionOutcome } from './kill-switch.js';
import { PROVIDER_INFO } from './providers.js';
import type { RolloutPlans } from './rollout-plans.js';

export interface HookRequest {
  provider: string;
  /** From the URL `/hooks/v1/alerts/:provider/:hookId`; absent on the id-less URL. */
  hookId?: string;
  header(name: string): string | undefined;
  body: string;
}

export interface AlertReport {
  alert: string;
  fingerprint: string;
  status: NormalisedAlert['status'];
  /** Seen before in this status: nothing done again. */
  duplicate: boolean;
  actions: ActionOutcome[];
  skipped: Skipped[];
  /** Why this alert changed nothing although it should have (nothing of it was written). */
  error?: string;
}

export interface Receipt {
  hook: string;
  received: number;
  ignored?: string;
  alerts: AlertReport[];
}

export interface ReceiverDeps {
  store: Store;
  log: Logger;
  plans: RolloutPlans;
  clock?: () => number;
}

const isProvider = (name: string): name is Provider => (PROVIDERS as readonly string[]).includes(name);

/** The audit reason of everything an alert does: enough to find the alert and what to read about it. */
export function describeAlert(provider: Provider, hookId: string, alert: NormalisedAlert): string {
  const links = Object.entries(alert.links).map(([kind, url]) => `${kind}: ${url}`);
  return [`${provider} alert "${alert.name}" ${alert.status} (fingerprint ${alert.fingerprint}, hook ${hookId})`, ...links].join('; ');
}

export class AlertReceiver {
  readonly #clock: () => number;

  constructor(private readonly deps: ReceiverDeps) {
    this.#clock = deps.clock ?? Date.now;
  }

  receive(request: HookRequest): Receipt {
    const { provider } = request;
    if (!isProvider(provider)) throw new ApiError('not_found', `no alert provider "${provider}": use one of ${PROVIDERS.join(', ')}`);
    const hook = this.#authenticate(provider, request);
    const notification = this.#parse(provider, hook, request.body);
    const receipt: Receipt = { hook: hook.id, received: notification.alerts.length, alerts: [] };
    if (notification.ignored) receipt.ignored = notification.ignored;
    if (notification.alerts.length === 0) {
      this.deps.store.hooks.touch(hook.id);
      return receipt;
    }

    const rules = this.deps.store.killRules.list(hook.env);
    const actor = { kind: 'hook' as const, id: hook.id, name: hook.name };
    for (const alert of notification.alerts) {
      const { targets, skipped } = targetsOf(alert, rules);
      const report = { alert: alert.name, fingerprint: alert.fingerprint, status: alert.status, skipped };
      try {
        const reason = describeAlert(provider, hook.id, alert);
        const result = this.deps.store.alertEvents.record({
          hook,
          actor,
          alert,
          reachesFlags: targets.length > 0,
          reason,
          act: (tx, env) => actOnAlert({ tx, env, fingerprint: alert.fingerprint, plans: this.deps.plans, reason }, alert.status, targets),
        });
        receipt.alerts.push({ ...report, ...result });
      } catch (error) {
        if (!(error instanceof ApiError) || error.status >= 500) {
          // The database is busy or failing: the alerts already handled are deduplicated when the sender retries.
          this.deps.log.error('alert not applied', { hookId: hook.id, fingerprint: alert.fingerprint, error });
          throw new ApiError('unavailable', 'the alert could not be applied now; retry');
        }
        // A refusal (a state that no longer validates) would be refused again: report it, go on with the others.
        this.deps.log.warn('alert refused', { hookId: hook.id, fingerprint: alert.fingerprint, error: error.message });
        receipt.alerts.push({ ...report, duplicate: false, actions: [], error: error.message });
      }
    }
    // After the alerts: recording last use is a write of its own, and must not delay a kill.
    this.deps.store.hooks.touch(hook.id);
    for (const report of receipt.alerts) {
      for (const action of report.actions) {
        if (action.outcome === 'skipped') continue;
        this.deps.log.info('kill rule acted', { hookId: hook.id, alert: report.alert, fingerprint: report.fingerprint, ...action });
      }
    }
    return receipt;
  }

  #reject(provider: Provider, status: 400 | 401, why: string, hook?: HookRecord, hookId?: string): never {
    this.deps.store.hooks.recordRejection({ provider, hookId: hook?.id ?? hookId, env: hook?.env, status, why });
    this.deps.log.warn('webhook request rejected', { provider, hookId: hook?.id ?? hookId, status, why });
    throw status === 401 ? new ApiError('unauthorized', why) : new ApiError('validation_failed', why);
  }

  #authenticate(provider: Provider, request: HookRequest): HookRecord {
    const { hookId } = request;
    let hook: HookRecord | undefined;
    if (hookId !== undefined) {
      hook = this.deps.store.hooks.byId(hookId);
    } else {
      const secret = presentedSecret(request.header('Authorization'));
      hook = secret === undefined ? undefined : this.deps.store.hooks.bySecret(secret);
      if (hook?.auth === 'hmac') this.#reject(provider, 401, 'signed hooks are called at their own URL (with the hook id)', hook);
    }
    // One answer for a hook that does not exist, is revoked or belongs to another provider: no probing.
    if (!hook || hook.revoked || hook.provider !== provider) {
      this.#reject(provider, 401, hookId === undefined ? 'missing or unknown hook credentials' : 'unknown or revoked hook', hook, hookId);
    }
    const signing = PROVIDER_INFO[provider].signing;
    const why = checkCredentials(
      hook,
      {
        authorization: request.header('Authorization'),
        signature: signing && request.header(signing.signatureHeader),
        timestamp: signing && request.header(signing.timestampHeader),
      },
      request.body,
      this.#clock(),
    );
    if (why !== null) this.#reject(provider, 401, why, hook);
    return hook;
  }

  #parse(provider: Provider, hook: HookRecord, body: string) {
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (error) {
      this.#reject(provider, 400, `the body is not valid JSON: ${(error as Error).message}`, hook);
    }
    try {
      return PROVIDER_INFO[provider].parse(json);
    } catch (error) {
      if (error instanceof PayloadError) this.#reject(provider, 400, error.message, hook);
      throw error;
    }
  }
}
