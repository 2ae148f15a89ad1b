/**
 * notifyWorkflow (ID `notify-<notification id>`): delivers one notification to the outgoing
 * webhook. The ID is the "once": the activity that raised the row starts it with
 * REJECT_DUPLICATE, so a retried raise, a replayed workflow or a second console cannot deliver
 * twice; the activity retries with backoff until the receiver answers 2xx (each attempt carries
 * the same `Idempotency-Key`, for a receiver that saw an attempt whose answer was lost).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { NotifyActivities } from '../activities/notify.js';
import { webhookOptions } from './activity-options.js';
import type { NotifyInput, NotifyResult } from './contracts.js';

const notify = proxyActivities<NotifyActivities>(webhookOptions);

export async function notifyWorkflow(input: NotifyInput): Promise<NotifyResult> {
  return notify.deliverNotificationWebhook(input);
}
