// Usage and acknowledgement: how often each flag served each variation here (counted by FlagIndex), and
// which environment version this instance has applied, sent to `POST /sdk/v1/usage` every interval. The
// server turns it into "last evaluated" per flag (stale-flag clean-up) and "how far has change N reached"
// per SDK instance.
import type { UsageWindow } from './flag-index.js';
import type { SdkHttp } from './http.js';
import { SDK_NAME, SDK_VERSION, networkFailure, responseFailure } from './http.js';
import type { Logger } from './logger.js';

/** The body of `POST /sdk/v1/usage`. `variation` null counts evaluations that served the caller's default. */
export interface UsageReport {
  instanceId: string;
  sdk: string;
  /** The environment version this instance holds; null before any flags. */
  version: number | null;
  window: { start: string; end: string };
  flags: { key: string; variation: number | null; count: number }[];
}

export class UsageReporter {
  #timer: NodeJS.Timeout | undefined;
  #enabled = true;

  constructor(
    private readonly http: SdkHttp,
    private readonly intervalMs: number,
    private readonly instanceId: string,
    private readonly counts: { drain(now?: number): UsageWindow },
    private readonly version: () => number | null,
    private readonly logger: Logger,
  ) {}

  start(): void {
    clearInterval(this.#timer);
    this.#timer = setInterval(() => void this.flush(), this.intervalMs);
    // Reporting alone must not keep a process alive that has nothing else to do.
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Sends the current window. Usage is best effort: a failed report is logged and its counts dropped. */
  async flush(): Promise<void> {
    if (!this.#enabled) return;
    const { start, end, flags } = this.counts.drain();
    const report: UsageReport = {
      instanceId: this.instanceId,
      sdk: `${SDK_NAME} ${SDK_VERSION}`,
      version: this.version(),
      window: { start: new Date(start).toISOString(), end: new Date(end).toISOString() },
      flags,
    };
    try {
      const response = await this.http.request('/sdk/v1/usage', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(report),
      });
      if (response.status === 404) {
        this.#enabled = false;
        this.stop();
        this.logger.info('the server does not accept usage reports (404 on POST /sdk/v1/usage); usage reporting is off');
      } else if (!response.ok) {
        const failure = await responseFailure(response);
        this.logger.warn(`usage report refused: ${failure.message}`);
      } else {
        await response.body?.cancel();
      }
    } catch (error) {
      this.logger.debug(`usage report not sent: ${networkFailure(error).message}`);
    }
  }
}
