/** The read model for the console: one SQLite handle per process (db/client.ts caches it). */
import { getDb, type Db } from '../../db/client.js';
import { getConfig } from './env.js';

/** Migrations are applied by the supervisor before the console starts; this only opens the file. */
export function db(): Db {
  return getDb(getConfig().dbFile);
}
