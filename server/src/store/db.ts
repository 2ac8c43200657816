// Opens the SQLite file the way Flagstaff needs it and brings its schema up to date.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
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
    // First, so that everything below waits its turn behind another instance opening the same file.
    sqlite.pragma('busy_timeout = 5000');
    // WAL lets readers run beside the one writer; synchronous stays FULL (the default) because a flag
    // change that was acknowledged must survive a power cut, and admin writes are rare.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    const db = drizzle(sqlite, { schema });
    migrate(sqlite);
    return { sqlite, db };
  } catch (error) {
    sqlite?.close();
    // SQLite's own words ("file is not a database") do not say which file: an operator needs both.
    throw new Error(`cannot open the database ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * drizzle's SQLite migrator, with its bookkeeping (`__drizzle_migrations`: hash, created_at = the journal's
 * `when`), but deciding what to apply *inside* a `BEGIN IMMEDIATE` transaction. drizzle's own reads the
 * last applied migration before its (deferred) BEGIN, so two instances first started together on an empty
 * file both set out to create every table, and one dies on "table already exists".
 */
function migrate(sqlite: Database.Database): void {
  const migrations = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER });
  sqlite
    .transaction(() => {
      sqlite.exec('CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)');
      const last = sqlite.prepare('SELECT created_at FROM "__drizzle_migrations" ORDER BY created_at DESC LIMIT 1').get() as
        | { created_at: number | string }
        | undefined;
      const record = sqlite.prepare('INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES (?, ?)');
      for (const migration of migrations) {
        if (last !== undefined && Number(last.created_at) >= migration.folderMillis) continue;
        for (const statement of migration.sql) if (statement.trim() !== '') sqlite.exec(statement);
        record.run(migration.hash, migration.folderMillis);
      }
    })
    .immediate();
}

let committedMigrations: number | undefined;

/** True when every committed migration is recorded as applied in this database. */
export function migrationsApplied(sqlite: Database.Database): boolean {
  committedMigrations ??= (JSON.parse(readFileSync(`${MIGRATIONS_FOLDER}meta/_journal.json`, 'utf8')) as { entries: unknown[] }).entries
    .length;
  const row = sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number };
  return row.n >= committedMigrations;
}
