// Moves rollout plans along on time (docs/rollouts.md). One timer, armed for the earliest due plan and
// re-armed after every change to a schedule — not a poll loop, and not a timer per plan. On start it first
// applies whatever fell due while the server was down: one step per plan (plans.ts, advance).
// Only instances with the database run it (start.ts); relays have no plans to move.
import { ApiError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ChangeFeed } from '../store/changes.js';
import type { Rollouts } from './plans.js';

/** setTimeout's ceiling (~24.8 days); a later step is reached by waking once and re-arming. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export interface SchedulerOptions {
  plans: Rollouts;
  /** Committed flag changes: a person changing a flag under an active plan pauses it at once. */
  feed: ChangeFeed;
  log: Logger;
  clock?: () => number;
}

export class RolloutScheduler {
  readonly #plans: Rollouts;
  readonly #feed: ChangeFeed;
  readonly #log: Logger;
  readonly #clock: () => number;
  readonly #unsubscribe: Array<() => void> = [];
  #timer: NodeJS.Timeout | undefined;
  #running = false;

  constructor(options: SchedulerOptions) {
    this.#plans = options.plans;
    this.#feed = options.feed;
    this.#log = options.log;
    this.#clock = options.clock ?? Date.now;
  }

  /** Applies the steps that fell due while stopped, then waits for the next one. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#unsubscribe.push(this.#plans.onChange(() => this.#arm()));
    this.#unsubscribe.push(
      this.#feed.subscribe((change) => {
        if (change.kind !== 'flag') return;
        // After the publish loop: pausing is a write of its own, and must not reorder the stream's events.
        setImmediate(() => this.#checkForeignChange(change.env, change.key));
      }),
    );
    this.#tick();
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
  }

  #tick(): void {
    if (!this.#running) return;
    const now = this.#clock();
    let failed = false;
    for (const id of this.#plans.dueIds(now)) {
      try {
        const outcome = this.#plans.advance(id, now);
        if (outcome.kind === 'stepped') {
          this.#log.info('rollout plan stepped', {
            plan: id,
            flag: outcome.plan.flag,
            env: outcome.plan.env,
            percent: outcome.plan.percent,
            state: outcome.plan.state,
          });
        } else if (outcome.kind === 'paused') {
          this.#log.warn('rollout plan paused', { plan: id, flag: outcome.plan.flag, env: outcome.plan.env, reason: outcome.plan.reason });
        } else if (outcome.kind === 'waiting') {
          this.#log.debug('rollout plan waits: its flag is off', { plan: id });
        }
      } catch (error) {
        if (!this.#pausedAfter(id, error)) failed = true;
      }
    }
    if (failed) this.#retryLater();
    else this.#arm();
  }

  /** True when the failed plan was paused; false when the step should be tried again. */
  #pausedAfter(id: number, error: unknown): boolean {
    // A refusal (the flag archived, its variations changed) will refuse again: pause and say why. Anything
    // else (the database busy, or its file gone: `unavailable`) is retried when the timer next fires.
    if (error instanceof ApiError && error.code !== 'unavailable') {
      this.#log.warn('rollout plan step refused; pausing the plan', { plan: id, error: error.message });
      try {
        this.#plans.pauseAfterFailure(id, error.message);
        return true;
      } catch (pauseError) {
        error = pauseError;
      }
    }
    this.#log.error('rollout plan step failed; retrying in a second', { plan: id, error });
    return false;
  }

  #retryLater(): void {
    if (!this.#running) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(), 1_000);
    this.#timer.unref();
  }

  #arm(): void {
    if (!this.#running) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const due = this.#plans.nextDueAt();
    if (due === null) return;
    const delay = Math.min(Math.max(due - this.#clock(), 0), MAX_DELAY_MS);
    this.#timer = setTimeout(() => this.#tick(), delay);
    // The listening socket keeps the process alive; a pending step must not keep it from exiting.
    this.#timer.unref();
  }

  #checkForeignChange(env: string, flagKey: string): void {
    if (!this.#running) return;
    try {
      const id = this.#plans.openPlanId(env, flagKey);
      if (id === undefined) return;
      const paused = this.#plans.reconcile(id);
      if (paused) this.#log.warn('rollout plan paused', { plan: id, flag: flagKey, env, reason: paused.reason });
    } catch (error) {
      this.#log.error('checking a rollout plan after a flag change failed', { flag: flagKey, env, error });
    }
  }
}
