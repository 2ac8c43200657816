// An OpenFeature provider for @openfeature/web-sdk over a FlagsClient. Contexts and results are translated by
// core (shared with the Node provider); what is the web paradigm's is here: one static context
// (OpenFeature.setContext) mapped onto identify(), synchronous resolution, and status changes as events.
// A separate entry keeps it out of the core bundle.
import { OpenFeatureEventEmitter, ProviderEvents } from '@openfeature/web-sdk';
import type { EvaluationContext, JsonValue as OpenFeatureJson, Provider, ResolutionDetails } from '@openfeature/web-sdk';
import type { JsonValue } from '@flagstaff/core/evaluate';
import { flagstaffContext, openFeatureResolution } from '@flagstaff/core/openfeature';
import { FlagsClient, type ClientOptions } from './client.js';

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
    const detail = this.client.variationDetail(flagKey, defaultValue as JsonValue);
    // Served before the server answered (bootstrap, cache) or while it is out of reach.
    const stale = () => detail.source !== 'server' || this.client.status().state === 'stale';
    return openFeatureResolution(detail, defaultValue, stale) as ResolutionDetails<T>;
  }
}
