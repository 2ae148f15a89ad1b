/**
 * The Kanban column of a workspace: an ordered projection, derived at write time, never edited.
 * Rules, first match wins:
 *
 * | # | When                                                        | Column   | Reason                    |
 * |---|-------------------------------------------------------------|----------|---------------------------|
 * | 1 | workspace archiving or archived                             | archived | archived / archiving      |
 * | 2 | PR merged (from the PR, or the ratchet saw it merge)        | done     | merged                    |
 * | 3 | PR closed without merge                                     | done     | closed                    |
 * | 4 | workspace failed                                            | waiting  | failed: <reason>          |
 * | 5 | plan awaiting approval / budget exhausted                   | waiting  | plan / budget approval    |
 * | 6 | worktree, setup, agent turn or push in progress             | working  | the step                  |
 * | 7 | ratchet in a person's-turn state (stalled, base red, paused, | waiting  | ratchet reason            |
 * |   | awaiting review or a person, merge-ready)                   |          |                           |
 * | 8 | ratchet in any other state (fixing, CI, backoff, merging …) | working  | ratchet reason            |
 * | 9 | PR open without a ratchet, CI running                       | working  | CI running                |
 * |10 | PR open without a ratchet, otherwise                        | waiting  | CI failing / draft PR open|
 * |   |                                                             |          | / ready for review        |
 * |11 | anything else (agent idle, no PR)                           | waiting  | agent finished; your turn |
 *
 * Workspace activity (6) beats the ratchet (7–8): a person's follow-up turn is the live work.
 * Done (2–3) beats failure (4): a merged PR is merged even if a later step failed.
 */
import type { CiStatus } from './ci-rollup.js';
import type { PrState } from './pr.js';
import { HUMAN_TURN_STATES, type RatchetState } from './ratchet/state.js';
import type { WorkspaceStatus } from './workspace.js';

export const KANBAN_COLUMNS = ['working', 'waiting', 'done', 'archived'] as const;
export type KanbanColumn = (typeof KANBAN_COLUMNS)[number];

export interface KanbanInput {
  workspaceStatus: WorkspaceStatus;
  /** Why the workspace is in its status (e.g. the failure message). */
  workspaceReason?: string | null;
  pr?: { state: PrState; isDraft?: boolean; ciStatus?: CiStatus | null } | null;
  ratchet?: { state: RatchetState; reason: string } | null;
}

export interface KanbanPlacement {
  column: KanbanColumn;
  reason: string;
}

const ACTIVE: Partial<Record<WorkspaceStatus, string>> = {
  creating_worktree: 'creating worktree',
  setting_up: 'running setup',
  agent_running: 'agent working',
  pushing: 'pushing',
};

export function kanbanColumn(input: KanbanInput): KanbanPlacement {
  const { workspaceStatus: status, pr, ratchet } = input;
  if (status === 'archived' || status === 'archiving') return { column: 'archived', reason: status };
  if (pr?.state === 'MERGED' || ratchet?.state === 'merged') return { column: 'done', reason: 'merged' };
  if (pr?.state === 'CLOSED' || ratchet?.state === 'closed')
    return { column: 'done', reason: 'closed without merge' };
  if (status === 'failed')
    return {
      column: 'waiting',
      reason: `failed${input.workspaceReason ? `: ${input.workspaceReason}` : ''}`,
    };
  if (status === 'awaiting_plan_approval') return { column: 'waiting', reason: 'plan awaiting approval' };
  if (status === 'awaiting_budget')
    return { column: 'waiting', reason: 'budget exhausted; approve to continue' };
  const active = ACTIVE[status];
  if (active) return { column: 'working', reason: active };
  if (ratchet) {
    const reason = `${ratchet.state.replace(/_/g, ' ')}: ${ratchet.reason}`;
    return { column: HUMAN_TURN_STATES.has(ratchet.state) ? 'waiting' : 'working', reason };
  }
  if (pr?.state === 'OPEN') {
    if (pr.ciStatus === 'pending') return { column: 'working', reason: 'CI running' };
    const reason =
      pr.ciStatus === 'failure' ? 'CI failing' : pr.isDraft ? 'draft PR open' : 'ready for review';
    return { column: 'waiting', reason };
  }
  return { column: 'waiting', reason: 'agent finished; your turn' };
}
