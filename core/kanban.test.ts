import { describe, expect, it } from 'vitest';
import { kanbanColumn, ratchetStateLabel, type KanbanInput } from './kanban.js';
import { RATCHET_STATES, HUMAN_TURN_STATES } from './ratchet/state.js';
import { WORKSPACE_STATUSES } from './workspace.js';

const openPr = { state: 'OPEN' } as const;

describe('kanbanColumn', () => {
  it.each([
    [
      'archived beats a merged PR',
      { workspaceStatus: 'archived', pr: { state: 'MERGED' } },
      'archived',
      'archived',
    ],
    ['archiving', { workspaceStatus: 'archiving' }, 'archived', 'archiving'],
    [
      'archived_at set while the status lags',
      { workspaceStatus: 'pr_open', archived: true, pr: openPr },
      'archived',
      'archived',
    ],
    [
      'merged PR → done',
      { workspaceStatus: 'pr_open', pr: { state: 'MERGED', number: 7 } },
      'done',
      'PR #7 merged',
    ],
    [
      'merged beats a failed workspace',
      { workspaceStatus: 'failed', pr: { state: 'MERGED' } },
      'done',
      'PR merged',
    ],
    [
      'ratchet saw the merge before the PR row caught up',
      { workspaceStatus: 'pr_open', pr: openPr, ratchet: { state: 'merged', reason: 'PR merged' } },
      'done',
      'PR merged',
    ],
    [
      'closed PR → done',
      { workspaceStatus: 'pr_open', pr: { state: 'CLOSED', number: 3 } },
      'done',
      'PR #3 closed without merge',
    ],
    [
      'failed → waiting with the last error',
      { workspaceStatus: 'failed', workspaceError: 'setup exited 1' },
      'waiting',
      'Failed: setup exited 1',
    ],
    [
      'failed without an error → the timeline',
      { workspaceStatus: 'failed' },
      'waiting',
      'Failed: see the timeline',
    ],
    [
      'a failed workspace is archived once archived',
      { workspaceStatus: 'failed', archived: true },
      'archived',
      'archived',
    ],
    [
      'a setup script awaiting trust → waiting (a person decides)',
      { workspaceStatus: 'awaiting_trust' },
      'waiting',
      'Setup script needs your approval',
    ],
    [
      'plan approval → waiting',
      { workspaceStatus: 'awaiting_plan_approval' },
      'waiting',
      'Plan ready for approval',
    ],
    [
      'budget → waiting',
      { workspaceStatus: 'awaiting_budget', ratchet: { state: 'fixing_ci', reason: 'x' } },
      'waiting',
      'Budget reached; raise it to continue',
    ],
    ['creating worktree → working', { workspaceStatus: 'creating_worktree' }, 'working', 'Creating worktree'],
    ['setup → working', { workspaceStatus: 'setting_up' }, 'working', 'Running setup'],
    ['pushing → working', { workspaceStatus: 'pushing' }, 'working', 'Pushing'],
    [
      'agent turn beats a stalled ratchet',
      { workspaceStatus: 'agent_running', pr: openPr, ratchet: { state: 'stalled', reason: 'x' } },
      'working',
      'Agent working',
    ],
    [
      'ratchet stalled → waiting',
      {
        workspaceStatus: 'pr_open',
        pr: openPr,
        ratchet: { state: 'stalled', reason: '3 attempts changed nothing' },
      },
      'waiting',
      'Stalled: 3 attempts changed nothing',
    ],
    [
      'ratchet fixing CI → working',
      {
        workspaceStatus: 'pr_open',
        pr: openPr,
        ratchet: { state: 'fixing_ci', reason: 'CI failing: CI / unit' },
      },
      'working',
      'Fixing CI: CI failing: CI / unit',
    ],
    [
      'ratchet merge-ready → waiting',
      { workspaceStatus: 'pr_open', pr: openPr, ratchet: { state: 'merge_ready', reason: 'auto-merge off' } },
      'waiting',
      'Merge ready: auto-merge off',
    ],
    [
      'no ratchet, CI running → working',
      { workspaceStatus: 'pr_open', pr: { state: 'OPEN', ciStatus: 'pending' } },
      'working',
      'Waiting for CI',
    ],
    [
      'no ratchet, CI failing → waiting',
      { workspaceStatus: 'pr_open', pr: { state: 'OPEN', number: 7, ciStatus: 'failure' } },
      'waiting',
      'PR #7 open; CI failing',
    ],
    [
      'no ratchet, draft → waiting',
      { workspaceStatus: 'pr_open', pr: { state: 'OPEN', number: 7, isDraft: true, ciStatus: 'success' } },
      'waiting',
      'Draft PR #7 open',
    ],
    [
      'no ratchet, green → open (a person reviews)',
      { workspaceStatus: 'pr_open', pr: { state: 'OPEN', number: 7, ciStatus: 'none' } },
      'waiting',
      'PR #7 open',
    ],
    ['idle without a PR → your turn', { workspaceStatus: 'idle' }, 'waiting', 'Agent finished; your turn'],
  ] as [string, KanbanInput, string, string][])('kanbanColumn %s', (_name, input, column, reason) => {
    expect(kanbanColumn(input)).toEqual({ column, reason });
  });

  it("kanbanColumn ratchet states split into waiting (a person's turn) and working", () => {
    for (const state of RATCHET_STATES) {
      if (state === 'merged' || state === 'closed') continue;
      const { column } = kanbanColumn({
        workspaceStatus: 'pr_open',
        pr: openPr,
        ratchet: { state, reason: 'r' },
      });
      expect([state, column]).toEqual([state, HUMAN_TURN_STATES.has(state) ? 'waiting' : 'working']);
    }
  });

  it('ratchetStateLabel reads as words', () => {
    expect(ratchetStateLabel('fixing_ci')).toBe('Fixing CI');
    expect(ratchetStateLabel('awaiting_human')).toBe('Awaiting human');
    expect(ratchetStateLabel('base_red')).toBe('Base red');
  });

  it('kanbanColumn places every workspace status somewhere', () => {
    for (const workspaceStatus of WORKSPACE_STATUSES) {
      expect(['working', 'waiting', 'done', 'archived']).toContain(kanbanColumn({ workspaceStatus }).column);
    }
  });
});
