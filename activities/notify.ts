/**
 * Notifications: raising a row once (every writer goes through `createNotifier`) and the outgoing
 * webhook (an outside system of its own). Raising starts `notify-<id>` when a webhook URL is set;
 * `deliverNotificationWebhook` POSTs one notification as JSON with a Slack-style `text` field.
 * The URL is a secret: it is read from settings at delivery, never logged, and kept out of errors
 * (which Temporal stores in the workflow's history).
 */
import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowIdReusePolicy } from '@temporalio/common';
import { ErrorTypes } from '../core/errors.js';
import { workflowIds } from '../core/ids.js';
import { webhookPayload } from '../core/notifications.js';
import type { Db } from '../db/client.js';
import {
  getNotification,
  getNotificationByDedupeKey,
  insertNotificationOnce,
} from '../db/queries/notifications.js';
import { getConsoleSettings } from '../db/queries/settings.js';
import { getWorkspaceById } from '../db/queries/workspaces.js';

/** Must match `NOTIFY_WORKFLOW_TYPE` in workflows/contracts.ts (activities do not import workflows). */
const NOTIFY_WORKFLOW_TYPE = 'notifyWorkflow';

/** @default 10000 */
export const WEBHOOK_TIMEOUT_MS = 10_000;

export interface NotificationInput {
  workspaceId: string | null;
  level: 'info' | 'warn' | 'error';
  title: string;
  body: string;
  dedupeKey: string;
}

/** Starts the delivery workflow of one notification; the default uses the activity's own client. */
export type StartDelivery = (notificationId: number) => Promise<void>;

const startFromActivity: StartDelivery = async (notificationId) => {
  const ctx = Context.current();
  try {
    await ctx.client.workflow.start(NOTIFY_WORKFLOW_TYPE, {
      workflowId: workflowIds.notify(notificationId),
      taskQueue: ctx.info.taskQueue,
      args: [{ notificationId }],
      // Closed deliveries count too: a notification is delivered once, ever.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
};

export function createNotifier({
  db,
  startDelivery = startFromActivity,
}: {
  db: Db;
  startDelivery?: StartDelivery;
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
