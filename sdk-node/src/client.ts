// The Node SDK's client: flags held in memory, evaluated locally by core's evaluator, kept current by the
// Updater. Nothing here throws into application code: evaluation falls back to the caller's default with
// a reason, failures become 'error' events, status() and log lines.
import { evaluate, type Context, type EvaluationDetail, type JsonValue } from '@flagstaff/core/evaluate';
import {
  FlagSync,
  type FlagChange,
  type FlagSource,
  type SyncError,
  type SyncResult,
  type SyncState,
  type SyncStatus,
} from '@flagstaff/core/sync';
import { readBootstrap } from './bootstrap.js';
import { Emitter } from './emitter.js';
import { FlagIndex } from './flag-index.js';
import { SdkHttp } from './http.js';
import { safeLogger, type Logger } from './logger.js';
import { resolveOptions, type ClientOptions } from './options.js';
import { Updater, type Connection } from './updater.js';
import { UsageReporter } from './usage.js';
import { AckSender } from './ack.js';

/** The type a flag call returns, from its default: `'Welcome'` asks for a string, `0` for a number. */
export type Widen<T> = T extends boolean ? boolean : T extends string ? string : T extends number ? number : T;

export interface FlagDetail<T> extends EvaluationDetail<T> {
  /** Where the flags evaluated came from: `none` means the default was served because nothing is held yet. */
  source: FlagSource;
}

export interface ClientStatus extends SyncStatus {
  /** How the client talks to the server now; `offline` in offline mode, `stopped` once it gave up or closed. */
  connection: Connection | 'offline';
}

export interface ClientEvents {
  /** Flags whose evaluation may have changed, and the environment version now held. */
  change: FlagChange;
  error: SyncError;
  /** The status' `state` moved. */
  status: ClientStatus;
}

export interface ReadyOptions {
  /** How long to wait for the first flags from the server; default 5000. `Infinity` waits for good. */
  timeoutMs?: number;
}

export class FlagsClient {
  readonly #sync: FlagSync;
  readonly #events: Emitter<ClientEvents>;
  readonly #logger: Logger;
  readonly #index: FlagIndex;
  readonly #reporter: UsageReporter | null = null;
  readonly #acks: AckSender | null = null;
  readonly #updater: Updater | null = null;
  readonly #waiters = new Set<() => void>();
  #phase: SyncState;

  constructor(options: ClientOptions) {
    this.#logger = safeLogger(options?.logger);
    this.#events = new Emitter((error, event) => this.#logger.error(`a '${String(event)}' listener threw`, error));
    const { config, problems } = resolveOptions(options ?? {});
    this.#sync = new FlagSync(config.offline);
    const counting = problems.length === 0 && !config.offline && config.usageIntervalMs !== null;
    this.#index = new FlagIndex(counting);
    this.#phase = this.#sync.phase;

    if (config.bootstrap !== undefined) {
      const read = readBootstrap(config.bootstrap);
      const problem = 'problem' in read ? read.problem : this.#bootstrapProblem(read.snapshot);
      if (problem !== null) {
        this.#logger.error(problem);
        this.#report({ code: 'invalid_bootstrap', message: problem }, config.offline);
      }
    }
    if (problems.length > 0) {
      this.#logger.error(`cannot start: ${problems.join('; ')}`);
      this.#report({ code: 'invalid_options', message: problems.join('; ') }, true);
    } else if (!config.offline) {
      const http = new SdkHttp(config.baseUrl, config.sdkKey, config.requestTimeoutMs, config.instanceId);
      this.#acks = new AckSender(http, config.instanceId, this.#logger);
      this.#updater = new Updater(
        this.#sync,
        http,
        config,
        {
          applied: (result, what) => this.#applied(result, what),
          report: (error, refused) => this.#report(error, refused),
          changed: () => this.#statusMaybeChanged(),
        },
        this.#logger,
      );
      if (config.usageIntervalMs !== null) {
        this.#reporter = new UsageReporter(
          http,
          config.usageIntervalMs,
          config.instanceId,
          this.#index,
          () => this.#sync.state?.version ?? null,
          this.#logger,
        );
        this.#reporter.start();
      }
      this.#updater.start();
    }
    this.#statusMaybeChanged();
  }

  /** Whether the flag serves `true` to this context; false for anything else (off, unknown, not boolean). */
  isEnabled(flagKey: string, context?: Context): boolean {
    return this.#index.isEnabled(flagKey, context as Context);
  }

  /** The flag's value for this context, or `defaultValue` when the flag is unknown or of another type. */
  variation<T extends JsonValue>(flagKey: string, context: Context | undefined, defaultValue: T): Widen<T> {
    return this.#index.evaluate(flagKey, context as Context, defaultValue).value as Widen<T>;
  }

  /** The value with why it was served: the reason (rule id, inRollout, error kind) and the data source. */
  variationDetail<T extends JsonValue>(flagKey: string, context: Context | undefined, defaultValue: T): FlagDetail<Widen<T>> {
    const detail = this.#index.evaluate(flagKey, context as Context, defaultValue);
    return { value: detail.value as Widen<T>, variationIndex: detail.variationIndex, reason: detail.reason, source: this.#sync.source };
  }

  /**
   * Every flag's value for this context (null where a flag cannot be served), e.g. to render into a page.
   * `clientSideOnly` keeps only flags marked for browsers. Not counted as usage.
   */
  allFlags(context?: Context, options: { clientSideOnly?: boolean } = {}): Record<string, JsonValue> {
    const state = this.#sync.state;
    if (state === null) return {};
    const entries: [string, JsonValue][] = [];
    for (const [key, flag] of state.flags) {
      if (options?.clientSideOnly === true && flag.raw.clientSide !== true) continue;
      entries.push([key, evaluate(state, key, context as Context, null).value]);
    }
    return Object.fromEntries(entries);
  }

  on<E extends keyof ClientEvents>(event: E, listener: (payload: ClientEvents[E]) => void): () => void {
    return this.#events.on(event, listener);
  }

  off<E extends keyof ClientEvents>(event: E, listener: (payload: ClientEvents[E]) => void): void {
    this.#events.off(event, listener);
  }

  status(): ClientStatus {
    const connection = this.#sync.offline ? 'offline' : (this.#updater?.connection ?? 'stopped');
    return { ...this.#sync.status(), connection: this.#phase === 'closed' ? 'stopped' : connection };
  }

  /**
   * Resolves once the client has its first flags from the server (in offline mode: its bootstrap), once it
   * cannot get any (the key was refused), or at the timeout — always with the status then, never rejecting.
   * On a timeout `state` is still `initializing`, and evaluations serve the bootstrap or the defaults.
   */
  ready(options: ReadyOptions = {}): Promise<ClientStatus> {
    if (this.#phase !== 'initializing') return Promise.resolve(this.status());
    return new Promise((resolve) => {
      const timeoutMs = options?.timeoutMs ?? 5_000;
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve(this.status());
      };
      const timer = Number.isFinite(timeoutMs) ? setTimeout(done, Math.max(0, timeoutMs)) : undefined;
      this.#waiters.add(done);
    });
  }

  /** Stops streaming and polling, sends the last usage report. Evaluations keep serving the flags held. */
  async close(): Promise<void> {
    if (this.#phase === 'closed') return;
    this.#sync.close();
    this.#updater?.stop();
    this.#reporter?.stop();
    this.#acks?.stop();
    this.#statusMaybeChanged();
    this.#events.clear();
    await this.#reporter?.flush();
  }

  #bootstrapProblem(snapshot: unknown): string | null {
    const result = this.#sync.bootstrap(snapshot);
    this.#index.follow(this.#sync.state);
    return result.ok ? null : `bootstrap is not a flag snapshot: ${result.problem}`;
  }

  #applied(result: SyncResult, what: string): boolean {
    if (!result.ok) {
      this.#logger.warn(`${what} refused, flags kept: ${result.problem}`);
      this.#report({ code: 'invalid_data', message: `${what} refused, flags kept: ${result.problem}` }, false);
      return false;
    }
    this.#index.follow(this.#sync.state);
    const version = this.#sync.state?.version;
    if (version !== undefined) this.#acks?.applied(version);
    const change = result.change;
    if (change !== null && change.keys.length > 0) {
      this.#logger.debug(`version ${change.version}: ${change.keys.length} flag(s) changed`);
      this.#events.emit('change', change);
    }
    this.#statusMaybeChanged();
    return true;
  }

  #report(error: SyncError, refused: boolean): void {
    this.#sync.fail(error, Date.now(), refused);
    // Listeners attached right after createClient() must hear what went wrong while it ran.
    queueMicrotask(() => this.#events.emit('error', error));
    this.#statusMaybeChanged();
  }

  #statusMaybeChanged(): void {
    const phase = this.#sync.phase;
    if (phase === this.#phase) return;
    this.#phase = phase;
    this.#logger.debug(`status: ${phase}`);
    this.#events.emit('status', this.status());
    if (phase !== 'initializing') for (const done of [...this.#waiters]) done();
  }
}

/** Creates a client and starts streaming at once (unless offline). Never throws: see status() and 'error'. */
export function createClient(options: ClientOptions): FlagsClient {
  return new FlagsClient(options);
}
