// Graceful shutdown in two phases, so that long-lived work (SSE streams, schedulers) and short requests
// are treated differently:
//   1. stop:  the listener stops accepting; `onShutdown` hooks run (close streams, stop timers);
//   2. close: once in-flight requests finished (or the grace period ran out), `onClose` hooks run in
//             reverse order of registration — the store, registered first, closes last.
import type { Logger } from './log.js';

type Hook = { name: string; fn: () => void | Promise<void> };

export class Lifecycle {
  readonly #stopHooks: Hook[] = [];
  readonly #closeHooks: Hook[] = [];
  #stopping = false;

  /** Phase 1: runs as soon as shutdown begins, while in-flight requests are still being answered. */
  onShutdown(name: string, fn: () => void | Promise<void>): void {
    this.#stopHooks.push({ name, fn });
  }

  /** Phase 2: runs after in-flight requests are done; last registered, first run. */
  onClose(name: string, fn: () => void | Promise<void>): void {
    this.#closeHooks.push({ name, fn });
  }

  /** True from the moment shutdown begins: /readyz answers 503 and responses close their connection. */
  get stopping(): boolean {
    return this.#stopping;
  }

  beginShutdown(): void {
    this.#stopping = true;
  }

  async runStopHooks(log: Logger): Promise<void> {
    await Promise.all(this.#stopHooks.map((hook) => run(hook, log)));
  }

  async runCloseHooks(log: Logger): Promise<void> {
    for (const hook of [...this.#closeHooks].reverse()) await run(hook, log);
  }
}

async function run(hook: Hook, log: Logger): Promise<void> {
  try {
    await hook.fn();
  } catch (error) {
    // One failing hook must not keep the database from being closed.
    log.error('shutdown hook failed', { hook: hook.name, error });
  }
}
