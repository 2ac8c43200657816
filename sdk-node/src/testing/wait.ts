// Waiting for a condition with a deadline: tests wait for what they expect to happen, never a fixed time.
import type { ClientEvents, FlagsClient } from '../client.js';

export async function until<T>(probe: () => T | Promise<T>, { timeoutMs = 5_000, what = 'condition' } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves with the next payload an `on(event, listener)` source emits. */
export function next<T>(on: (listener: (payload: T) => void) => () => void, timeoutMs = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = on((payload) => {
      clearTimeout(timer);
      off();
      resolve(payload);
    });
  });
}

/** The next `event` a client emits. */
export function nextEvent<E extends keyof ClientEvents>(client: FlagsClient, event: E, timeoutMs = 5_000): Promise<ClientEvents[E]> {
  return next<ClientEvents[E]>((listener) => client.on(event, listener), timeoutMs);
}
