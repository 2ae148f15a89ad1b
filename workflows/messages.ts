/**
 * Message handles of the workspace workflow. Importable from the console (Temporal client) as well
 * as from workflow code: it defines names and types only.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { SendMessageInput, WorkspaceState } from '../core/workspace.js';

/** Runs another agent turn with this message; resolves with the turn number it was queued as. */
export const sendMessageUpdate = defineUpdate<{ turn: number }, [SendMessageInput]>('sendMessage');
/** Approves the plan produced in plan mode; the workflow then runs agent mode with it. */
export const approvePlanUpdate = defineUpdate<{ approved: boolean }, [{ note?: string }]>('approvePlan');
/** Raises the workspace budget (USD) while it waits in `awaiting_budget`, or cancels the wait. */
export const budgetUpdate = defineUpdate<{ budgetUsd: number | null }, [{ budgetUsd?: number; cancel?: boolean }]>('budget');
/** Removes the worktree (the branch is kept) and ends the workflow. */
export const archiveSignal = defineSignal<[]>('archive');
export const stateQuery = defineQuery<WorkspaceState>('state');

export const WORKSPACE_WORKFLOW_TYPE = 'workspaceWorkflow';
