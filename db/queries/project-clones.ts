/** Clone-by-URL jobs (`project_clones`): one row per clone, its progress written as git reports it. */
import { eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { projectClones, type NewProjectClone, type ProjectClone } from '../schema.js';

export function insertProjectClone({ db, row }: { db: Db; row: NewProjectClone }): void {
  db.insert(projectClones).values(row).run();
}

/** Writes progress or the outcome; `updatedAt` is set here (a stale `running` row is a dead console's). */
export function updateProjectClone({
  db,
  id,
  set,
}: {
  db: Db;
  id: string;
  set: Partial<Omit<ProjectClone, 'id' | 'updatedAt'>>;
}): void {
  db.update(projectClones)
    .set({ ...set, updatedAt: Date.now() })
    .where(eq(projectClones.id, id))
    .run();
}

export function getProjectClone({ db, id }: { db: Db; id: string }): ProjectClone | undefined {
  return db.select().from(projectClones).where(eq(projectClones.id, id)).get();
}
