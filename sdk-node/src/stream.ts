// The streaming connection to `GET /sdk/v1/stream`, over the `eventsource` package. EventSource retries
// only network errors and ended streams, and gives up for good on any non-200 (a 503 from a shedding
// server or a proxy would stop it forever), so this class owns reconnection: every attempt is a fresh
// EventSource, closed at its first error, and the next one is scheduled here with backoff and jitter.
import { EventSource, type FetchLike, type FetchLikeResponse } from 'eventsource';
import { createBackoff, type Backoff, type SyncError } from '@flagstaff/core/sync';
import { commentTap } from './comment-tap.js';
import { isRefusal, responseFailure, retryAfterMs, type SdkHttp } from './http.js';

export interface StreamListener {
  open(): void;
  event(type: string, data: string): void;
  heartbeat(comment: string): void;
  /**
   * The connection failed or dropped. `retryInMs` is when the next attempt starts, null when never (204:
   * the key was revoked). `refused`: the server refused the key (204, 401, 403).
   */
  failure(error: SyncError, next: { retryInMs: number | null; refused: boolean }): void;
}

export interface StreamSettings {
  reconnect: { baseMs: number; maxMs: number; resetAfterMs: number };
  heartbeatTimeoutMs: number;
  connectTimeoutMs: number;
  refusedRetryMs: number;
  /** The Last-Event-ID to resume from (the version held), read at each attempt. */
  resumeVersion(): number | null;
}

const EVENT_TYPES = ['put', 'patch', 'delete'] as const;

export class FlagStream {
  readonly #backoff: Backoff;
  #source: EventSource | null = null;
  /** Bumped by every attempt and by stop(): callbacks of an older attempt see a different number and do nothing. */
  #generation = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly http: SdkHttp,
    private readonly settings: StreamSettings,
    private readonly listener: StreamListener,
    random: () => number = Math.random,
  ) {
    this.#backoff = createBackoff(settings.reconnect, random);
  }

  start(): void {
    this.#stopped = false;
    this.#connect();
  }

  stop(): void {
    this.#stopped = true;
    this.#generation++;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#watchdog);
    this.#source?.close();
    this.#source = null;
  }

  #connect(): void {
    if (this.#stopped) return;
    const generation = ++this.#generation;
    const current = () => generation === this.#generation;
    // What the response said, when it was not a stream: EventSource's error event only carries the status.
    let refusal: { error: SyncError; retryAfterMs: number | null } | null = null;

    const fetchStream: FetchLike = async (url, init) => {
      const resume = this.settings.resumeVersion();
      const headers = this.http.headers({ ...init.headers, ...(resume === null ? {} : { 'Last-Event-ID': String(resume) }) });
      const response = await fetch(url, { ...init, headers });
      const type = response.headers.get('content-type') ?? '';
      if (response.status === 200 && type.startsWith('text/event-stream') && response.body !== null) {
        const tap = commentTap({
          activity: () => current() && this.#watchdog?.refresh(),
          comment: (text) => {
            if (!current()) return;
            this.#backoff.synced(Date.now());
            this.listener.heartbeat(text);
          },
        });
        return { ...summary(response), body: response.body.pipeThrough(tap) };
      }
      refusal = {
        error:
          response.status === 200
            ? {
                code: 'invalid_response',
                message: `the stream answered ${type || 'without a content type'}, not text/event-stream`,
                status: 200,
              }
            : await responseFailure(response),
        retryAfterMs: retryAfterMs(response),
      };
      if (response.bodyUsed === false) void response.body?.cancel().catch(() => {});
      return { ...summary(response), body: null };
    };

    const source = new EventSource(this.http.url('/sdk/v1/stream'), { fetch: fetchStream });
    this.#source = source;
    this.#arm(this.settings.connectTimeoutMs, generation, { code: 'timeout', message: 'the stream did not open in time' });

    source.onopen = () => {
      if (!current()) return;
      // Heartbeats come every 15 s by default: silence past the timeout means a dead connection (a
      // proxy or NAT that dropped it without telling either side).
      this.#arm(this.settings.heartbeatTimeoutMs, generation, {
        code: 'heartbeat_timeout',
        message: `nothing received for ${this.settings.heartbeatTimeoutMs} ms`,
      });
      this.listener.open();
    };
    for (const type of EVENT_TYPES) {
      source.addEventListener(type, (event) => {
        if (!current()) return;
        // The server's first frame is a put, the changes missed, or a heartbeat: the server is serving.
        this.#backoff.synced(Date.now());
        this.listener.event(type, String(event.data));
      });
    }
    source.onerror = (event) => {
      if (!current()) return;
      // Closed in a microtask: EventSource arms its own reconnect timer right after dispatching this
      // event, and close() is what clears it.
      queueMicrotask(() => source.close());
      const error = refusal?.error ?? { code: 'network', message: event.message ?? 'the server ended the stream' };
      this.#fail(error, refusal?.retryAfterMs ?? null);
    };
  }

  /** (Re)arms the watchdog: if it fires, the attempt is abandoned as failed. */
  #arm(ms: number, generation: number, error: SyncError): void {
    clearTimeout(this.#watchdog);
    this.#watchdog = setTimeout(() => {
      if (generation !== this.#generation) return;
      this.#source?.close();
      this.#fail(error, null);
    }, ms);
    this.#watchdog.unref();
  }

  #fail(error: SyncError, retryAfter: number | null): void {
    this.#generation++;
    this.#source = null;
    clearTimeout(this.#watchdog);
    const refused = isRefusal(error.status);
    let retryInMs: number | null;
    if (error.status === 204) retryInMs = null;
    else if (refused) retryInMs = this.settings.refusedRetryMs;
    else retryInMs = Math.max(this.#backoff.next(Date.now()), retryAfter ?? 0);
    this.listener.failure(error, { retryInMs, refused });
    if (retryInMs !== null && !this.#stopped) this.#retryTimer = setTimeout(() => this.#connect(), retryInMs);
  }
}

function summary(response: Response): FetchLikeResponse {
  return { body: null, url: response.url, status: response.status, redirected: response.redirected, headers: response.headers };
}
