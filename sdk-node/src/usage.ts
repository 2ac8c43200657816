// Usage and acknowledgement: how often each flag served each variation here, and which environment version
// this instance has applied, sent to `POST /sdk/v1/usage` every interval. The server turns it into "last
// evaluated" per flag (stale-flag clean-up) and "how far has change N reached" per SDK instance.
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

// Keys that cannot be flags (a typo'd or garbage argument) are not reported, and the distinct keys of
// one window are capped, so that no caller can grow the report without bound.
const FLAG_KEY = /^[a-z0-9][a-z0-9._-]{0,127}$/;
const MAX_KEYS = 10_000;

export class UsageCounter {
  /** Per flag key: [default served, variation 0, variation 1, …]. */
  #counts = new Map<string, number[]>();
  #since = Date.now();

  /** On every evaluation: one Map lookup and an increment. */
  count(key: string, variation: number | null): void {
    let counts = this.#counts.get(key);
    if (counts === undefined) {
      if (typeof key !== 'string' || !FLAG_KEY.test(key) || this.#counts.size >= MAX_KEYS) return;
      this.#counts.set(key, (counts = [0, 0, 0]));
    }
    const slot = variation === null ? 0 : variation + 1;
    if (slot < counts.length) counts[slot]!++;
    else {
      while (counts.length < slot) counts.push(0);
      counts.push(1);
    }
  }

  /** The window's counts, and a new window from `now`. */
  drain(now = Date.now()): { start: number; end: number; flags: UsageReport['flags'] } {
    const flags: UsageReport['flags'] = [];
    for (const [key, counts] of this.#counts) {
      counts.forEach((count, slot) => {
        if (count > 0) flags.push({ key, variation: slot === 0 ? null : slot - 1, count });
      });
    }
    const window = { start: this.#since, end: now, flags };
    this.#counts = new Map();
    this.#since = now;
    return window;
  }
}

export class UsageReporter {
  #timer: NodeJS.Timeout | undefined;
  #enabled = true;

  constructor(
    private readonly http: SdkHttp,
    private readonly intervalMs: number,
    private readonly instanceId: string,
    readonly counter: UsageCounter,
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
    const { start, end, flags } = this.counter.drain();
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
