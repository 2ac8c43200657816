// Load shedding for new streams. A restart or a network blip brings every client back at once; refusing the
// excess quickly with 503 + Retry-After (spread out by jitter) costs far less than accepting them all and
// falling over, and the SDKs retry on their own.

export interface AdmissionLimits {
  /** Streams one instance holds at most. */
  maxConnections: number;
  /** New streams accepted per second (a token bucket holding one second's worth). */
  maxNewPerSecond: number;
}

export class Admission {
  #tokens: number;
  #refilledAt: number;

  constructor(
    readonly limits: AdmissionLimits,
    private readonly now: () => number = () => performance.now(),
    private readonly random: () => number = Math.random,
  ) {
    this.#tokens = limits.maxNewPerSecond;
    this.#refilledAt = now();
  }

  /** Null when a new stream may open; otherwise the seconds the client should wait (jittered, ≥ 1). */
  admit(openConnections: number): number | null {
    const now = this.now();
    const rate = this.limits.maxNewPerSecond;
    this.#tokens = Math.min(rate, this.#tokens + ((now - this.#refilledAt) / 1000) * rate);
    this.#refilledAt = now;
    if (openConnections >= this.limits.maxConnections) return this.retryAfter(5);
    if (this.#tokens < 1) return this.retryAfter(Math.ceil((1 - this.#tokens) / rate) + 1);
    this.#tokens -= 1;
    return null;
  }

  /** Whole seconds from `base` up to twice it, so refused clients do not all return in the same second. */
  retryAfter(base: number): number {
    return Math.max(1, Math.round(base * (1 + this.random())));
  }
}
