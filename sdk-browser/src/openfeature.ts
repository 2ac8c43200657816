// An OpenFeature provider for @openfeature/web-sdk over a FlagsClient. The web SDK has one static context
// (OpenFeature.setContext), which maps onto identify(): evaluation stays local and synchronous; this file
// only translates contexts, reasons, error codes and events. A separate entry keeps it out of the core bundle.
import {
  ErrorCode,
  OpenFeatureEventEmitter,
  ProviderEvents,
  StandardResolutionReasons,
  type EvaluationContext,
  type JsonValue as OpenFeatureJson,
  type Provider,
  type ResolutionDetails,
} from '@openfeature/web-sdk';
import type { Context, ErrorKind, JsonValue } from '@flagstaff/core/evaluate';
import { OPENFEATURE_ERROR_CODES, openFeatureReason } from '@flagstaff/core/openfeature';
import { FlagsClient, type ClientOptions } from './client.js';

/** OpenFeature names the user `targetingKey`; Flagstaff's contexts call it `key`. */
function flagstaffContext(context: EvaluationContext | undefined): Context {
  const { targetingKey, ...attributes } = context ?? {};
  return targetingKey === undefined ? attributes : { ...attributes, key: targetingKey };
}

export interface ProviderOptions {
  /** How long initialize() waits for the server's flags (OpenFeature's READY); default 5000. */
  readyTimeoutMs?: number;
}

export class FlagstaffWebProvider implements Provider {
  readonly metadata = { name: 'flagstaff' } as const;
  readonly runsOn = 'client' as const;
  readonly events = new OpenFeatureEventEmitter();
  readonly client: FlagsClient;
  readonly #owned: boolean;
  readonly #readyTimeoutMs: number;
  readonly #unsubscribe: (() => void)[];

  /** Give it client options (it creates and owns the client), or a client the application keeps. */
  constructor(clientOrOptions: FlagsClient | ClientOptions, options: ProviderOptions = {}) {
    this.#owned = !(clientOrOptions instanceof FlagsClient);
    this.client = clientOrOptions instanceof FlagsClient ? clientOrOptions : new FlagsClient(clientOrOptions);
    this.#readyTimeoutMs = options.readyTimeoutMs ?? 5_000;
    this.#unsubscribe = [
      this.client.on('change', (keys) => this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: keys })),
      this.client.on('status', ({ state, lastError }) => {
        if (state === 'stale') this.events.emit(ProviderEvents.Stale, { message: lastError?.message });
        else if (state === 'failed') this.events.emit(ProviderEvents.Error, { message: lastError?.message });
      }),
    ];
  }

  async initialize(context?: EvaluationContext): Promise<void> {
    this.client.identify(flagstaffContext(context));
    const { state, source, lastError } = await this.client.ready({ timeoutMs: this.#readyTimeoutMs });
    // With a bootstrap or a cached snapshot there is something to serve (STALE until the server answers).
    if (state === 'ready' || state === 'stale' || (state === 'initializing' && source === 'bootstrap')) return;
    throw new Error(`flagstaff is ${state}${lastError ? `: ${lastError.message}` : ''}`);
  }

  /** Local re-evaluation: nothing to fetch, so no RECONCILING state. */
  onContextChange(_old: EvaluationContext, context: EvaluationContext): void {
    this.client.identify(flagstaffContext(context));
  }

  async onClose(): Promise<void> {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    if (this.#owned) this.client.close();
  }

  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean): ResolutionDetails<boolean> {
    return this.#resolve(flagKey, defaultValue);
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string): ResolutionDetails<string> {
    return this.#resolve(flagKey, defaultValue);
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number): ResolutionDetails<number> {
    return this.#resolve(flagKey, defaultValue);
  }

  resolveObjectEvaluation<T extends OpenFeatureJson>(flagKey: string, defaultValue: T): ResolutionDetails<T> {
    return this.#resolve(flagKey, defaultValue);
  }

  #resolve<T>(flagKey: string, defaultValue: T): ResolutionDetails<T> {
    const { value, variationIndex, reason, source } = this.client.variationDetail(flagKey, defaultValue as JsonValue);
    const flagMetadata: Record<string, string | number | boolean> = { reason: reason.kind, source };
    if (reason.ruleId !== undefined) flagMetadata.ruleId = reason.ruleId;
    if (reason.kind === 'ERROR') {
      const errorKind = reason.errorKind ?? 'EXCEPTION';
      return { value: defaultValue, reason: StandardResolutionReasons.ERROR, errorCode: OPENFEATURE_ERROR_CODES[errorKind] as ErrorCode, errorMessage: errorKind, flagMetadata };
    }
    const { state } = this.client.status();
    return {
      value: value as T,
      variant: variationIndex === null ? undefined : String(variationIndex),
      reason: source !== 'server' || state === 'stale' ? StandardResolutionReasons.STALE : openFeatureReason(reason),
      flagMetadata,
    };
  }
}
