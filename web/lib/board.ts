/**
 * The board's Kanban projection: WORKING / WAITING / DONE with a reason, derived on read and never
 * stored. Rules are tried in order; the first match wins. A PR's column, when the ratchet loop has
 * written one (`pull_requests.kanban_column`), wins over the workspace status once the agent is idle.
 */
import type { PullRequest, Workspace } from '../../db/schema.js';

export const COLUMNS = ['working', 'waiting', 'done'] as const;
export type Column = (typeof COLUMNS)[number];

export type Placement = { column: Column; reason: string } | { column: null; reason: 'archived' };

const ACTIVE: Record<string, string> = {
  creating_worktree: 'Creating worktree',
  setting_up: 'Running setup',
  agent_running: 'Agent working',
  pushing: 'Pushing',
};

export function placeWorkspace(
  ws: Pick<Workspace, 'status' | 'statusReason' | 'archivedAt' | 'lastError'>,
  pr: Pick<PullRequest, 'state' | 'number' | 'kanbanColumn' | 'kanbanReason' | 'ciStatus'> | null,
): Placement {
  // 1. Archived or archiving workspaces leave the board.
  if (ws.archivedAt !== null || ws.status === 'archived' || ws.status === 'archiving')
    return { column: null, reason: 'archived' };
  // 2. A merged or closed PR is finished work.
  if (pr?.state === 'merged') return { column: 'done', reason: `PR #${pr.number} merged` };
  if (pr?.state === 'closed') return { column: 'done', reason: `PR #${pr.number} closed` };
  // 3. Anything that needs a person.
  if (ws.status === 'awaiting_plan_approval') return { column: 'waiting', reason: 'Plan ready for approval' };
  if (ws.status === 'awaiting_budget')
    return { column: 'waiting', reason: ws.statusReason ?? 'Budget reached' };
  if (ws.status === 'failed')
    return { column: 'waiting', reason: `Failed: ${ws.lastError ?? ws.statusReason ?? 'see timeline'}` };
  // 4. The agent or git is busy.
  const active = ACTIVE[ws.status];
  if (active) return { column: 'working', reason: ws.statusReason ?? active };
  // 5. The ratchet loop's own projection of the PR.
  const prColumn = pr?.kanbanColumn?.toLowerCase();
  if (pr && (prColumn === 'working' || prColumn === 'waiting' || prColumn === 'done')) {
    return { column: prColumn, reason: pr.kanbanReason ?? `PR #${pr.number}` };
  }
  if (pr)
    return pr.ciStatus === 'pending'
      ? { column: 'working', reason: 'Waiting for CI' }
      : { column: 'waiting', reason: `PR #${pr.number} open` };
  // 6. Nothing running and no PR: idle until someone sends a follow-up.
  return { column: 'waiting', reason: ws.statusReason ?? 'Idle' };
}
