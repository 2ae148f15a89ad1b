/**
 * The one SQLite client module. Every process opens the same file with WAL, foreign keys and a
 * busy timeout, so the worker and the console can write concurrently without SQLITE_BUSY.
 */
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** @default 5000 */
export const BUSY_TIMEOUT_MS = 5000;

export function openDb(file: string, opts: { readonly?: boolean } = {}): Db {
  const sqlite = new Database(file, {
    readonly: opts.readonly ?? false,
    fileMustExist: opts.readonly ?? false,
  });
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (!opts.readonly) sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  return drizzle(sqlite, { schema }) as Db;
}

const cache = globalThis as unknown as { __ratchetDb?: Map<string, Db> };

/** One handle per file per process; survives Next.js hot reload in development. */
export function getDb(file: string): Db {
  cache.__ratchetDb ??= new Map();
  let db = cache.__ratchetDb.get(file);
  if (!db) {
    db = openDb(file);
    cache.__ratchetDb.set(file, db);
  }
  return db;
}
