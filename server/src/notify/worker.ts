// The delivery worker (docs/notifications.md, "Delivery"): claims due outbox rows (store/notifications.ts,
// one per subscription at a time, so each subscription's messages arrive in order), posts them, and records
// how it went. Retries on 5xx, 408, 429 and timeouts with exponential backoff and full jitter, honouring
// Retry-After; a row still undelivered 24 h after its event is marked failed, and a subscription whose every
// delivery failed for 24 h is disabled. Runs beside the write path and never inside it: a write only inserts
// rows, and `kick()` (after a commit) merely wakes the worker up.
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { Logger } from '../log.js';
import type { AttemptOutcome, ClaimedDelivery, Store } from '../store/index.js';

import type { NotifyEvent } from './events.js';
import { linkOf, payloadFor } from './render.js';
import { post, type SendResult } from './send.js';

export interface WorkerOptions {
  store: Store;
  log: Logger;
  allowPrivate: boolean;
  /** The console's public address, for links in messages. */
  publicUrl?: string;
  /** Per request (default 5 s). */
  timeoutMs?: number;
  /** How often the outbox is looked at when nothing woke the worker (default 1 s; other instances' rows). */
  pollMs?: number;
  /** The first retry's delay before jitter (default 1 s); doubles per attempt up to `maxBackoffMs`. */
  retryBaseMs?: number;
  maxBackoffMs?: number;
  /** How long an event is retried (default 24 h), and how long a subscription may fail before it is disabled. */
  giveUpAfterMs?: number;
  clock?: () => number;
  random?: () => number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Rows claimed per round: as many subscriptions as that are delivered to at once. */
const CLAIM_LIMIT = 32;

/**
 * How long a claim holds a row: past the request's timeout, with room for recording how it went. A worker
 * that died holding it (kill -9) leaves the row to another, or to itself restarted, once it runs out.
 */
export const leaseMs = (timeoutMs: number) => 2 * timeoutMs + 1000;

/** Exponential backoff with full jitter (half to all of the doubled delay), or the receiver's Retry-After. */
export function nextDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(retryAfterMs, baseMs), maxMs);
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (random() * exp) / 2);
}

export class DeliveryWorker {
  readonly #o: Required<Omit<WorkerOptions, 'publicUrl'>> & { publicUrl: string | undefined };
  readonly #owner = `worker_${randomBytes(6).toString('hex')}`;
  readonly #abort = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = true;

  constructor(options: WorkerOptions) {
    this.#o = {
      timeoutMs: 5000,
      pollMs: 1000,
      retryBaseMs: 1000,
      maxBackoffMs: 60 * 60 * 1000,
      giveUpAfterMs: DAY_MS,
      clock: Date.now,
      random: Math.random,
      ...options,
      publicUrl: options.publicUrl,
    };
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.kick();
  }

  /** Look at the outbox now (a commit wrote to it, or may have). */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    // Never inside the caller's turn: a kick comes right after a commit, on the write path.
    this.#running = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#round())
      .finally(() => {
        this.#running = undefined;
        if (this.#stopped) return;
        if (this.#again) {
          this.#again = false;
          this.kick();
        } else {
          // The next retry may fall due before the next poll.
          const due = this.#nextDue();
          const wait = due === null ? this.#o.pollMs : Math.min(this.#o.pollMs, Math.max(0, due - this.#o.clock()));
          this.#timer = setTimeout(() => this.kick(), wait);
          this.#timer.unref();
        }
      });
  }

  #nextDue(): number | null {
    try {
      return this.#o.store.notifications.nextDueAt();
    } catch {
      return null;
    }
  }

  /** Stops claiming, aborts requests in flight (their rows are retried, by this instance or another). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#abort.abort();
    await this.#running;
  }

  async #round(): Promise<void> {
    try {
      for (;;) {
        if (this.#stopped) return;
        const claimed = this.#o.store.notifications.claim(this.#owner, leaseMs(this.#o.timeoutMs), CLAIM_LIMIT);
        if (claimed.length === 0) return;
        await Promise.all(claimed.map((row) => this.#deliver(row)));
      }
    } catch (error) {
      this.#o.log.error('notification delivery round failed; will retry', { error: String(error) });
    }
  }

  async #deliver(row: ClaimedDelivery): Promise<void> {
    const { subscription: sub } = row;
    const event = row.event as NotifyEvent;
    const body = JSON.stringify(payloadFor(sub.target, event, linkOf(event, this.#o.publicUrl)));
    const headers: Record<string, string> = {};
    if (sub.target === 'webhook' && sub.signingSecret) {
      const now = new Date(this.#o.clock());
      headers['webhook-id'] = row.messageId;
      headers['webhook-timestamp'] = String(Math.floor(now.getTime() / 1000));
      headers['webhook-signature'] = new Webhook(sub.signingSecret).sign(row.messageId, now, body);
    }
    const result = await post(sub.url, body, headers, {
      timeoutMs: this.#o.timeoutMs,
      allowPrivate: this.#o.allowPrivate,
      signal: this.#abort.signal,
    });
    if (this.#stopped && !result.ok) return; // aborted by shutdown: the lease runs out and the row is retried
    const outcome = this.#outcome(row, result);
    const { disabled } = this.#o.store.notifications.recordAttempt(this.#owner, row.id, outcome, this.#o.clock() - this.#o.giveUpAfterMs);
    if (outcome.state !== 'delivered') {
      this.#o.log.warn('notification not delivered', {
        subscription: sub.id,
        env: sub.env,
        delivery: row.id,
        attempt: row.attempts + 1,
        status: outcome.status,
        error: outcome.error,
        outcome: outcome.state,
      });
    }
    if (disabled) {
      this.#o.log.error('notification subscription disabled: every delivery failed for a day; fix the receiver and create it again', {
        subscription: sub.id,
        env: sub.env,
        name: sub.name,
      });
    }
  }

  #outcome(row: ClaimedDelivery, result: SendResult): AttemptOutcome {
    if (result.ok) return { state: 'delivered', status: result.status, latencyMs: result.latencyMs };
    const now = this.#o.clock();
    const attempt = row.attempts + 1;
    const next = now + nextDelayMs(attempt, this.#o.retryBaseMs, this.#o.maxBackoffMs, this.#o.random, result.retryAfterMs);
    const base = { status: result.status, error: result.error, latencyMs: result.latencyMs };
    if (!result.retryable || next > row.createdAt + this.#o.giveUpAfterMs) return { state: 'failed', ...base };
    return { state: 'retry', ...base, nextAttemptAt: next };
  }
}
