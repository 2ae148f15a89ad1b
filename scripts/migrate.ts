/** `npm run migrate`: applies pending migrations to $RATCHET_HOME/ratchet.db (npm start does this too). */
import { migrateDatabase } from '../db/migrate.js';
import { loadConfig } from '../worker/env.js';

try {
  const config = loadConfig();
  const res = migrateDatabase(config.dbFile);
  process.stdout.write(
    res.applied.length
      ? `applied ${res.applied.join(', ')} to ${config.dbFile}\n`
      : `${config.dbFile} is up to date\n`,
  );
  if (res.backupPath) process.stdout.write(`previous database copied to ${res.backupPath}\n`);
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
}
