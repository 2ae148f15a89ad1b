/**
 * The board: WORKING / WAITING / DONE with a reason, derived on read from the workspace and PR rows
 * by the one Kanban projection in `core/kanban.ts` (the same function writes `pull_requests`'
 * kanban columns), so the board and the read model never disagree. Archived workspaces leave it.
 */
import { kanbanColumn } from '../../core/kanban.js';
import type { PrState } from '../../core/pr.js';
import { RATCHET_STATES, type RatchetState } from '../../core/ratchet/state.js';
import { WORKSPACE_STATUSES, type WorkspaceStatus } from '../../core/workspace.js';
import type { PullRequest, Workspace } from '../../db/schema.js';

export const COLUMNS = ['working', 'waiting', 'done'] as const;
export type Column = (typeof COLUMNS)[number];

export type Placement = { column: Column; reason: string } | { column: null; reason: 'archived' };

const PR_STATE: Record<string, PrState> = { open: 'OPEN', draft: 'OPEN', merged: 'MERGED', closed: 'CLOSED' };
const CI = new Set(['success', 'failure', 'pending', 'none']);

export function placeWorkspace(
  ws: Pick<Workspace, 'status' | 'archivedAt' | 'lastError'>,
  pr: Pick<PullRequest, 'state' | 'number' | 'ciStatus' | 'ratchetState' | 'ratchetReason'> | null,
): Placement {
  // Rows written by an older or newer build may hold values this one does not know: place them
  // conservatively rather than fail the whole board.
  const status = (WORKSPACE_STATUSES as readonly string[]).includes(ws.status) ? (ws.status as WorkspaceStatus) : 'idle';
  const ratchetState = pr && (RATCHET_STATES as readonly string[]).includes(pr.ratchetState ?? '') ? (pr.ratchetState as RatchetState) : null;
  const placement = kanbanColumn({
    workspaceStatus: status,
    workspaceError: ws.lastError,
    archived: ws.archivedAt !== null,
    pr: pr
      ? {
          state: PR_STATE[pr.state] ?? 'OPEN',
          number: pr.number,
          isDraft: pr.state === 'draft',
          ciStatus: pr.ciStatus && CI.has(pr.ciStatus) ? (pr.ciStatus as 'success' | 'failure' | 'pending' | 'none') : null,
        }
      : null,
    ratchet: ratchetState ? { state: ratchetState, reason: pr?.ratchetReason ?? '' } : null,
  });
  return placement.column === 'archived' ? { column: null, reason: 'archived' } : { column: placement.column, reason: placement.reason };
}
