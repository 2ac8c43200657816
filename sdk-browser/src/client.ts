// The browser SDK's client: one context (the visitor), the client-side flags evaluated locally by core's
// evaluator, kept current by the stream. Nothing here throws into application code: evaluations fall back
// to the caller's default with a reason, failures become 'error' events and status().
import {
  CLIENT_KEY_PREFIX,
  evaluate,
  type Context,
  type EvaluationDetail,
  type JsonValue,
  type PreparedSnapshot,
  type Snapshot,
} from '@flagstaff/core/evaluate';
import { FlagSync, type FlagSource, type SyncError, type SyncResult, type SyncStatus } from '@flagstaff/core/sync';
import { fromValues, isValues, type FlagValues } from './values.js';
import { defaultStore, readSnapshot, writeSnapshot, type SnapshotStore } from './storage.js';
import { startStream, type StreamStarter } from './stream.js';

export interface ClientOptions {
  /** The Flagstaff server, e.g. `https://flags.example.com`. */
  url: string;
  /** A client key (`fsc_…`): public, it unlocks only the flags marked `clientSide`. */
  clientKey: string;
  /** Who the flags are evaluated for; `identify()` changes it. */
  context?: Context;
  /**
   * Flags to serve before the server answers: a snapshot, or flag values such as the Node SDK's
   * `allFlags(context, { clientSideOnly: true })` rendered into the page. Wins over the cached snapshot.
   */
  bootstrap?: Snapshot | FlagValues;
  /** Where the last snapshot is kept between visits: localStorage by default, `false` for nowhere. */
  cache?: SnapshotStore | false;
  /** Serve only the bootstrap: no stream, no request (tests, previews). */
  offline?: boolean;
  reconnect?: { baseMs?: number; maxMs?: number; resetAfterMs?: number };
  /** No event or heartbeat for this long means the stream is dead; default 45 s (the server beats every 15 s). */
  heartbeatTimeoutMs?: number;
  /** Starts the connection to the server in place of the tab's own stream, e.g. `shareAcrossTabs()` from `@flagstaff/browser/tabs`. */
  stream?: StreamStarter;
}

/** The type a flag call returns, from its default: `'Welcome'` asks for a string, `0` for a number. */
export type Widen<T> = T extends boolean ? boolean : T extends string ? string : T extends number ? number : T;

export interface FlagDetail<T> extends EvaluationDetail<T> {
  /** Where the evaluated flags came from: `none` means the default was served because nothing is held yet. */
  source: FlagSource;
}

export interface ClientEvents {
  /** Flags whose value for the current context changed (a flag flipped, or identify() moved to another context). */
  change: string[];
  error: SyncError;
  /** The status' `state` moved. */
  status: SyncStatus;
}

type Listener<T> = (payload: T) => void;

const positive = (value: number | undefined, fallback: number) => (value! > 0 ? value! : fallback);

/** A flag's served value, comparable across states (JSON values from two snapshots are never identical). */
const served = (state: PreparedSnapshot | null, key: string, context: Context) =>
  JSON.stringify(evaluate(state!, key, context, null).value);

export class FlagsClient {
  readonly #sync: FlagSync;
  readonly #listeners: { [E in keyof ClientEvents]?: Set<Listener<ClientEvents[E]>> } = {};
  /** Keeps each server state for the next visit; a no-op without a store. */
  readonly #save: (snapshot: unknown) => void;
  #stop: (() => void) | undefined;
  #context: Context;
  #phase: SyncStatus['state'];

  constructor(options: ClientOptions) {
    const { url, clientKey, context, bootstrap, cache, offline, reconnect = {}, heartbeatTimeoutMs, stream = startStream } = options ?? {};
    const key = String(clientKey);
    const store = cache === false ? null : (cache ?? defaultStore());
    const sync = (this.#sync = new FlagSync(offline === true));
    this.#phase = sync.phase;
    this.#context = context ?? {};
    this.#save = (snapshot) => writeSnapshot(store, key, snapshot);
    if (bootstrap != null) {
      if (!sync.bootstrap(isValues(bootstrap) ? fromValues(bootstrap) : bootstrap).ok) {
        this.#report({ code: 'invalid_bootstrap', message: 'bootstrap is neither a snapshot nor flag values' });
      }
    } else {
      // The cached snapshot is a head start only: the server's first put replaces it like any bootstrap.
      // One that does not read as a snapshot (corrupt, or from another version) is dropped.
      const cached = readSnapshot(store, key);
      if (cached !== undefined && !sync.bootstrap(cached).ok) this.#save(undefined);
    }
    if (offline === true) this.#update();
    else this.#connect(url, key, reconnect, heartbeatTimeoutMs, stream);
  }

  #connect(
    url: string,
    key: string,
    reconnect: NonNullable<ClientOptions['reconnect']>,
    heartbeatTimeoutMs: number | undefined,
    stream: StreamStarter,
  ): void {
    let base: string;
    try {
      base = new URL(url).href.replace(/\/+$/, '');
    } catch {
      return this.#report({ code: 'invalid_options', message: `url is not a URL: ${url}` }, true);
    }
    // A server key must never reach a URL (proxy and access logs keep them): refuse before sending it.
    if (!key.startsWith(CLIENT_KEY_PREFIX)) {
      return this.#report({ code: 'invalid_options', message: `clientKey must start with ${CLIENT_KEY_PREFIX}` }, true);
    }
    // Rendering on a server (SSR) has no EventSource: serve the bootstrap there, and stream in the browser.
    if (typeof EventSource === 'undefined') return this.#report({ code: 'unsupported', message: 'no EventSource: bootstrap only' });
    const settings = {
      reconnect: {
        baseMs: positive(reconnect.baseMs, 1_000),
        maxMs: positive(reconnect.maxMs, 30_000),
        resetAfterMs: positive(reconnect.resetAfterMs, 1_000),
      },
      heartbeatTimeoutMs: positive(heartbeatTimeoutMs, 45_000),
    };
    this.#stop = stream(base, key, this.#sync, settings, {
      apply: (update) => this.#apply(update),
      report: (error, refused) => this.#report(error, refused),
      changed: () => this.#update(),
    });
  }

  /** The context flags are evaluated for. */
  get context(): Context {
    return this.#context;
  }

  /** Whether the flag serves `true` to the context; false for anything else (off, unknown, not boolean). */
  isEnabled(flagKey: string): boolean {
    return this.variation(flagKey, false);
  }

  /** The flag's value for the context, or `defaultValue` when the flag is unknown or of another type. */
  variation<T extends JsonValue>(flagKey: string, defaultValue: T): Widen<T> {
    return this.variationDetail(flagKey, defaultValue).value;
  }

  /** The value with why it was served: the reason (rule id, inRollout, error kind) and the data source. */
  variationDetail<T extends JsonValue>(flagKey: string, defaultValue: T): FlagDetail<Widen<T>> {
    const detail = evaluate(this.#sync.state!, flagKey, this.#context, defaultValue);
    return { ...(detail as EvaluationDetail<Widen<T>>), source: this.#sync.source };
  }

  /** Every flag's value for the context (null where one cannot be served). */
  allFlags(): Record<string, JsonValue> {
    const values: Record<string, JsonValue> = {};
    for (const key of this.#keys()) values[key] = this.variation(key, null);
    return values;
  }

  /** Switches the context and re-evaluates locally, with no request; 'change' names the flags that moved. */
  identify(context: Context): void {
    const before = this.#context;
    this.#context = context ?? {};
    const state = this.#sync.state;
    this.#changed(this.#keys(), state, before);
  }

  /** Adds a listener; returns the function that removes it. */
  on<E extends keyof ClientEvents>(event: E, listener: Listener<ClientEvents[E]>): () => void {
    const set = ((this.#listeners[event] as Set<Listener<ClientEvents[E]>> | undefined) ??= new Set());
    set.add(listener);
    return () => set.delete(listener);
  }

  status(): SyncStatus {
    return this.#sync.status();
  }

  /**
   * Resolves once the client has flags from the server, or cannot get any (the key was refused), or at the
   * timeout (default 5 s) — always with the status then, never rejecting. Until then evaluations serve the
   * bootstrap, the cached snapshot, or the caller's defaults: `status().source` tells which.
   */
  ready({ timeoutMs = 5_000 }: { timeoutMs?: number } = {}): Promise<SyncStatus> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        off();
        resolve(this.status());
      };
      const off = this.on('status', ({ state }) => state !== 'initializing' && done());
      const timer = setTimeout(done, this.#phase === 'initializing' ? timeoutMs : 0);
    });
  }

  /** Stops the stream. Evaluations keep serving the flags held. */
  close(): void {
    this.#stop?.();
    this.#sync.close();
    this.#update();
  }

  #keys(): string[] {
    return [...(this.#sync.state?.flags.keys() ?? [])];
  }

  #emit<E extends keyof ClientEvents>(event: E, payload: ClientEvents[E]): void {
    for (const listener of this.#listeners[event] ?? []) {
      try {
        (listener as Listener<ClientEvents[E]>)(payload);
      } catch (error) {
        // A listener that throws must not break the stream, nor the other listeners; the page still hears
        // of it (window 'error' event, console) where reportError exists.
        globalThis.reportError?.(error);
      }
    }
  }

  /** Announces those of `keys` whose value for the context differs from the one `before` and `context` served. */
  #changed(keys: string[], before: PreparedSnapshot | null, context: Context): void {
    const after = this.#sync.state;
    const moved = keys.filter((key) => served(before, key, context) !== served(after, key, this.#context));
    if (moved.length > 0) this.#emit('change', moved);
  }

  #apply(update: () => SyncResult): boolean {
    const before = this.#sync.state;
    const result = update();
    if (!result.ok) {
      this.#report({ code: 'invalid_data', message: result.problem });
      return false;
    }
    if (result.change !== null) {
      if (this.#sync.source === 'server') this.#save(this.#sync.state!.raw);
      this.#changed(result.change.keys, before, this.#context);
    }
    this.#update();
    return true;
  }

  #report(error: SyncError, refused = false): void {
    this.#sync.fail(error, Date.now(), refused);
    // Listeners attached right after createClient() must hear what went wrong while it ran.
    queueMicrotask(() => this.#emit('error', error));
    this.#update();
  }

  #update(): void {
    const phase = this.#sync.phase;
    if (phase === this.#phase) return;
    this.#phase = phase;
    this.#emit('status', this.status());
  }
}

/** Creates a client and starts streaming at once. Never throws: see status() and the 'error' event. */
export function createClient(options: ClientOptions): FlagsClient {
  return new FlagsClient(options);
}
