/**
 * workspaceWorkflow (ID `workspace/<id>`), in four phases:
 *
 *   start    worktree → trust → setup (`workspace-start.ts`)
 *   turns    the queue, the lease lent to fixers between turns, budget waits, plan approval, the
 *            turn, commit and push (`workspace-turns.ts`, `workspace-lease.ts`)
 *   PR       open the PR and start the ratchet after the first pushed turn, adopt a PR, open one on
 *            request (`workspace-pr.ts`)
 *   archive  stop the ratchet, refuse waiting fixers, wait for the holder, remove the worktree
 *            (`workspace-archive.ts`)
 *
 * Temporal holds the progress; every transition is written to the read model through the store
 * activities, keyed so a replay writes nothing twice. Decisions are pure (`core/workspace-steps.ts`,
 * the lease in `core/worktree-lease.ts`); this file is the sequence.
 */
import {
  ApplicationFailure,
  ContinueAsNew,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  workflowInfo,
} from '@temporalio/workflow';
import { ErrorTypes } from '../core/errors.js';
import { formatZodIssues } from '../core/config.js';
import {
  workspaceTimingsSchema,
  workspaceWorkflowInputSchema,
  type WorkspaceState,
  type WorkspaceWorkflowInput,
} from '../core/workspace.js';
import { continuesAsNew, nextWorkspaceStep } from '../core/workspace-steps.js';
import { archiveWorkspace } from './workspace-archive.js';
import { registerWorkspaceHandlers } from './workspace-handlers.js';
import { lendWorktree, noteReturned } from './workspace-lease.js';
import { answerOpenPrRequest } from './workspace-pr.js';
import { WorkspaceRun } from './workspace-run.js';
import { startWorkspace } from './workspace-start.js';
import { runTurn } from './workspace-turns.js';

/**
 * Continue-as-new is thrown through the workflow's `catch`; before this patch the catch recorded
 * it as a failure (status `failed`, an activity run after the new run's input was fixed, so a
 * follow-up accepted meanwhile was left behind in the closing run). Now it is rethrown untouched.
 */
const CAN_NOT_A_FAILURE_PATCH = 'can-not-a-failure';

export async function workspaceWorkflow(rawInput: WorkspaceWorkflowInput): Promise<WorkspaceState> {
  // Input comes from outside (console, API): refuse it with the field named, before any side effect.
  const parsed = workspaceWorkflowInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(
      `Invalid workspace input: ${formatZodIssues(parsed.error, 'input')}`,
      ErrorTypes.ConfigInvalid,
    );
  }
  const input = parsed.data;
  const run = new WorkspaceRun({ ...input, timings: workspaceTimingsSchema.parse(input.timings ?? {}) });
  registerWorkspaceHandlers(run);

  try {
    if (!input.resume) await startWorkspace(run);
    for (;;) {
      const step = () =>
        nextWorkspaceStep({
          archiveRequested: run.requests.archive,
          openPrRequested: run.requests.openPr,
          worktreeFree: run.lease.isFree,
          fixersWaiting: run.lease.hasWaiting,
          turnsQueued: run.queue.length > 0,
        });
      await condition(() => step() !== 'wait');
      await noteReturned(run);
      const next = step(); // again: the return was recorded meanwhile
      if (next === 'archive') break;
      if (next === 'open_pr') await answerOpenPrRequest(run);
      if (next === 'lend') await lendWorktree(run);
      if (next !== 'turn') continue;
      await runTurn(run, run.queue[0]!);
      run.queue.shift();
      if (
        continuesAsNew(run.state.turnsDone - run.turnsAtStart, () => workflowInfo().continueAsNewSuggested)
      ) {
        // The new input is built in this activation: nothing can be accepted in between.
        await condition(allHandlersFinished);
        return await continueAsNew<typeof workspaceWorkflow>({
          ...input,
          resume: {
            turnsDone: run.state.turnsDone,
            pending: run.queue.map((q) => q.text),
            lastCommit: run.state.lastCommit,
            lease: run.lease.carry(),
            messageKeys: run.messageKeys,
          },
        });
      }
    }
    await archiveWorkspace(run);
    await condition(allHandlersFinished);
    return { ...run.state, pendingMessages: run.queue.length };
  } catch (err) {
    if (err instanceof ContinueAsNew && patched(CAN_NOT_A_FAILURE_PATCH)) throw err;
    // A non-retryable failure (bad repo, path escape, ...) ends the workflow visibly, not silently.
    const message =
      err instanceof ApplicationFailure ? err.message : err instanceof Error ? err.message : String(err);
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    await run.setStatus('failed', `Workspace failed: ${cause ?? message}`, 'error', cause ?? message);
    throw err;
  }
}
