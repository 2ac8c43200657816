// The bounded replay log of one environment: the most recent changes, already framed for each audience,
// so that a client resuming with Last-Event-ID gets exactly what it missed without any re-serialising.

export interface LogEntry {
  /** The environment version after this change. */
  readonly version: number;
  readonly server: Buffer;
  /** Null when the change is invisible to client keys. */
  readonly client: Buffer | null;
}

export class ChangeLog {
  readonly #entries: (LogEntry | undefined)[];
  #start = 0;
  #size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`change log capacity must be a positive integer, got ${capacity}`);
    this.#entries = new Array<LogEntry | undefined>(capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Appends the next change; the caller guarantees versions are consecutive. Evicts the oldest when full. */
  push(entry: LogEntry): void {
    const last = this.#at(this.#size - 1);
    if (last !== undefined && entry.version !== last.version + 1) {
      throw new RangeError(`change log expects version ${last.version + 1}, got ${entry.version}`);
    }
    if (this.#size < this.capacity) {
      this.#entries[(this.#start + this.#size) % this.capacity] = entry;
      this.#size++;
    } else {
      this.#entries[this.#start] = entry;
      this.#start = (this.#start + 1) % this.capacity;
    }
  }

  clear(): void {
    this.#entries.fill(undefined);
    this.#start = 0;
    this.#size = 0;
  }

  /**
   * Every held change after `version`, oldest first, when the log holds all of them up to `head` (the
   * environment's current version); null when some are no longer held or `version` is not one we had.
   */
  since(version: number, head: number): LogEntry[] | null {
    if (version === head) return [];
    const first = this.#at(0);
    const last = this.#at(this.#size - 1);
    if (first === undefined || last === undefined || last.version !== head) return null;
    if (version < first.version - 1 || version > head) return null;
    const missed: LogEntry[] = [];
    for (let i = version - first.version + 1; i < this.#size; i++) missed.push(this.#at(i)!);
    return missed;
  }

  #at(i: number): LogEntry | undefined {
    if (i < 0 || i >= this.#size) return undefined;
    return this.#entries[(this.#start + i) % this.capacity];
  }
}
