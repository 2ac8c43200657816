// `GET /sdk/v1/flags`: the whole snapshot, for a resync and as the fallback while the stream cannot
// connect. Polls send the ETag of the last snapshot accepted, so an unchanged environment costs a 304.
import type { SyncError } from '@flagstaff/core/sync';
import { networkFailure, responseFailure, type SdkHttp } from './http.js';

export type SnapshotResponse =
  | { kind: 'snapshot'; body: unknown; etag: string | null }
  | { kind: 'unchanged' }
  | { kind: 'failed'; error: SyncError };

export async function fetchSnapshot(http: SdkHttp, etag: string | null): Promise<SnapshotResponse> {
  try {
    const response = await http.request('/sdk/v1/flags', { headers: etag === null ? {} : { 'If-None-Match': etag } });
    if (response.status === 304) return { kind: 'unchanged' };
    if (response.status !== 200) return { kind: 'failed', error: await responseFailure(response) };
    const text = await response.text();
    try {
      return { kind: 'snapshot', body: JSON.parse(text), etag: response.headers.get('etag') };
    } catch {
      return {
        kind: 'failed',
        error: { code: 'invalid_data', message: 'GET /sdk/v1/flags answered something that is not JSON', status: 200 },
      };
    }
  } catch (error) {
    return { kind: 'failed', error: networkFailure(error) };
  }
}

/** Polls on an interval while running. `accept` applies a response and says whether to keep its ETag. */
export class Poller {
  #timer: NodeJS.Timeout | undefined;
  #etag: string | null = null;
  #running = false;
  /** Bumped by start() and stop(), so a poll in flight across a stop and a start does not run a second loop. */
  #generation = 0;

  constructor(
    private readonly http: SdkHttp,
    private readonly intervalMs: number,
    private readonly accept: (response: SnapshotResponse) => boolean,
  ) {}

  get running(): boolean {
    return this.#running;
  }

  start(immediately: boolean): void {
    if (this.#running) return;
    this.#running = true;
    this.#schedule(immediately ? 0 : this.intervalMs, ++this.#generation);
  }

  stop(): void {
    this.#running = false;
    this.#generation++;
    clearTimeout(this.#timer);
  }

  #schedule(ms: number, generation: number): void {
    this.#timer = setTimeout(() => void this.#poll(generation), ms);
  }

  async #poll(generation: number): Promise<void> {
    const response = await fetchSnapshot(this.http, this.#etag);
    // Stopped meanwhile (the stream is back): the stream speaks for the server now.
    if (generation !== this.#generation) return;
    if (this.accept(response) && response.kind === 'snapshot') this.#etag = response.etag;
    this.#schedule(this.intervalMs, generation);
  }
}
