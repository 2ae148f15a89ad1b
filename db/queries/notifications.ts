/** Reads and writes of `notifications`: one row per dedupe key, so a replayed alert lands once. */
import { and, asc, desc, eq, gt, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { notifications, workspaces, type Notification } from '../schema.js';

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

/** The row a dedupe key raised (after `insertNotificationOnce`, whether or not this call inserted it). */
export function getNotificationByDedupeKey({
  db,
  dedupeKey,
}: {
  db: Db;
  dedupeKey: string;
}): Notification | undefined {
  return db.select().from(notifications).where(eq(notifications.dedupeKey, dedupeKey)).get();
}

export function getNotification({ db, id }: { db: Db; id: number }): Notification | undefined {
  return db.select().from(notifications).where(eq(notifications.id, id)).get();
}

export interface InboxItem extends Notification {
  workspaceTitle: string | null;
}

/** The inbox, newest first, with each workspace's title; `beforeId` pages back. */
export function listInbox({
  db,
  limit = 100,
  beforeId,
  unreadOnly = false,
}: {
  db: Db;
  limit?: number;
  beforeId?: number;
  unreadOnly?: boolean;
}): InboxItem[] {
  const where = and(
    beforeId !== undefined ? lt(notifications.id, beforeId) : undefined,
    unreadOnly ? isNull(notifications.readAt) : undefined,
  );
  return db
    .select({ n: notifications, workspaceTitle: workspaces.title })
    .from(notifications)
    .leftJoin(workspaces, eq(workspaces.id, notifications.workspaceId))
    .where(where)
    .orderBy(desc(notifications.id))
    .limit(limit)
    .all()
    .map((r) => ({ ...r.n, workspaceTitle: r.workspaceTitle }));
}

/** Unread count and the newest id: what the navigation badge and the desktop notifier follow. */
export function inboxSummary({ db }: { db: Db }): { unread: number; latestId: number } {
  const row = db
    .select({
      unread: sql<number>`coalesce(sum(case when ${notifications.readAt} is null then 1 else 0 end), 0)`,
      latestId: sql<number>`coalesce(max(${notifications.id}), 0)`,
    })
    .from(notifications)
    .get();
  return { unread: Number(row?.unread ?? 0), latestId: Number(row?.latestId ?? 0) };
}

/** Notifications newer than `afterId`, oldest first (what a desktop notifier has not shown). */
export function listNotificationsAfter({
  db,
  afterId,
  limit = 20,
}: {
  db: Db;
  afterId: number;
  limit?: number;
}): Notification[] {
  return db
    .select()
    .from(notifications)
    .where(gt(notifications.id, afterId))
    .orderBy(asc(notifications.id))
    .limit(limit)
    .all();
}

/** Marks the given ids read (already-read rows keep their first read time); returns how many changed. */
export function markNotificationsRead({
  db,
  ids,
  now = Date.now(),
}: {
  db: Db;
  ids: number[];
  now?: number;
}) {
  if (ids.length === 0) return 0;
  return db
    .update(notifications)
    .set({ readAt: now })
    .where(and(inArray(notifications.id, ids), isNull(notifications.readAt)))
    .run().changes;
}

export function markAllNotificationsRead({ db, now = Date.now() }: { db: Db; now?: number }): number {
  return db.update(notifications).set({ readAt: now }).where(isNull(notifications.readAt)).run().changes;
}
