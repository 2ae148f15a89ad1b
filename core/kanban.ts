/**
 * The Kanban column of a workspace, with the reason the console shows: the one projection, used by
 * the board on read and stored on `pull_requests` at write time. Rules, first match wins:
 *
 * | # | When                                                        | Column   | Reason                          |
 * |---|-------------------------------------------------------------|----------|---------------------------------|
 * | 1 | workspace archiving or archived                             | archived | archived / archiving            |
 * | 2 | PR merged (from the PR, or the ratchet saw it merge)        | done     | PR #n merged                    |
 * | 3 | PR closed without merge                                     | done     | PR #n closed without merge      |
 * | 4 | workspace failed                                            | waiting  | Failed: <error>                 |
 * | 5 | setup script awaiting trust / plan awaiting approval /      | waiting  | trust / plan / the budget reason|
 * |   | budget exhausted                                            |          |                                 |
 * | 6 | worktree, setup, agent turn or push in progress             | working  | the step                        |
 * | 7 | ratchet in a person's-turn state (stalled, base red, paused, | waiting  | <ratchet state>: <its reason>   |
 * |   | awaiting review or a person, merge-ready)                   |          |                                 |
 * | 8 | ratchet in any other state (fixing, CI, backoff, merging …) | working  | <ratchet state>: <its reason>   |
 * | 9 | PR open without a ratchet, CI running                       | working  | Waiting for CI                  |
 * |10 | PR open without a ratchet, otherwise                        | waiting  | PR #n open (draft / CI failing) |
 * |11 | anything else (agent idle, no PR)                           | waiting  | Agent finished; your turn       |
 *
 * Workspace activity (6) beats the ratchet (7–8): a person's follow-up turn is the live work.
 * Done (2–3) beats failure (4): a merged PR is merged even if a later step failed.
 */
import type { CiStatus } from './ci-rollup.js';
import type { PrState } from './pr.js';
import { HUMAN_TURN_STATES, RATCHET_STATES, type RatchetState } from './ratchet/state.js';
import { WORKSPACE_STATUSES, type WorkspaceStatus } from './workspace.js';

export const KANBAN_COLUMNS = ['working', 'waiting', 'done', 'archived'] as const;
export type KanbanColumn = (typeof KANBAN_COLUMNS)[number];

export interface KanbanInput {
  workspaceStatus: WorkspaceStatus;
  /** The last error, shown for a failed workspace. */
  workspaceError?: string | null;
  /** Archived even if the status row lags (`archived_at` set). */
  archived?: boolean;
  pr?: { state: PrState; number?: number; isDraft?: boolean; ciStatus?: CiStatus | null } | null;
  ratchet?: { state: RatchetState; reason: string } | null;
}

export interface KanbanPlacement {
  column: KanbanColumn;
  reason: string;
}

const ACTIVE: Partial<Record<WorkspaceStatus, string>> = {
  creating_worktree: 'Creating worktree',
  setting_up: 'Running setup',
  agent_running: 'Agent working',
  pushing: 'Pushing',
};

/** Statuses of rule 6 (a step in progress: Working), for readers that place rows in SQL. */
export const WORKING_STATUSES = Object.keys(ACTIVE) as WorkspaceStatus[];
/** Statuses of rules 4–5 (the person's turn: Waiting). */
export const WAITING_STATUSES: readonly WorkspaceStatus[] = [
  'failed',
  'awaiting_trust',
  'awaiting_plan_approval',
  'awaiting_budget',
];

/** `fixing_ci` → `Fixing CI`. */
export function ratchetStateLabel(state: RatchetState): string {
  const words = state.replace(/_/g, ' ').replace(/\bci\b/, 'CI');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function kanbanColumn(input: KanbanInput): KanbanPlacement {
  const { workspaceStatus: status, pr, ratchet } = input;
  const prName = pr?.number !== undefined ? `PR #${pr.number}` : 'PR';
  if (status === 'archiving') return { column: 'archived', reason: 'archiving' };
  if (status === 'archived' || input.archived) return { column: 'archived', reason: 'archived' };
  if (pr?.state === 'MERGED' || ratchet?.state === 'merged')
    return { column: 'done', reason: `${prName} merged` };
  if (pr?.state === 'CLOSED' || ratchet?.state === 'closed')
    return { column: 'done', reason: `${prName} closed without merge` };
  if (status === 'failed')
    return { column: 'waiting', reason: `Failed: ${input.workspaceError ?? 'see the timeline'}` };
  if (status === 'awaiting_trust') return { column: 'waiting', reason: 'Setup script needs your approval' };
  if (status === 'awaiting_plan_approval') return { column: 'waiting', reason: 'Plan ready for approval' };
  if (status === 'awaiting_budget')
    return { column: 'waiting', reason: 'Budget reached; raise it to continue' };
  const active = ACTIVE[status];
  if (active) return { column: 'working', reason: active };
  if (ratchet) {
    const reason = `${ratchetStateLabel(ratchet.state)}: ${ratchet.reason}`;
    return { column: HUMAN_TURN_STATES.has(ratchet.state) ? 'waiting' : 'working', reason };
  }
  if (pr?.state === 'OPEN') {
    if (pr.ciStatus === 'pending') return { column: 'working', reason: 'Waiting for CI' };
    const open = pr.isDraft ? `Draft ${prName} open` : `${prName} open`;
    return { column: 'waiting', reason: pr.ciStatus === 'failure' ? `${open}; CI failing` : open };
  }
  return { column: 'waiting', reason: 'Agent finished; your turn' };
}

/** The stored columns the projection reads (the `workspaces` and `pull_requests` rows), as text. */
export interface StoredKanbanRows {
  workspace: { status: string; archivedAt: number | null; lastError: string | null };
  pr: {
    state: string;
    number: number;
    ciStatus: string | null;
    ratchetState: string | null;
    ratchetReason: string | null;
  } | null;
}

const ROW_PR_STATE: Record<string, PrState> = {
  open: 'OPEN',
  draft: 'OPEN',
  merged: 'MERGED',
  closed: 'CLOSED',
};
const ROW_CI: ReadonlySet<string> = new Set(['success', 'failure', 'pending', 'none']);
const known = <T extends string>(values: readonly T[], v: string | null): T | null =>
  v !== null && (values as readonly string[]).includes(v) ? (v as T) : null;

/**
 * `kanbanColumn` from stored rows. A value this build does not know (a row written by an older or
 * newer build) is placed conservatively instead of failing: an unknown status reads as idle, an
 * unknown ratchet state or CI status as absent.
 */
export function kanbanFromRows({ workspace, pr }: StoredKanbanRows): KanbanPlacement {
  const ratchetState = pr ? known(RATCHET_STATES, pr.ratchetState) : null;
  return kanbanColumn({
    workspaceStatus: known(WORKSPACE_STATUSES, workspace.status) ?? 'idle',
    workspaceError: workspace.lastError,
    archived: workspace.archivedAt !== null,
    pr: pr
      ? {
          state: ROW_PR_STATE[pr.state] ?? 'OPEN',
          number: pr.number,
          isDraft: pr.state === 'draft',
          ciStatus: pr.ciStatus !== null && ROW_CI.has(pr.ciStatus) ? (pr.ciStatus as CiStatus) : null,
        }
      : null,
    ratchet: ratchetState ? { state: ratchetState, reason: pr?.ratchetReason ?? '' } : null,
  });
}
