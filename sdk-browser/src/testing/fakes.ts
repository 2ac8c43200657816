// Stand-ins for the browser APIs the SDK touches (EventSource, fetch, localStorage), so the client's rules
// can be specified in node, fast and deterministically. The real thing runs in test/browser/.
import type { FlagsClient } from '../client.js';

/** An EventSource the test drives: open(), emit() and fail() play the server's part. */
export class FakeEventSource {
  static instances: FakeEventSource[] = [];
  onopen: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  readonly #listeners = new Map<string, ((event: { data: string }) => void)[]>();

  constructor(readonly url: string) {
    FakeEventSource.instances.push(this);
  }

  static get latest(): FakeEventSource {
    return FakeEventSource.instances.at(-1)!;
  }

  addEventListener(type: string, listener: (event: { data: string }) => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  close(): void {
    this.closed = true;
  }

  open(): this {
    this.onopen?.();
    return this;
  }

  emit(type: string, data: unknown): this {
    for (const listener of this.#listeners.get(type) ?? []) listener({ data: typeof data === 'string' ? data : JSON.stringify(data) });
    return this;
  }

  fail(): void {
    this.onerror?.();
  }
}

/** A localStorage over a Map. */
export class MemoryStore {
  readonly items = new Map<string, string>();
  getItem = (key: string) => this.items.get(key) ?? null;
  setItem = (key: string, value: string) => void this.items.set(key, value);
  removeItem = (key: string) => void this.items.delete(key);
}

/**
 * The Web Locks API for the tabs of one fake browser (every client of the test process): exclusive locks,
 * granted in the order asked, held until the callback's promise settles; a request still waiting can be
 * aborted through its signal.
 */
export class FakeLockManager {
  readonly #held = new Set<string>();
  readonly #waiting = new Map<string, (() => void)[]>();

  async request(name: string, options: { signal?: AbortSignal }, callback: () => unknown): Promise<unknown> {
    await this.#acquire(name, options.signal);
    try {
      return await callback();
    } finally {
      this.#release(name);
    }
  }

  #acquire(name: string, signal: AbortSignal | undefined): Promise<void> {
    if (!this.#held.has(name)) {
      this.#held.add(name);
      return Promise.resolve();
    }
    const queue = this.#waiting.get(name) ?? [];
    this.#waiting.set(name, queue);
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', abort);
        resolve();
      };
      const abort = () => {
        queue.splice(queue.indexOf(grant), 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', abort, { once: true });
      queue.push(grant);
    });
  }

  #release(name: string): void {
    const next = this.#waiting.get(name)?.shift();
    if (next) next();
    else this.#held.delete(name);
  }
}

/** The keys of every 'change' the client announces from now on, one array per announcement. */
export function recordChanges(of: FlagsClient): string[][] {
  const seen: string[][] = [];
  of.on('change', (keys) => seen.push(keys));
  return seen;
}
