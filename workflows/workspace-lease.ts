/**
 * The effects of the worktree lease (`core/worktree-lease.ts` holds its state): the grant and
 * refusal signals to fixers and the `worktree.lent` / `worktree.returned` timeline rows. Called by
 * the workspace workflow between turns and when archiving, never during a turn.
 */
import { getExternalWorkflowHandle } from '@temporalio/workflow';
import { worktreeGrantSignal } from './messages.js';
import type { WorkspaceRun } from './workspace-run.js';

/** Lends the worktree to the next waiting fixer that is still there to take it. */
export async function lendWorktree(run: WorkspaceRun): Promise<void> {
  for (let next = run.lease.takeNext(); next !== null; next = run.lease.takeNext()) {
    try {
      await getExternalWorkflowHandle(next.workflowId).signal(worktreeGrantSignal, {
        holder: next.holder,
        granted: true,
      });
    } catch {
      continue; // That fixer is gone; nobody to lend to.
    }
    run.lease.lend(next);
    await run.event('worktree.lent', `Worktree lent to ${next.holder}`, { what: 'lent' });
  }
}

/** Records the return of the worktree once its holder released it. */
export async function noteReturned(run: WorkspaceRun): Promise<void> {
  const returned = run.lease.takeReturned();
  if (returned === null) return;
  await run.event('worktree.returned', `Worktree returned by ${returned}`, { what: 'returned' });
}

/** Archiving: fixers still waiting will not get the worktree; one holding it finishes first. */
export async function refuseWaitingFixers(run: WorkspaceRun): Promise<void> {
  for (const w of run.lease.takeAllWaiting()) {
    await getExternalWorkflowHandle(w.workflowId)
      .signal(worktreeGrantSignal, {
        holder: w.holder,
        granted: false,
        reason: 'the workspace is being archived',
      })
      .catch(() => undefined);
  }
}
