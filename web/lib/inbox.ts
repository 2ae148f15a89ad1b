/**
 * The inbox: notifications across workspaces, the unread count, mark read, and the live channel
 * that keeps the navigation badge (and the desktop notifier) current without polling from the
 * browser: one ticker per console process reads `inboxSummary` while anyone listens and fans out
 * a frame only when it changed.
 */
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import {
  inboxSummary,
  listInbox,
  listNotificationsAfter,
  markAllNotificationsRead,
  markNotificationsRead,
  type InboxItem,
} from '../../db/queries/notifications.js';
import { notificationKind } from '../../core/notifications.js';

export const inboxQuerySchema = z.object({
  unread: z.enum(['0', '1']).optional(),
  before: z.coerce.number().int().positive().optional(),
});

export const markReadBodySchema = z.union([
  z.object({ all: z.literal(true) }).strict(),
  z.object({ ids: z.array(z.number().int().positive()).min(1).max(500) }).strict(),
]);
export type MarkReadBody = z.infer<typeof markReadBodySchema>;

export interface InboxEntry {
  id: number;
  kind: string;
  level: string;
  title: string;
  body: string;
  workspaceId: string | null;
  workspaceTitle: string | null;
  createdAt: number;
  readAt: number | null;
}

export const INBOX_PAGE = 100;

function entry(
  n: InboxItem | (Omit<InboxItem, 'workspaceTitle'> & { workspaceTitle?: string | null }),
): InboxEntry {
  return {
    id: n.id,
    kind: notificationKind(n.dedupeKey),
    level: n.level,
    title: n.title,
    body: n.body,
    workspaceId: n.workspaceId,
    workspaceTitle: n.workspaceTitle ?? null,
    createdAt: n.createdAt,
    readAt: n.readAt,
  };
}

export function getInbox({
  db,
  unreadOnly = false,
  beforeId,
}: {
  db: Db;
  unreadOnly?: boolean;
  beforeId?: number;
}) {
  const items = listInbox({ db, limit: INBOX_PAGE, unreadOnly, ...(beforeId ? { beforeId } : {}) }).map(
    entry,
  );
  return {
    items,
    ...inboxSummary({ db }),
    nextBefore: items.length === INBOX_PAGE ? items[items.length - 1]!.id : null,
  };
}

export function markRead({ db, body }: { db: Db; body: MarkReadBody }) {
  const changed =
    'all' in body ? markAllNotificationsRead({ db }) : markNotificationsRead({ db, ids: body.ids });
  return { changed, ...inboxSummary({ db }) };
}

/** @default 250 */
export const INBOX_TICK_MS = 250;

type Send = (frame: string) => void;
interface Hub {
  subscribers: Set<Send>;
  timer: ReturnType<typeof setInterval> | null;
  last: { unread: number; latestId: number };
}
const hubState = globalThis as unknown as { __ratchetInboxLive?: Hub };

const frame = (data: unknown) => `event: inbox\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Subscribes to the inbox: an `inbox` frame `{ unread, latestId, fresh }` at once (`fresh` empty)
 * and whenever the count or the newest id changes; `fresh` then holds the notifications raised
 * since the previous frame (at most 20), which is what a desktop notifier shows.
 */
export function subscribeInbox(db: Db, send: Send): () => void {
  hubState.__ratchetInboxLive ??= { subscribers: new Set(), timer: null, last: { unread: 0, latestId: 0 } };
  const hub = hubState.__ratchetInboxLive;
  const now = inboxSummary({ db });
  if (!hub.timer) hub.last = now;
  send(frame({ ...now, fresh: [] }));
  hub.subscribers.add(send);
  hub.timer ??= setInterval(() => {
    let next: { unread: number; latestId: number };
    try {
      next = inboxSummary({ db });
    } catch {
      return;
    }
    if (next.unread === hub.last.unread && next.latestId === hub.last.latestId) return;
    const fresh =
      next.latestId > hub.last.latestId
        ? listNotificationsAfter({ db, afterId: hub.last.latestId }).map((n) => entry(n))
        : [];
    hub.last = next;
    const data = frame({ ...next, fresh });
    for (const s of hub.subscribers) {
      try {
        s(data);
      } catch {
        hub.subscribers.delete(s);
      }
    }
  }, INBOX_TICK_MS);
  return () => {
    hub.subscribers.delete(send);
    if (hub.subscribers.size === 0 && hub.timer) {
      clearInterval(hub.timer);
      hub.timer = null;
    }
  };
}
