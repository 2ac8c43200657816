// What both SDKs do to stay current, without the transport: hold the prepared snapshot, apply what the
// server sends by version, check heartbeats for drift, and know whether the flags held are current or
// stale. No timers, no I/O, no zod: the Node SDK drives it from `eventsource`, the browser SDK from the
// native EventSource, and time arrives as an argument (`now`, in ms) so every rule here is testable.
import { snapshotChecksum } from './checksum.js';
import { HEARTBEAT_PREFIX, type StreamEvent } from './protocol.js';
import { applyEvent, changedFlagKeys, type PreparedSnapshot } from './snapshot.js';

/** Where the held flags came from: nothing yet, the application's bootstrap, or the server. */
export type FlagSource = 'none' | 'bootstrap' | 'server';

/**
 * - `initializing`: no server data yet; evaluations serve the bootstrap or the caller's defaults.
 * - `ready`: server data, and a working channel to the server (the stream, or the last poll).
 * - `stale`: server data, but no channel works since `staleSince`; the last-known flags are served.
 * - `failed`: the server refused this key (401/403, or 204 for a revoked one); held flags are still served.
 * - `closed`: the client was closed.
 */
export type SyncState = 'initializing' | 'ready' | 'stale' | 'failed' | 'closed';

export interface SyncError {
  /** `unauthorized`, `forbidden`, `revoked`, `unavailable`, `network`, `invalid_data`, `heartbeat_timeout`, … */
  code: string;
  message: string;
  /** The HTTP status, when a response carried the failure. */
  status?: number;
}

export interface SyncStatus {
  state: SyncState;
  source: FlagSource;
  /** The environment version of the held flags; null before any. */
  version: number | null;
  /** Since when no channel to the server has worked, while server data is held; null otherwise. */
  staleSince: Date | null;
  lastError: (SyncError & { at: Date }) | null;
}

export interface FlagChange {
  /** Flags whose evaluation may differ from before, sorted. */
  keys: string[];
  version: number;
}

/** A refusal names the problem; an accepted input reports the change, or null when it changed nothing. */
export type SyncResult = { ok: true; change: FlagChange | null } | { ok: false; problem: string };

const UNCHANGED: SyncResult = { ok: true, change: null };

export class FlagSync {
  #state: PreparedSnapshot | null = null;
  #source: FlagSource = 'none';
  #checksum: { of: PreparedSnapshot; value: string } | null = null;
  readonly #channels = new Set<string>();
  #downSince: number | null = null;
  #lastError: SyncStatus['lastError'] = null;
  #refused = false;
  #closed = false;

  /** Offline clients read only their bootstrap: it makes them ready. */
  constructor(readonly offline = false) {}

  /** The held flags, prepared for `evaluate`; null before any. */
  get state(): PreparedSnapshot | null {
    return this.#state;
  }

  get source(): FlagSource {
    return this.#source;
  }

  get phase(): SyncState {
    if (this.#closed) return 'closed';
    if (this.#refused) return 'failed';
    if (this.#source === 'server') return this.#channels.size > 0 ? 'ready' : 'stale';
    return this.offline && this.#source === 'bootstrap' ? 'ready' : 'initializing';
  }

  /** The Last-Event-ID to resume from: only a version this client received from the server means anything to it. */
  get resumeVersion(): number | null {
    return this.#source === 'server' ? this.#state!.version : null;
  }

  /** Holds the application's snapshot until server data arrives; never replaces server data. */
  bootstrap(snapshot: unknown): SyncResult {
    if (this.#source === 'server') return UNCHANGED;
    return this.#apply({ type: 'put', data: snapshot } as StreamEvent, 'bootstrap');
  }

  /** A full snapshot from the server (`GET /sdk/v1/flags`, or a `put` event). */
  put(snapshot: unknown): SyncResult {
    return this.#apply({ type: 'put', data: snapshot } as StreamEvent, 'server');
  }

  /** One SSE event as received: its type and its data text. Types other than put, patch and delete are refused. */
  receive(type: string, data: string): SyncResult {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      return { ok: false, problem: `${type} event: not JSON` };
    }
    // A patch has no base without a put from this server: the bootstrap may describe another lineage.
    if (type !== 'put' && this.#source !== 'server') return { ok: false, problem: `${type} event before any put` };
    return this.#apply({ type, data: parsed } as StreamEvent, 'server');
  }

  /**
   * Checks a heartbeat comment (`hb <version> <checksum>`, without the leading colon). `resync` means the
   * held flags differ from the server's: fetch the snapshot. Null when the comment is not a heartbeat or
   * there is nothing to compare yet.
   */
  heartbeat(comment: string): 'ok' | 'resync' | null {
    const [prefix, versionText, checksum] = comment.trim().split(/\s+/);
    const version = Number(versionText);
    if (prefix !== HEARTBEAT_PREFIX || !Number.isInteger(version) || checksum === undefined) return null;
    const state = this.#state;
    if (state === null || this.#source !== 'server') return null;
    // Ahead of the server (a relay that lags): never go back, so nothing to do until it catches up.
    if (version < state.version) return 'ok';
    if (version > state.version) return 'resync';
    if (this.#checksum?.of !== state) this.#checksum = { of: state, value: snapshotChecksum(state.raw) };
    return this.#checksum.value === checksum ? 'ok' : 'resync';
  }

  /** A channel to the server (`stream`, `poll`) works, or stopped working; no working channel means stale. */
  channel(name: string, up: boolean, now: number): void {
    if (up) {
      this.#channels.add(name);
      this.#downSince = null;
      this.#refused = false;
    } else {
      this.#channels.delete(name);
      if (this.#channels.size === 0) this.#downSince ??= now;
    }
  }

  /** Records what went wrong; `refused` marks the key as rejected by the server (state `failed`). */
  fail(error: SyncError, now: number, refused = false): void {
    this.#lastError = { ...error, at: new Date(now) };
    if (refused) {
      this.#refused = true;
      this.#channels.clear();
      this.#downSince ??= now;
    }
  }

  close(): void {
    this.#closed = true;
    this.#channels.clear();
  }

  status(): SyncStatus {
    const state = this.phase;
    return {
      state,
      source: this.#source,
      version: this.#state?.version ?? null,
      staleSince: this.#source === 'server' && this.#downSince !== null && state !== 'ready' ? new Date(this.#downSince) : null,
      lastError: this.#lastError,
    };
  }

  #apply(event: StreamEvent, source: FlagSource): SyncResult {
    const before = this.#state;
    // The first server data replaces a bootstrap whatever its version: a bootstrap file's versions may
    // come from anywhere, and must not make the server's snapshot look older than it.
    let base = source === 'server' && this.#source !== 'server' ? null : before;
    // Events of one change share its version (the server sends a segment a flag newly needs, then the flag,
    // under one id), so a patch or delete at the held version belongs to the change being applied;
    // applyEvent's per-item versions keep a replayed group from applying twice.
    if (base !== null && event.type !== 'put' && event.data?.version === base.version) base = { ...base, version: base.version - 1 };
    let after: PreparedSnapshot;
    try {
      after = applyEvent(base, event);
    } catch (error) {
      return { ok: false, problem: String(error) };
    }
    if (after === base) return UNCHANGED;
    this.#state = after;
    this.#source = source;
    const keys = changedFlagKeys(before, after);
    return { ok: true, change: { keys, version: after.version } };
  }
}

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** A connection that delivered the server's state and stayed up this long ends the outage. */
  resetAfterMs: number;
}

/** Paces reconnection attempts: see {@link createBackoff}. */
export interface Backoff {
  /** The connection delivered the server's state (its put, the changes it missed, or a heartbeat) at `now`; later calls for the same connection change nothing. */
  synced(now: number): void;
  /** The delay before the next attempt, after a failure at `now`. */
  next(now: number): number;
}

/**
 * Full jitter below a ceiling that grows with the outage: each delay is uniform in
 * [0, min(maxMs, max(baseMs, half the time since the first failure))). So once the server is back, no
 * client waits longer than baseMs or half the time it was away: a restart that takes two seconds costs at
 * most one more, where doubling delays would have overshot it by several. A server that stays away is tried
 * ever less often (the ceiling doubles as the outage does), and at least every maxMs. The outage ends with
 * a connection that delivered the server's state and lived `resetAfterMs`: one that opens and drops at
 * once (a server that crashes at start-up, a proxy with no upstream) does not make the next failure look
 * like the first.
 */
export function createBackoff({ baseMs, maxMs, resetAfterMs }: BackoffOptions, random: () => number = Math.random): Backoff {
  let syncedAt: number | null = null;
  let downSince: number | null = null;
  return {
    synced(now) {
      syncedAt ??= now;
    },
    next(now) {
      if (syncedAt !== null && now - syncedAt >= resetAfterMs) downSince = null;
      syncedAt = null;
      downSince ??= now;
      return Math.floor(random() * Math.min(maxMs, Math.max(baseMs, (now - downSince) / 2)));
    },
  };
}
