// Acknowledgements: which environment version this instance has applied, sent to `POST /sdk/v1/ack` within
// a second of applying it, so that the server can tell an operator how far a change reached (docs/protocol.md,
// "Acknowledgements"). Versions applied within one window go as one request for the newest; a failed ack is
// dropped (the next version, or the minute's usage report, carries the news). Never throws into the app.
import type { SdkHttp } from './http.js';
import { networkFailure } from './http.js';
import type { Logger } from './logger.js';

/**
 * How long versions are gathered before one ack goes: at least ACK_WINDOW_MS, plus up to ACK_SPREAD_MS drawn at
 * random, so that a fleet that applied a change in the same instant does not answer the server in the same
 * instant too (1,000 SDKs acking at once measured a kill-switch p99 of ~900 ms against ~250 ms without acks,
 * test/bench/kill-switch.bench.mjs). Both together stay inside the protocol's 1 s; `ageMs` dates the apply back.
 */
export const ACK_WINDOW_MS = 200;
export const ACK_SPREAD_MS = 700;

export class AckSender {
  #timer: NodeJS.Timeout | undefined;
  /** The newest version applied and not yet acknowledged, with when it was applied. */
  #due: { version: number; at: number } | null = null;
  #sent = -1;
  #enabled = true;

  constructor(
    private readonly http: SdkHttp,
    private readonly instanceId: string,
    private readonly logger: Logger,
    private readonly windowMs = ACK_WINDOW_MS,
    private readonly spreadMs = ACK_SPREAD_MS,
    private readonly random: () => number = Math.random,
  ) {}

  /** This instance now holds `version`; an ack goes at the end of the window. */
  applied(version: number): void {
    if (!this.#enabled || version <= this.#sent || (this.#due !== null && version <= this.#due.version)) return;
    this.#due = { version, at: Date.now() };
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        void this.flush();
      },
      this.windowMs + Math.floor(this.random() * this.spreadMs),
    );
    this.#timer.unref();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#enabled = false;
  }

  async flush(): Promise<void> {
    const due = this.#due;
    if (due === null) return;
    this.#due = null;
    this.#sent = due.version;
    try {
      const response = await this.http.request('/sdk/v1/ack', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ instance: this.instanceId, version: due.version, ageMs: Math.max(0, Date.now() - due.at) }),
      });
      await response.body?.cancel();
      if (response.status === 404) {
        // An older server: nothing to tell it, ever.
        this.stop();
        this.logger.debug('the server does not take acknowledgements (404 on POST /sdk/v1/ack)');
      }
    } catch (error) {
      this.logger.debug(`ack of version ${due.version} not sent: ${networkFailure(error).message}`);
    }
  }
}
