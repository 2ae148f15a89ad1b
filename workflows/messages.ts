/**
 * Message handles of the workspace workflow. Importable from the console (Temporal client) as well
 * as from workflow code: it defines names and types only.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DecideTrustInput } from '../core/script-trust.js';
import type {
  QueueMessageInput,
  SendMessageInput,
  WorkspaceState,
  WorktreeRequest,
} from '../core/workspace.js';

/** Runs another agent turn with this message; resolves with the turn number it was queued as. */
export const sendMessageUpdate = defineUpdate<{ turn: number }, [SendMessageInput]>('sendMessage');
/**
 * Queues a follow-up without waiting for a worker (a signal is durable once the server has it).
 * `key` is the client's idempotency key: a second signal with a key already seen is dropped.
 */
export const queueMessageSignal = defineSignal<[QueueMessageInput]>('queueMessage');
/**
 * The person's answer to the plan produced in plan mode: `approve` (the default) runs agent mode
 * with it and the note; `reject` discards it (the workspace goes idle); `revise` sends the note to
 * the agent, which plans again and waits for another answer.
 */
export const approvePlanUpdate = defineUpdate<
  { approved: boolean },
  [{ note?: string; decision?: PlanDecision }]
>('approvePlan');
export type PlanDecision = 'approve' | 'reject' | 'revise';
/**
 * Raises the workspace budget (USD) while it waits in `awaiting_budget`, or cancels the wait, or
 * (`recheck`) tries again with the caps as they are now: the console sends this after the daily
 * budget changed in Settings.
 */
export const budgetUpdate = defineUpdate<
  { budgetUsd: number | null },
  [{ budgetUsd?: number; cancel?: boolean; recheck?: boolean }]
>('budget');
/**
 * The person's answer while the workspace waits in `awaiting_trust`: `approve` records trust for
 * the pending script's exact text and runs it, `skip` continues without it. Refused unless
 * `sha256` is the pending script's (see `trustDecisionRefusal` in core/script-trust.ts).
 */
export const decideTrustUpdate = defineUpdate<{ decision: DecideTrustInput['decision'] }, [DecideTrustInput]>(
  'decideTrust',
);
/**
 * Opens the pull request now, without the ratchet loop (a workspace started with the ratchet
 * off): the branch must have been pushed. Idempotent: a second request finds the same PR.
 */
export const openPrSignal = defineSignal<[]>('openPr');

/**
 * Stops the running agent turn (an implementation, follow-up or plan session): the workflow cancels
 * the agent activity, which kills its subprocess or aborts its model call; what was said stays in
 * the transcript, the session ends `cancelled`, and the workspace goes back to idle. Refused
 * (the console answers 409) when no agent turn is running.
 */
export const stopTurnUpdate = defineUpdate<
  { stopped: true; turn: number; sessionId: string },
  [StopTurnInput]
>('stopTurn');
export interface StopTurnInput {
  /** Shown in the timeline event. */
  reason?: string;
}

/** Removes the worktree (the branch is kept) and ends the workflow. */
export const archiveSignal = defineSignal<[]>('archive');
export const stateQuery = defineQuery<WorkspaceState>('state');
/** A fixer asks for the worktree; the workspace workflow answers with `worktreeGrantSignal` when it is free. */
export const requestWorktreeSignal = defineSignal<[WorktreeRequest]>('requestWorktree');
/** The holder gives the worktree back (sent by the fixer, and again by the ratchet when the fixer closes). */
export const releaseWorktreeSignal = defineSignal<[{ holder: string }]>('releaseWorktree');
/** Sent to the requesting fixer: `granted: false` when the workspace is archived or gone. */
export const worktreeGrantSignal =
  defineSignal<[{ holder: string; granted: boolean; reason?: string }]>('worktreeGrant');

export const WORKSPACE_WORKFLOW_TYPE = 'workspaceWorkflow';
