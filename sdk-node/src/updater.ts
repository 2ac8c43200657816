// Keeps a FlagSync current from the server: the stream first; while it cannot connect, polling; and a
// snapshot fetch whenever the held flags may have drifted (a heartbeat disagreed, an event was refused).
import type { FlagSync, SyncError, SyncResult } from '@flagstaff/core/sync';
import type { SdkHttp } from './http.js';
import { isRefusal } from './http.js';
import type { Logger } from './logger.js';
import type { ClientConfig } from './options.js';
import { fetchSnapshot, Poller, type SnapshotResponse } from './poll.js';
import { FlagStream } from './stream.js';

export type Connection = 'connecting' | 'streaming' | 'polling' | 'stopped';

/** What the updater tells its client. */
export interface UpdaterHooks {
  /** Something was applied to the sync (or refused): announce changes; false when it was refused. */
  applied(result: SyncResult, what: string): boolean;
  /** A failure worth telling the application about ('error' event); `refused` puts the client in `failed`. */
  report(error: SyncError, refused: boolean): void;
  /** The sync's channels changed: the status may have. */
  changed(): void;
}

export class Updater {
  readonly #stream: FlagStream;
  readonly #poller: Poller;
  #streaming = false;
  #stopped = false;
  #resyncing = false;
  /** Failures since the stream was last open: the first is reported, the rest only logged. */
  #failures = 0;

  constructor(
    private readonly sync: FlagSync,
    private readonly http: SdkHttp,
    config: ClientConfig,
    private readonly hooks: UpdaterHooks,
    private readonly logger: Logger,
    random: () => number = Math.random,
  ) {
    this.#poller = new Poller(http, config.pollIntervalMs, (response) => this.#accept(response, 'poll'));
    this.#stream = new FlagStream(
      http,
      {
        reconnect: config.reconnect,
        heartbeatTimeoutMs: config.heartbeatTimeoutMs,
        connectTimeoutMs: config.requestTimeoutMs,
        refusedRetryMs: config.refusedRetryMs,
        resumeVersion: () => sync.resumeVersion,
      },
      {
        open: () => this.#opened(),
        event: (type, data) => {
          if (!this.hooks.applied(this.sync.receive(type, data), `${type} event`)) this.resync();
        },
        heartbeat: (comment) => {
          const verdict = this.sync.heartbeat(comment);
          if (verdict === 'ok') this.logger.debug(`heartbeat agrees (${comment.trim()})`);
          if (verdict !== 'resync') return;
          this.logger.info(`heartbeat (${comment.trim()}) disagrees with the flags held at version ${this.sync.state?.version}: resyncing`);
          this.resync();
        },
        failure: (error, next) => this.#streamFailed(error, next),
      },
      random,
    );
  }

  get connection(): Connection {
    if (this.#stopped) return 'stopped';
    if (this.#streaming) return 'streaming';
    return this.#poller.running ? 'polling' : 'connecting';
  }

  start(): void {
    this.#stream.start();
  }

  stop(): void {
    this.#stopped = true;
    this.#stream.stop();
    this.#poller.stop();
  }

  /** Fetches the whole snapshot once; a put at the server's version replaces whatever drifted. */
  resync(): void {
    if (this.#resyncing || this.#stopped) return;
    this.#resyncing = true;
    void fetchSnapshot(this.http, null).then((response) => {
      this.#resyncing = false;
      if (!this.#stopped) this.#accept(response, 'resync');
    });
  }

  #opened(): void {
    const now = Date.now();
    this.sync.channel('stream', true, now);
    if (this.#failures > 0) this.logger.info('stream connected again');
    else this.logger.debug('stream connected');
    this.#streaming = true;
    this.#failures = 0;
    this.#poller.stop();
    this.sync.channel('poll', false, now);
    this.hooks.changed();
  }

  #streamFailed(error: SyncError, next: { retryInMs: number | null; refused: boolean }): void {
    const now = Date.now();
    this.#streaming = false;
    this.sync.channel('stream', false, now);
    if (next.refused) {
      this.#poller.stop();
      if (next.retryInMs === null) this.stop();
      this.logger.error(
        `the server refused the SDK key: ${error.message}${next.retryInMs === null ? '; not reconnecting' : `; trying again in ${next.retryInMs} ms`}`,
      );
      this.hooks.report(error, true);
      return;
    }
    const retry = `reconnecting in ${next.retryInMs} ms`;
    if (this.#failures++ === 0) {
      this.logger.warn(`stream lost (${error.code}: ${error.message}); ${retry}, polling meanwhile`);
      this.hooks.report(error, false);
    } else {
      this.logger.debug(`stream attempt failed (${error.code}: ${error.message}); ${retry}`);
      this.sync.fail(error, now);
    }
    // Poll at once when there is nothing from the server yet; otherwise the flags held can wait an interval.
    this.#poller.start(this.sync.source !== 'server');
    this.hooks.changed();
  }

  /** Applies a snapshot response; true when it was good (so that its ETag is kept). */
  #accept(response: SnapshotResponse, via: 'poll' | 'resync'): boolean {
    const now = Date.now();
    if (response.kind === 'failed') {
      const { error } = response;
      if (isRefusal(error.status)) {
        this.#poller.stop();
        this.hooks.report(error, true);
      } else {
        this.logger.debug(`${via} failed: ${error.code}: ${error.message}`);
        if (via === 'poll') this.sync.channel('poll', false, now);
        if (error.code === 'invalid_data') this.hooks.report(error, false);
        else this.sync.fail(error, now);
        this.hooks.changed();
      }
      return false;
    }
    if (via === 'poll') this.sync.channel('poll', true, now);
    if (response.kind === 'unchanged') {
      this.hooks.changed();
      return true;
    }
    // A refused snapshot is reported by applied(); it is not fetched again here, which would loop.
    const accepted = this.hooks.applied(this.sync.put(response.body), `GET /sdk/v1/flags (${via})`);
    if (!accepted && via === 'poll') this.sync.channel('poll', false, now);
    this.hooks.changed();
    return accepted;
  }
}
