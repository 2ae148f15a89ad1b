/**
 * The board: WORKING / WAITING / DONE with a reason, derived on read from the workspace and PR rows
 * by the one Kanban projection in `core/kanban.ts` (the same function writes `pull_requests`'
 * kanban columns), so the board and the read model never disagree. Archived workspaces leave it.
 */
import { kanbanFromRows } from '../../core/kanban.js';
import type { PullRequest, Workspace } from '../../db/schema.js';

export const COLUMNS = ['working', 'waiting', 'done'] as const;
export type Column = (typeof COLUMNS)[number];

export type Placement = { column: Column; reason: string } | { column: null; reason: 'archived' };

export function placeWorkspace(
  ws: Pick<Workspace, 'status' | 'archivedAt' | 'lastError'>,
  pr: Pick<PullRequest, 'state' | 'number' | 'ciStatus' | 'ratchetState' | 'ratchetReason'> | null,
): Placement {
  const placement = kanbanFromRows({ workspace: ws, pr });
  return placement.column === 'archived'
    ? { column: null, reason: 'archived' }
    : { column: placement.column, reason: placement.reason };
}
