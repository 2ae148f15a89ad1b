/** Reads and writes of `notifications`: one row per dedupe key, so a replayed alert lands once. */
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../client.js';
import { notifications, type Notification } from '../schema.js';

export function insertNotificationOnce({
  db,
  row,
}: {
  db: Db;
  row: {
    workspaceId: string | null;
    level: 'info' | 'warn' | 'error';
    title: string;
    body: string;
    dedupeKey: string;
  };
}): boolean {
  const res = db
    .insert(notifications)
    .values(row)
    .onConflictDoNothing({ target: notifications.dedupeKey })
    .run();
  return res.changes > 0;
}

export function listNotifications({
  db,
  workspaceId,
  unreadOnly = false,
}: {
  db: Db;
  workspaceId?: string;
  unreadOnly?: boolean;
}): Notification[] {
  const where = and(
    workspaceId ? eq(notifications.workspaceId, workspaceId) : undefined,
    unreadOnly ? isNull(notifications.readAt) : undefined,
  );
  return db.select().from(notifications).where(where).orderBy(desc(notifications.id)).all();
}

export function markNotificationRead({ db, id }: { db: Db; id: number }): void {
  db.update(notifications).set({ readAt: Date.now() }).where(eq(notifications.id, id)).run();
}
