/**
 * notifyWorkflow (ID `notify-<notification id>`): delivers one notification to the outgoing
 * webhook. The ID is the "once": the activity that raised the row starts it with
 * REJECT_DUPLICATE, so a retried raise, a replayed workflow or a second console cannot deliver
 * twice; the activity retries with backoff until the receiver answers 2xx (each attempt carries
 * the same `Idempotency-Key`, for a receiver that saw an attempt whose answer was lost).
 */
import { proxyActivities } from '@temporalio/workflow';
import type { NotifyActivities } from '../activities/notify.js';
import type { NotifyInput, NotifyResult } from './contracts.js';

// One POST per attempt, bounded by the activity's own request timeout (10 s).
const notify = proxyActivities<NotifyActivities>({
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '10m',
    maximumAttempts: 20,
    nonRetryableErrorTypes: ['WebhookRefused'],
  },
});

export async function notifyWorkflow(input: NotifyInput): Promise<NotifyResult> {
  return notify.deliverNotificationWebhook(input);
}
