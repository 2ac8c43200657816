// Opens the SQLite file the way Flagstaff needs it and brings its schema up to date.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import * as schema from './schema.js';

/** The database or a transaction on it: store functions take either. */
export type Db = BaseSQLiteDatabase<'sync', Database.RunResult, typeof schema>;

/** The committed migrations, found relative to this module so that src/ and dist/ both reach server/drizzle. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle/', import.meta.url));

export interface OpenedDatabase {
  sqlite: Database.Database;
  db: Db;
}

export function openDatabase(path: string): OpenedDatabase {
  let sqlite: Database.Database | undefined;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    sqlite = new Database(path);
    // WAL lets readers run beside the one writer; synchronous stays FULL (the default) because a flag
    // change that was acknowledged must survive a power cut, and admin writes are rare.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const db = drizzle(sqlite, { schema });
    migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
    return { sqlite, db };
  } catch (error) {
    sqlite?.close();
    // SQLite's own words ("file is not a database") do not say which file: an operator needs both.
    throw new Error(`cannot open the database ${path}: ${(error as Error).message}`, { cause: error });
  }
}

let committedMigrations: number | undefined;

/** True when every committed migration is recorded as applied in this database. */
export function migrationsApplied(sqlite: Database.Database): boolean {
  committedMigrations ??= (
    JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}meta/_journal.json`, 'utf8')) as { entries: unknown[] }
  ).entries.length;
  const row = sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number };
  return row.n >= committedMigrations;
}
