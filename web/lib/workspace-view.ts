/**
 * What the workspace page and `GET /api/workspaces/:id` show. Only the workflow writes the row, so
 * for a moment after a start there is a workflow and no row: that is `starting`, not 404.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { workflowIds } from '../../core/ids.js';
import type { Db } from '../../db/client.js';
import { DomainError } from './errors.js';
import { getWorkspaceDetail, type WorkspaceDetail } from '../../db/queries/workspace-page.js';

export type WorkspaceView =
  | ({ state: 'ready' } & WorkspaceDetail)
  | { state: 'starting'; workspaceId: string; workflowId: string; workflowStatus: string };

export async function getWorkspaceView({
  db,
  client,
  id,
}: {
  db: Db;
  client: () => Promise<Client>;
  id: string;
}): Promise<WorkspaceView> {
  const detail = getWorkspaceDetail(db, id);
  if (detail) return { state: 'ready', ...detail };
  const workflowId = workflowIds.workspace(id);
  try {
    const description = await (await client()).workflow.getHandle(workflowId).describe();
    return { state: 'starting', workspaceId: id, workflowId, workflowStatus: description.status.name };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw new DomainError('WorkspaceNotFound', `No workspace with id ${id}.`);
    throw err;
  }
}
