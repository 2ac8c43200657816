// Keeps a FlagSync current over the browser's native EventSource, with `GET /sdk/v1/flags` as the fallback.
//
// EventSource gives up for good on any non-200 and never says which status it got, and a fresh one cannot
// send Last-Event-ID. So every attempt is a fresh EventSource, closed at its first error; the failure is
// followed by one snapshot request, which both serves the latest flags while the stream is down (the
// polling fallback) and tells a refused key (401/403: stop) from a server that is away (retry with
// backoff and full jitter). The resume point travels as `?lastEventId=`, and heartbeats, which are SSE
// comments that EventSource hides, are asked for as `hb` events (`?heartbeat=event`).
// A closure rather than a class: its state is local variables, which minify to one letter each.
import { createBackoff, type FlagSync, type SyncError, type SyncResult } from '@flagstaff/core/sync';

export interface StreamSettings {
  reconnect: { baseMs: number; maxMs: number; resetAfterMs: number };
  /** Nothing (event or heartbeat) for this long means a dead connection. The server beats every 15 s. */
  heartbeatTimeoutMs: number;
}

export interface StreamHooks {
  /** Runs one update of the sync and announces what changed; false when the update was refused. */
  apply(update: () => SyncResult): boolean;
  /** Something went wrong; `refused`: the server refused the key, so the client stops. */
  report(error: SyncError, refused?: boolean): void;
  /** The sync's channels moved: the status may have. */
  changed(): void;
}

/** What the stream drives: the client's FlagSync, or a stand-in that also passes on what it hears (tabs.ts). */
export type StreamSync = Pick<FlagSync, 'resumeVersion' | 'receive' | 'put' | 'heartbeat' | 'channel' | 'fail'>;

/** How a client keeps its FlagSync current: `startStream`, or another transport given as the `stream` option. */
export type StreamStarter = (base: string, key: string, sync: FlagSync, settings: StreamSettings, hooks: StreamHooks) => () => void;

/** Connects at once; returns the function that stops for good. */
export function startStream(base: string, key: string, sync: StreamSync, settings: StreamSettings, hooks: StreamHooks): () => void {
  const backoff = createBackoff(settings.reconnect);
  const url = (path: string) => `${base}/sdk/v1/${path}?key=${encodeURIComponent(key)}`;
  let source: EventSource | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  /** Failures since the stream was last open: the first is reported, the rest only recorded. */
  let failures = 0;
  /** A reconnection is scheduled (`timer` holds it). */
  let retrying = false;

  const channel = (name: string, up: boolean) => {
    sync.channel(name, up, Date.now());
    hooks.changed();
  };

  const report = (error: SyncError) => (failures++ === 0 ? hooks.report(error) : sync.fail(error, Date.now()));

  /** (Re)arms the watchdog: silence past the heartbeat timeout fails the attempt. */
  const watch = () => {
    clearTimeout(timer);
    timer = setTimeout(() => fail({ code: 'heartbeat_timeout', message: 'no heartbeat' }), settings.heartbeatTimeoutMs);
  };

  /** Fetches the whole snapshot; true unless the server refused the key. */
  async function poll(): Promise<boolean> {
    // Polls count as a channel to the server only while they stand in for the stream.
    const polled = (up: boolean) => source === null && channel('poll', up);
    let error: SyncError;
    try {
      // The browser's HTTP cache revalidates with the ETag, so an unchanged snapshot costs a 304. A server
      // that never answers must not stall the reconnection loop, which waits for this.
      const response = await fetch(url('flags'), { signal: AbortSignal.timeout(settings.heartbeatTimeoutMs) });
      if (stopped) return false;
      const { ok, status } = response;
      if (ok) {
        const body: unknown = await response.json();
        polled(true);
        hooks.apply(() => sync.put(body));
        return true;
      }
      error = { code: 'http_error', message: `HTTP ${status}`, status };
      if (status === 401 || status === 403) {
        stop();
        hooks.report({ ...error, code: 'unauthorized' }, true);
        return false;
      }
    } catch (cause) {
      error = { code: 'network', message: String(cause) };
    }
    polled(false);
    report(error);
    return true;
  }

  function fail(error: SyncError): void {
    clearTimeout(timer);
    source?.close();
    source = null;
    if (stopped) return;
    channel('stream', false);
    report(error);
    void poll().then((retry) => {
      if (!retry || stopped) return;
      retrying = true;
      timer = setTimeout(online, backoff.next(Date.now()));
    });
  }

  function connect(): void {
    const resume = sync.resumeVersion;
    const events = (source = new EventSource(`${url('stream')}&heartbeat=event${resume === null ? '' : `&lastEventId=${resume}`}`));
    watch();
    events.onopen = () => {
      failures = 0;
      channel('stream', true);
      channel('poll', false);
      watch();
    };
    for (const type of ['put', 'patch', 'delete', 'hb']) {
      events.addEventListener(type, ({ data }: MessageEvent<string>) => {
        // The server's first frame is a put, the changes missed, or a heartbeat: the server is serving.
        backoff.synced(Date.now());
        watch();
        const ok = type === 'hb' ? sync.heartbeat(data) !== 'resync' : hooks.apply(() => sync.receive(type, data));
        if (!ok) void poll();
      });
    }
    events.onerror = () => fail({ code: 'network', message: 'stream failed' });
  }

  /** Back online: reconnect now rather than at the end of a backoff that may have grown to 30 s. */
  function online(): void {
    if (!retrying) return;
    clearTimeout(timer);
    retrying = false;
    connect();
  }

  function stop(): void {
    stopped = true;
    globalThis.removeEventListener?.('online', online);
    clearTimeout(timer);
    source?.close();
  }

  globalThis.addEventListener?.('online', online);
  connect();
  return stop;
}
