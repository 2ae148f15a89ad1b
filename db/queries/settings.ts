/** Reads and writes of the console's settings (key → JSON value), validated by core/settings.ts. */
import { asc, eq } from 'drizzle-orm';
import {
  readSettings,
  SETTING_KEYS,
  type ConsoleSettings,
  type SettingKey,
  type SettingsPatch,
} from '../../core/settings.js';
import type { Db } from '../client.js';
import { settings } from '../schema.js';

export interface SettingRow {
  key: string;
  value: unknown;
  updatedAt: number;
}

/** Every stored row, by key, including keys the console does not edit. */
export function listSettingRows({ db }: { db: Db }): SettingRow[] {
  return db.select().from(settings).orderBy(asc(settings.key)).all();
}

/** The console settings; a stored value that fails its schema reads as unset and is named in `invalid`. */
export function getConsoleSettings({ db }: { db: Db }): { values: ConsoleSettings; invalid: SettingKey[] } {
  return readSettings(listSettingRows({ db }));
}

/**
 * Applies a validated patch in one transaction: a value is upserted with a fresh `updatedAt`, null
 * deletes the row (the column is NOT NULL, and "no row" is what every reader treats as unset).
 * Returns the settings as stored afterwards.
 */
export function updateSettings({
  db,
  patch,
  now = Date.now(),
}: {
  db: Db;
  patch: SettingsPatch;
  now?: number;
}): { values: ConsoleSettings; invalid: SettingKey[] } {
  db.transaction((tx) => {
    for (const key of SETTING_KEYS) {
      const value = patch[key];
      if (value === undefined) continue;
      if (value === null) {
        tx.delete(settings).where(eq(settings.key, key)).run();
      } else {
        tx.insert(settings)
          .values({ key, value, updatedAt: now })
          .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: now } })
          .run();
      }
    }
  });
  return getConsoleSettings({ db });
}
