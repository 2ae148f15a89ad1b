/**
 * The outgoing notification webhook (an outside system of its own). A notification is raised by
 * the store (`activities/store/notifier.ts`), which starts `notify-<id>` through the Temporal
 * module when a webhook URL is set; `deliverNotificationWebhook` POSTs one notification as JSON
 * with a Slack-style `text` field. The URL is a secret: it is read from settings at delivery,
 * never logged, and kept out of errors (which Temporal stores in the workflow's history).
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorTypes } from '../core/errors.js';
import { workflowIds } from '../core/ids.js';
import { webhookPayload } from '../core/notifications.js';
import type { Db } from '../db/client.js';
import { getNotification } from '../db/queries/notifications.js';
import { getConsoleSettings } from '../db/queries/settings.js';
import { getWorkspaceById } from '../db/queries/workspaces.js';

/** @default 10000 */
export const WEBHOOK_TIMEOUT_MS = 10_000;

export function createNotifyActivities({
  db,
  consoleUrl,
  fetchImpl = fetch,
}: {
  db: Db;
  /** The console's base URL, for the link in each message (`http://127.0.0.1:3000`). */
  consoleUrl: string;
  fetchImpl?: typeof fetch;
}) {
  return {
    async deliverNotificationWebhook({
      notificationId,
    }: {
      notificationId: number;
    }): Promise<
      | { delivered: true; status: number; attempt: number }
      | { delivered: false; reason: 'no_webhook' | 'notification_gone' }
    > {
      const url = getConsoleSettings({ db }).values['notify.webhookUrl'];
      if (url === null) return { delivered: false, reason: 'no_webhook' };
      const row = getNotification({ db, id: notificationId });
      if (!row) return { delivered: false, reason: 'notification_gone' };
      const workspaceTitle = row.workspaceId
        ? (getWorkspaceById({ db, id: row.workspaceId })?.title ?? null)
        : null;
      const body = webhookPayload({ notification: row, workspaceTitle, consoleUrl });
      let attempt = 1;
      try {
        attempt = Context.current().info.attempt;
      } catch {
        // Called outside an activity (a unit test): attempt 1.
      }
      let res: Response;
      try {
        res = await fetchImpl(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'Ratchet-Webhook/1',
            'idempotency-key': workflowIds.notify(notificationId),
            'x-ratchet-attempt': String(attempt),
          },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
          redirect: 'error',
        });
      } catch (err) {
        // Never the URL: only what kind of failure it was.
        const code = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
        throw ApplicationFailure.retryable(`webhook request failed (${code})`, 'WebhookUnavailable');
      }
      await res.body?.cancel().catch(() => undefined);
      if (res.ok) return { delivered: true, status: res.status, attempt };
      if (res.status === 408 || res.status === 429 || res.status >= 500) {
        throw ApplicationFailure.retryable(`webhook answered HTTP ${res.status}`, 'WebhookUnavailable');
      }
      throw ApplicationFailure.nonRetryable(
        `webhook refused the notification with HTTP ${res.status}; check the URL in Settings`,
        ErrorTypes.WebhookRefused,
      );
    },
  };
}

export type NotifyActivities = ReturnType<typeof createNotifyActivities>;
