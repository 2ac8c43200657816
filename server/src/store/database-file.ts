// The SQLite file a running server opened, and whether it is still the file at that path. Deleting or
// replacing the data directory under a running server leaves its open handle on a file nobody will open
// again: writes would "succeed" and vanish at the next start. So the identity (device and inode) seen at
// open is checked on every tick of the commit watcher, and a store whose file went away refuses writes
// with 503 and reports itself unready until the file at the path is the one it opened again.
import { statSync } from 'node:fs';
import { ApiError } from '../errors.js';

interface Identity {
  dev: number;
  ino: number;
}

function identityOf(path: string): Identity | null {
  try {
    const { dev, ino } = statSync(path);
    return { dev, ino };
  } catch {
    return null;
  }
}

export class DatabaseFile {
  readonly #opened: Identity | null;
  #lost: string | null = null;

  /** Call right after opening `path`; ':memory:' has no file and is never lost. */
  constructor(readonly path: string) {
    this.#opened = path === ':memory:' ? null : identityOf(path);
  }

  /** Null while the file at the path is the one opened; otherwise what became of it. */
  get lost(): string | null {
    return this.#lost;
  }

  /** Looks at the path again (a stat: microseconds) and returns `lost` as it now is. */
  check(): string | null {
    if (this.#opened === null) return null;
    const now = identityOf(this.path);
    if (now === null) this.#lost = `the database file ${this.path} was deleted while the server ran`;
    else if (now.dev !== this.#opened.dev || now.ino !== this.#opened.ino) {
      this.#lost = `the database file ${this.path} was replaced by another file while the server ran`;
    } else this.#lost = null;
    return this.#lost;
  }

  /** Throws the 503 every write gets while the file is lost: the change would be written where nobody reads. */
  assertWritable(): void {
    if (this.#lost === null) return;
    throw new ApiError(
      'unavailable',
      `${this.#lost}: this change was not saved. Restore the file or restart the server (docs/operations.md)`,
    );
  }
}
