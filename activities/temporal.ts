/**
 * Temporal as an outside system: the only activity module that uses the activity's Temporal
 * client. It signals workflows (a snapshot to `ratchet/<ws>`), registers a PR with its repo's
 * poller (signal-with-start of `poller/<owner>/<repo>`) and starts a notification's webhook
 * delivery (`notify-<id>`). Workflow IDs come from `core/ids.ts`, message handles from
 * `core/contracts/` (activities never import `workflows/`).
 */
import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import {
  POLLER_WORKFLOW_TYPE,
  snapshotSignal,
  watchSignal,
  type PollerInput,
  type SnapshotDelivery,
  type WatchInput,
} from '../core/contracts/poller.js';
import { workflowIds } from '../core/ids.js';

/** Must match `NOTIFY_WORKFLOW_TYPE` in workflows/contracts.ts (activities do not import workflows). */
const NOTIFY_WORKFLOW_TYPE = 'notifyWorkflow';

/** Delivers a snapshot to `ratchet/<workspaceId>`; 'gone' when that workflow no longer exists. */
export type DeliverSnapshot = (workspaceId: string, delivery: SnapshotDelivery) => Promise<'ok' | 'gone'>;

/** Starts the delivery workflow of one notification. */
export type StartDelivery = (notificationId: number) => Promise<void>;

/** Signals `snapshot` to the PR's ratchet through the running activity's client. */
export const signalRatchet: DeliverSnapshot = async (workspaceId, delivery) => {
  try {
    await Context.current()
      .client.workflow.getHandle(workflowIds.ratchet(workspaceId))
      .signal(snapshotSignal, delivery);
    return 'ok';
  } catch (err) {
    // The ratchet ended (or never started): stop watching. Anything else is a real failure: retry the activity.
    if (err instanceof WorkflowNotFoundError) return 'gone';
    throw err;
  }
};

/**
 * Starts `notify-<id>` on the running activity's task queue. A second start (the raising
 * activity's retry) is a no-op: closed deliveries count too, a notification is delivered once, ever.
 */
export const startNotifyDelivery: StartDelivery = async (notificationId) => {
  const ctx = Context.current();
  try {
    await ctx.client.workflow.start(NOTIFY_WORKFLOW_TYPE, {
      workflowId: workflowIds.notify(notificationId),
      taskQueue: ctx.info.taskQueue,
      args: [{ notificationId }],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
};

export function createTemporalActivities(deps: {
  /** Poll interval handed to a poller this process starts. @default 60000 */
  pollIntervalMs?: number;
}) {
  return {
    /** Registers a PR with its repo's poller, starting the poller if it is not running (signal-with-start). */
    async ratchetEnsureWatched(
      input: WatchInput & { owner: string; repo: string },
    ): Promise<{ pollerId: string }> {
      const ctx = Context.current();
      const pollerId = workflowIds.poller(input.owner, input.repo);
      const args: PollerInput = {
        owner: input.owner,
        repo: input.repo,
        intervalMs: deps.pollIntervalMs ?? 60_000,
      };
      await ctx.client.workflow.signalWithStart(POLLER_WORKFLOW_TYPE, {
        workflowId: pollerId,
        taskQueue: ctx.info.taskQueue,
        args: [args],
        signal: watchSignal,
        signalArgs: [{ workspaceId: input.workspaceId, number: input.number }],
      });
      return { pollerId };
    },
  };
}

export type TemporalActivities = ReturnType<typeof createTemporalActivities>;
