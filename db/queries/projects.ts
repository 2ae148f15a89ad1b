import { eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { projects } from '../schema.js';

/** The stored ratchet policy JSON of a project; null when it has none or the project is gone. */
export function getProjectRatchetPolicy({ db, id }: { db: Db; id: string }): unknown {
  const row = db.select({ policy: projects.ratchetPolicy }).from(projects).where(eq(projects.id, id)).get();
  return row?.policy ?? null;
}

/** The stored scripts JSON of a project (setup/run/cleanup set in the console); null when none. */
export function getProjectScripts({ db, id }: { db: Db; id: string }): unknown {
  const row = db.select({ scripts: projects.scripts }).from(projects).where(eq(projects.id, id)).get();
  return row?.scripts ?? null;
}
