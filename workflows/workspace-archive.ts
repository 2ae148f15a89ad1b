/**
 * Phase 4, archive: the PR's ratchet loop is stopped first (no new fixer into a worktree about to
 * go, the running one cancelled), waiting fixers are refused, a holding fixer is waited for, then
 * the worktree is removed and the branch kept.
 */
import { condition, getExternalWorkflowHandle, patched } from '@temporalio/workflow';
import { workflowIds } from '../core/ids.js';
import { stopSignal } from './ratchet-messages.js';
import { noteReturned, refuseWaitingFixers } from './workspace-lease.js';
import type { WorkspaceRun } from './workspace-run.js';

/** Archiving signals `stop` to the PR's ratchet loop first (before it, the loop kept dispatching fixers into a removed worktree). */
const ARCHIVE_STOPS_RATCHET_PATCH = 'archive-stops-ratchet';

export async function archiveWorkspace(run: WorkspaceRun): Promise<void> {
  const { spec, lease } = run;
  if (patched(ARCHIVE_STOPS_RATCHET_PATCH)) {
    await getExternalWorkflowHandle(workflowIds.ratchet(spec.workspaceId))
      .signal(stopSignal, { reason: 'the workspace was archived' })
      .catch(() => undefined); // No loop (no PR, ratchet off, or it ended): nothing to stop.
  }
  await refuseWaitingFixers(run);
  if (!lease.isFree) {
    await run.setStatus('archiving', `Archiving once ${lease.heldBy} returns the worktree`);
    await condition(() => lease.isFree);
    await noteReturned(run);
  }
  await run.setStatus('archiving', 'Archiving: removing the worktree, keeping the branch');
  await run.acts.git.archiveWorktree({
    workspaceId: spec.workspaceId,
    repoPath: spec.repoPath,
    worktreeRoot: spec.worktreeRoot,
    worktreePath: spec.worktreePath,
  });
  run.state.archived = true;
  await run.setStatus('archived', `Archived; branch ${spec.branch} kept`);
}
