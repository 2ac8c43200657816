// A streaming client for end-to-end tests: the real `eventsource` package, state kept with core's
// applyEvent (as the SDKs keep it), and the SDKs' rule of owning reconnection — EventSource gives up for
// good on any non-200 (a 503 while an instance restarts), so this reopens it, with the Last-Event-ID.
import { applyEvent, snapshotChecksum, type PreparedSnapshot, type StreamEvent } from '@flagstaff/core';
import { EventSource } from 'eventsource';

export interface ReceivedEvent {
  type: 'put' | 'patch' | 'delete';
  id: string;
  data: any;
}

export interface StreamWatcher {
  readonly events: ReceivedEvent[];
  /** The state built from every event received, as an SDK holds it. */
  readonly state: PreparedSnapshot | null;
  /** The version of the held state; -1 before the first put. */
  version(): number;
  /** Checksum of the held state, comparable to a heartbeat's or the server snapshot's. */
  checksum(): string | null;
  /** Patches or deletes that arrived older than the held state: a client moved backwards. */
  readonly regressions: ReceivedEvent[];
  /** How many times a stream was opened (first connection included). */
  readonly opens: number;
  /** How many connections succeeded, eventsource's own reconnections included. */
  readonly connections: number;
  close(): void;
}

export interface WatchOptions {
  /** Send the key as `?key=` (browser style) instead of the Authorization header. */
  inUrl?: boolean;
  /** Resume from this id on the first connection. */
  lastEventId?: string;
  /** Reopen after the stream closes for good (non-200); default true. */
  reopen?: boolean;
}

export function watchStream(baseUrl: string, key: string, options: WatchOptions = {}): StreamWatcher {
  const url = options.inUrl ? `${baseUrl}/sdk/v1/stream?key=${encodeURIComponent(key)}` : `${baseUrl}/sdk/v1/stream`;
  let lastEventId = options.lastEventId ?? '';
  let source: EventSource | null = null;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const watcher = {
    events: [] as ReceivedEvent[],
    regressions: [] as ReceivedEvent[],
    state: null as PreparedSnapshot | null,
    opens: 0,
    connections: 0,
    version: () => watcher.state?.version ?? -1,
    checksum: () => (watcher.state ? snapshotChecksum(watcher.state.raw) : null),
    close: () => {
      closed = true;
      clearTimeout(timer);
      source?.close();
    },
  };

  const open = () => {
    if (closed) return;
    watcher.opens++;
    const es = new EventSource(url, {
      fetch: (input, init) => {
        const headers: Record<string, string> = { ...(init?.headers as Record<string, string>) };
        if (!options.inUrl) headers.Authorization = key;
        if (lastEventId && !headers['Last-Event-ID']) headers['Last-Event-ID'] = lastEventId;
        return fetch(input, { ...init, headers });
      },
    });
    source = es;
    es.addEventListener('open', () => void watcher.connections++);
    for (const type of ['put', 'patch', 'delete'] as const) {
      es.addEventListener(type, (message) => {
        const event: ReceivedEvent = { type, id: message.lastEventId, data: JSON.parse(message.data) };
        if (message.lastEventId) lastEventId = message.lastEventId;
        if (type !== 'put' && watcher.state !== null && event.data.version < watcher.state.version) watcher.regressions.push(event);
        watcher.events.push(event);
        watcher.state = applyEvent(watcher.state, { type, data: event.data } as StreamEvent);
      });
    }
    es.addEventListener('error', () => {
      if (es.readyState !== EventSource.CLOSED || closed || options.reopen === false) return;
      timer = setTimeout(open, 100 + Math.random() * 200);
    });
  };
  open();
  return watcher;
}
