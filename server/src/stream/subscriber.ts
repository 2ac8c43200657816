// One streaming connection as the hub sees it. The hub writes the same frame to every subscriber and never
// waits for one: a client that stops reading fills its own buffer, and past a limit it is dropped (it will
// reconnect and resume) rather than holding memory or delaying anybody else.
import type { SdkStreamIdentity } from '@flagstaff/core/admin';
import type { Audience } from '../snapshot-views.js';

/** The part of a node `ServerResponse` the hub uses; tests pass a fake. */
export interface SseOutput {
  write(chunk: Buffer): boolean;
  end(chunk?: Buffer): unknown;
  destroy(): unknown;
  /** Bytes accepted by write() but not yet handed to the kernel. */
  readonly writableLength: number;
}

/** What a stream told about itself; nothing, for a client that sent no identity. */
export const ANONYMOUS: SdkStreamIdentity = { instance: null, sdk: null, address: null };

export class Subscriber {
  #open = true;

  constructor(
    readonly out: SseOutput,
    readonly env: string,
    readonly audience: Audience,
    readonly keyId: string,
    readonly maxBufferedBytes: number,
    /** Who is at the other end, for propagation reports (reach.ts). */
    readonly identity: SdkStreamIdentity = ANONYMOUS,
  ) {}

  get open(): boolean {
    return this.#open;
  }

  /** Queues a frame; false (and the connection destroyed) when the client is too far behind to keep. */
  send(frame: Buffer): boolean {
    if (!this.#open) return false;
    if (this.out.writableLength > this.maxBufferedBytes) {
      this.#open = false;
      this.out.destroy();
      return false;
    }
    this.out.write(frame);
    return true;
  }

  /** Ends the stream normally, after an optional last frame (a `retry:` hint on shutdown). */
  end(frame?: Buffer): void {
    if (!this.#open) return;
    this.#open = false;
    this.out.end(frame);
  }

  /** Marks the connection gone (the client closed it); later sends are no-ops. */
  closed(): void {
    this.#open = false;
  }
}
