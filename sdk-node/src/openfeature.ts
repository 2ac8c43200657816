// An OpenFeature provider for @openfeature/server-sdk over a FlagsClient: evaluation stays local and
// synchronous underneath. Contexts and results are translated by core (shared with the web provider); what
// is the server paradigm's is here: a context with every call, async resolution, and readiness and
// connection status as provider events.
import { OpenFeatureEventEmitter, ProviderEvents } from '@openfeature/server-sdk';
import type { EvaluationContext, JsonValue as OpenFeatureJson, Provider, ResolutionDetails } from '@openfeature/server-sdk';
import type { JsonValue } from '@flagstaff/core/evaluate';
import { flagstaffContext, openFeatureResolution } from '@flagstaff/core/openfeature';
import { FlagsClient, type ClientStatus, type FlagDetail } from './client.js';
import type { ClientOptions } from './options.js';

export interface ProviderOptions {
  /** How long initialize() waits for the first flags (OpenFeature's READY); default 5000. */
  readyTimeoutMs?: number;
}

export class FlagstaffProvider implements Provider {
  readonly metadata = { name: 'flagstaff' } as const;
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();
  readonly client: FlagsClient;
  readonly #owned: boolean;
  readonly #readyTimeoutMs: number;
  readonly #unsubscribe: (() => void)[];
  /** Until initialize() settles the SDK announces readiness itself; after, status changes are ours to tell. */
  #initialized = false;

  /** Give it client options (it creates and owns the client), or a client the application keeps. */
  constructor(clientOrOptions: FlagsClient | ClientOptions, options: ProviderOptions = {}) {
    this.#owned = !(clientOrOptions instanceof FlagsClient);
    this.client = clientOrOptions instanceof FlagsClient ? clientOrOptions : new FlagsClient(clientOrOptions);
    this.#readyTimeoutMs = options.readyTimeoutMs ?? 5_000;
    this.#unsubscribe = [
      this.client.on('change', ({ keys, version }) =>
        this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: keys, metadata: { version } }),
      ),
      this.client.on('status', (status) => this.#statusChanged(status)),
    ];
  }

  async initialize(): Promise<void> {
    try {
      const status = await this.client.ready({ timeoutMs: this.#readyTimeoutMs });
      // With a bootstrap there is something to serve (reported STALE until the server's flags arrive).
      if (status.state === 'initializing' && status.source === 'bootstrap') return;
      if (status.state === 'initializing' || status.state === 'failed' || status.state === 'closed') {
        throw new Error(`flagstaff is ${status.state}${status.lastError ? `: ${status.lastError.message}` : ''}`);
      }
    } finally {
      this.#initialized = true;
    }
  }

  async onClose(): Promise<void> {
    for (const unsubscribe of this.#unsubscribe) unsubscribe();
    if (this.#owned) await this.client.close();
  }

  async resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: EvaluationContext): Promise<ResolutionDetails<boolean>> {
    return this.#resolve(flagKey, defaultValue, context);
  }

  async resolveStringEvaluation(flagKey: string, defaultValue: string, context: EvaluationContext): Promise<ResolutionDetails<string>> {
    return this.#resolve(flagKey, defaultValue, context);
  }

  async resolveNumberEvaluation(flagKey: string, defaultValue: number, context: EvaluationContext): Promise<ResolutionDetails<number>> {
    return this.#resolve(flagKey, defaultValue, context);
  }

  async resolveObjectEvaluation<T extends OpenFeatureJson>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<T>> {
    return this.#resolve(flagKey, defaultValue, context);
  }

  #resolve<T>(flagKey: string, defaultValue: T, context: EvaluationContext): ResolutionDetails<T> {
    const detail = this.client.variationDetail(flagKey, flagstaffContext(context), defaultValue as JsonValue) as FlagDetail<JsonValue>;
    return openFeatureResolution(detail, defaultValue, () => this.#stale()) as ResolutionDetails<T>;
  }

  /** Served from flags that may be out of date: the server is out of reach, or only the bootstrap is held. */
  #stale(): boolean {
    const { state, source, connection } = this.client.status();
    return state === 'stale' || (state === 'failed' && source === 'server') || (source === 'bootstrap' && connection !== 'offline');
  }

  #statusChanged(status: ClientStatus): void {
    if (!this.#initialized) return;
    if (status.state === 'ready') this.events.emit(ProviderEvents.Ready);
    else if (status.state === 'stale') this.events.emit(ProviderEvents.Stale, { message: status.lastError?.message });
    else if (status.state === 'failed') this.events.emit(ProviderEvents.Error, { message: status.lastError?.message });
  }
}
