/**
 * Raising a notification: the row once per dedupe key and, when a webhook URL is set, the start
 * of its delivery (`notify-<id>`, by the injected `startDelivery`: the Temporal module's
 * `startNotifyDelivery` in the worker). Every writer of `notifications` goes through this.
 */
import type { Db } from '../../db/client.js';
import { getNotificationByDedupeKey, insertNotificationOnce } from '../../db/queries/notifications.js';
import { getConsoleSettings } from '../../db/queries/settings.js';

export interface NotificationInput {
  workspaceId: string | null;
  level: 'info' | 'warn' | 'error';
  title: string;
  body: string;
  dedupeKey: string;
}

export function createNotifier({
  db,
  startDelivery,
}: {
  db: Db;
  /** Starts the webhook delivery of one notification (a second start must be a no-op). */
  startDelivery: (notificationId: number) => Promise<void>;
}) {
  return {
    /**
     * Inserts the row once per dedupe key and, when a webhook is configured, starts its delivery.
     * A retry after a crash between the two finds the row and starts the delivery then (the
     * workflow ID makes a second start a no-op).
     */
    async raise(row: NotificationInput): Promise<{ created: boolean; id: number | null }> {
      const created = insertNotificationOnce({ db, row });
      const stored = getNotificationByDedupeKey({ db, dedupeKey: row.dedupeKey });
      if (!stored) return { created, id: null };
      if (getConsoleSettings({ db }).values['notify.webhookUrl'] !== null) await startDelivery(stored.id);
      return { created, id: stored.id };
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
