// How an instance learns that other instances sharing its store committed something: the watcher only says
// "something changed, catch up", and the store then reads what changed (Store.catchUp) rather than being
// told — so nothing can be missed by a watcher that woke late. One implementation per kind of store: SQLite's
// `PRAGMA data_version` here; PostgreSQL's LISTEN/NOTIFY would be another (DESIGN.md, "Store").
import type Database from 'better-sqlite3';
import type { DatabaseFile } from './database-file.js';

export interface CommitWatcherEvents {
  /** Another connection committed since the last call: read what changed. */
  committed(): void;
  /** The store stopped (a reason) or started again (null) being the one this instance opened. */
  lostChanged(reason: string | null): void;
}

export interface CommitWatcher {
  start(events: CommitWatcherEvents): void;
  stop(): void;
}

/**
 * SQLite: `PRAGMA data_version` changes on a connection when any *other* connection, in any process,
 * committed to the file (never for the connection's own commits). Reading it is a momentary read (in WAL
 * mode it never waits for a writer) costing about 5–15 µs, so it is polled; each tick also checks, with one
 * stat() of about the same cost, that the file is still the one opened.
 */
export class SqliteCommitWatcher implements CommitWatcher {
  #timer: NodeJS.Timeout | undefined;
  #version: unknown;
  #lost: string | null = null;
  readonly #dataVersion: Database.Statement;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly file: DatabaseFile,
    private readonly intervalMs: number,
  ) {
    this.#dataVersion = sqlite.prepare('PRAGMA data_version').pluck();
  }

  start(events: CommitWatcherEvents): void {
    if (this.#timer !== undefined) return;
    this.#version = this.#dataVersion.get();
    this.#timer = setInterval(() => this.#tick(events), this.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #tick(events: CommitWatcherEvents): void {
    const lost = this.file.check();
    if (lost !== this.#lost) {
      this.#lost = lost;
      events.lostChanged(lost);
    }
    // A lost file is still readable through the open handle, but nobody else commits to it any more.
    if (lost !== null || !this.sqlite.open) return;
    const version = this.#dataVersion.get();
    if (version === this.#version) return;
    this.#version = version;
    events.committed();
  }
}
