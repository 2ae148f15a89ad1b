/**
 * Steering a PR's ratchet loop from the console: pause it, resume it, or retry (resume and forget
 * the attempt counts and open questions, so a stalled or asking loop tries again on the same
 * snapshot). Each is a signal to `ratchet/<workspaceId>`; the loop records its next decision
 * itself, so the read model and the timeline follow without the console writing anything.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { workflowIds } from '../../core/ids.js';
import type { Db } from '../../db/client.js';
import { getWorkspaceById } from '../../db/queries/workspaces.js';
import { pauseSignal, resumeSignal } from '../../workflows/ratchet-messages.js';
import { DomainError } from './errors.js';
import { isArchived, workspaceIdSchema } from './workspaces.js';

export const RATCHET_CONTROL_ACTIONS = ['pause', 'resume', 'retry'] as const;
export const ratchetControlActionSchema = z.enum(RATCHET_CONTROL_ACTIONS);
export type RatchetControlAction = z.infer<typeof ratchetControlActionSchema>;

export interface RatchetControlResult {
  action: RatchetControlAction;
  workflowId: string;
}

/**
 * Signals the loop. Refuses an unknown workspace (404), an archived one (409, like every other
 * action) and one without a running loop (404 `RatchetNotFound`: no PR yet, ratchet off, or the
 * loop ended). The effect is asynchronous: the loop applies the signal on its next workflow task.
 */
export async function controlRatchet({
  db,
  client,
  workspaceId,
  action,
}: {
  db: Db;
  client: Client;
  workspaceId: string;
  action: RatchetControlAction;
}): Promise<RatchetControlResult> {
  const id = workspaceIdSchema.parse(workspaceId);
  const row = getWorkspaceById({ db, id });
  if (!row) throw new DomainError('WorkspaceNotFound', `No workspace with id ${id}.`);
  if (isArchived(row)) {
    throw new DomainError('NotApplicable', `Workspace "${row.title}" is archived.`);
  }
  const workflowId = workflowIds.ratchet(id);
  const handle = client.workflow.getHandle(workflowId);
  try {
    if (action === 'pause') await handle.signal(pauseSignal);
    else await handle.signal(resumeSignal, { resetAttempts: action === 'retry' });
  } catch (err) {
    // Temporal answers NOT_FOUND both for a loop that never started and for one that has ended.
    if (err instanceof WorkflowNotFoundError) {
      throw new DomainError(
        'RatchetNotFound',
        `Workspace "${row.title}" has no running ratchet loop (${workflowId}): its pull request is not open yet, the ratchet is off, or the loop has ended.`,
      );
    }
    throw err;
  }
  return { action, workflowId };
}
