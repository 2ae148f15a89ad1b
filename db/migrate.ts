/**
 * Applies drizzle-kit's numbered migrations at start-up. Before touching an existing database that
 * has pending migrations, a consistent copy is taken with `VACUUM INTO`; drizzle runs all pending
 * migrations in one transaction, so a failure leaves the file exactly as it was and start-up stops.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { z } from 'zod';
import { stripRemoteCredentials } from '../core/remote-url.js';
import { BUSY_TIMEOUT_MS } from './client.js';

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

const journalSchema = z.object({
  entries: z.array(z.object({ idx: z.number(), tag: z.string(), when: z.number() })),
});

export interface MigrationResult {
  applied: string[];
  backupPath: string | null;
}

/** Thrown when a migration fails; the database is left as it was before the attempt. */
export class MigrationError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly backupPath: string | null,
    /** Tag of the migration whose statement failed (`0001_add_x`), when it could be identified. */
    readonly migration: string | null = null,
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

export function migrateDatabase(
  file: string,
  opts: { migrationsDir?: string; now?: Date } = {},
): MigrationResult {
  const migrationsDir = opts.migrationsDir ?? MIGRATIONS_DIR;
  const journal = journalSchema.parse(
    JSON.parse(fs.readFileSync(path.join(migrationsDir, 'meta/_journal.json'), 'utf8')),
  );
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const existed = fs.existsSync(file) && fs.statSync(file).size > 0;
  const sqlite = new Database(file);
  try {
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    const done = appliedCount(sqlite);
    const pending = journal.entries.slice(done).map((e) => e.tag);
    if (pending.length === 0) {
      stripStoredRemoteCredentials(sqlite);
      return { applied: [], backupPath: null };
    }
    let backupPath: string | null = null;
    if (existed && hasUserTables(sqlite)) {
      const stamp = (opts.now ?? new Date()).toISOString().replace(/[:.]/g, '-');
      backupPath = `${file}.backup-${stamp}-before-${pending[0]}`;
      sqlite.exec(`VACUUM INTO '${backupPath.replace(/'/g, "''")}'`);
    }
    try {
      migrate(drizzle(sqlite), { migrationsFolder: migrationsDir });
    } catch (err) {
      const reason =
        err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
      const failed = failingMigration(
        err,
        migrationsDir,
        journal.entries.map((e) => e.tag),
        done,
      );
      const where = failed
        ? `migration ${failed}.sql`
        : `one of [${pending.map((t) => `${t}.sql`).join(', ')}]`;
      throw new MigrationError(
        `Migrating ${file} failed in ${where}: ${reason}. The database was left unchanged` +
          (backupPath ? `; a copy taken before the attempt is at ${backupPath}.` : '.'),
        file,
        backupPath,
        failed,
      );
    }
    stripStoredRemoteCredentials(sqlite);
    return { applied: pending, backupPath };
  } finally {
    sqlite.close();
  }
}

/**
 * Data repair at every start-up: remote URLs stored by a Ratchet that kept credentials in them
 * (`ssh://git:s3cret@…`, `https://u@n:p@…`, `?access_token=`) are rewritten without them, so the
 * secret is gone from the file, not only from answers. Returns how many rows changed.
 */
export function stripStoredRemoteCredentials(sqlite: Database.Database): number {
  const hasProjects = sqlite
    .prepare("select name from sqlite_master where type='table' and name='projects'")
    .get();
  if (!hasProjects) return 0;
  const rows = sqlite
    .prepare('select id, remote_url as url from projects where remote_url is not null')
    .all() as { id: string; url: string }[];
  const update = sqlite.prepare('update projects set remote_url = ? where id = ?');
  let changed = 0;
  sqlite.transaction(() => {
    for (const { id, url } of rows) {
      const clean = stripRemoteCredentials(url);
      if (clean !== url) changed += update.run(clean, id).changes;
    }
  })();
  return changed;
}

/**
 * The pending migration holding the statement that failed. Drizzle's sync session reports it as
 * `Failed to run the query '<sql>'` (a DrizzleError), its async path as a DrizzleQueryError; both
 * are checked along the cause chain.
 */
function failingMigration(err: unknown, migrationsDir: string, tags: string[], done: number): string | null {
  const failed: string[] = [];
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof DrizzleQueryError) failed.push(e.query.trim());
    const quoted = /^Failed to run the query '([\s\S]*)'$/.exec(e.message);
    if (quoted?.[1] !== undefined) failed.push(quoted[1].trim());
  }
  if (failed.length === 0) return null;
  const migrations = readMigrationFiles({ migrationsFolder: migrationsDir });
  for (let i = done; i < migrations.length; i++) {
    if (migrations[i]?.sql.some((stmt) => failed.includes(stmt.trim()))) return tags[i] ?? null;
  }
  return null;
}

function appliedCount(sqlite: Database.Database): number {
  const table = sqlite
    .prepare("select name from sqlite_master where type='table' and name='__drizzle_migrations'")
    .get();
  if (!table) return 0;
  return (sqlite.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number }).n;
}

function hasUserTables(sqlite: Database.Database): boolean {
  const row = sqlite
    .prepare("select count(*) as n from sqlite_master where type='table' and name not like 'sqlite_%'")
    .get() as { n: number };
  return row.n > 0;
}
