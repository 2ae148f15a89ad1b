import { describe, expect, it } from 'vitest';
import { kanbanColumn, type KanbanInput } from './kanban.js';
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
    ['merged PR → done', { workspaceStatus: 'pr_open', pr: { state: 'MERGED' } }, 'done', 'merged'],
    [
      'merged beats a failed workspace',
      { workspaceStatus: 'failed', pr: { state: 'MERGED' } },
      'done',
      'merged',
    ],
    [
      'ratchet saw the merge before the PR row caught up',
      { workspaceStatus: 'pr_open', pr: openPr, ratchet: { state: 'merged', reason: 'PR merged' } },
      'done',
      'merged',
    ],
    [
      'closed PR → done',
      { workspaceStatus: 'pr_open', pr: { state: 'CLOSED' } },
      'done',
      'closed without merge',
    ],
    [
      'failed → waiting with the reason',
      { workspaceStatus: 'failed', workspaceReason: 'setup exited 1' },
      'waiting',
      'failed: setup exited 1',
    ],
    [
      'plan approval → waiting',
      { workspaceStatus: 'awaiting_plan_approval' },
      'waiting',
      'plan awaiting approval',
    ],
    [
      'budget → waiting',
      { workspaceStatus: 'awaiting_budget', ratchet: { state: 'fixing_ci', reason: 'x' } },
      'waiting',
      'budget exhausted; approve to continue',
    ],
    ['creating worktree → working', { workspaceStatus: 'creating_worktree' }, 'working', 'creating worktree'],
    ['setup → working', { workspaceStatus: 'setting_up' }, 'working', 'running setup'],
    ['pushing → working', { workspaceStatus: 'pushing' }, 'working', 'pushing'],
    [
      'agent turn beats a stalled ratchet',
      { workspaceStatus: 'agent_running', pr: openPr, ratchet: { state: 'stalled', reason: 'x' } },
      'working',
      'agent working',
    ],
    [
      'ratchet stalled → waiting',
      {
        workspaceStatus: 'pr_open',
        pr: openPr,
        ratchet: { state: 'stalled', reason: '3 attempts changed nothing' },
      },
      'waiting',
      'stalled: 3 attempts changed nothing',
    ],
    [
      'ratchet fixing CI → working',
      {
        workspaceStatus: 'pr_open',
        pr: openPr,
        ratchet: { state: 'fixing_ci', reason: 'CI failing: CI / unit' },
      },
      'working',
      'fixing ci: CI failing: CI / unit',
    ],
    [
      'ratchet merge-ready → waiting',
      { workspaceStatus: 'pr_open', pr: openPr, ratchet: { state: 'merge_ready', reason: 'auto-merge off' } },
      'waiting',
      'merge ready: auto-merge off',
    ],
    [
      'no ratchet, CI running → working',
      { workspaceStatus: 'pr_open', pr: { state: 'OPEN', ciStatus: 'pending' } },
      'working',
      'CI running',
    ],
    [
      'no ratchet, CI failing → waiting',
      { workspaceStatus: 'pr_open', pr: { state: 'OPEN', ciStatus: 'failure' } },
      'waiting',
      'CI failing',
    ],
    [
      'no ratchet, draft → waiting',
      { workspaceStatus: 'pr_open', pr: { state: 'OPEN', isDraft: true, ciStatus: 'success' } },
      'waiting',
      'draft PR open',
    ],
    [
      'no ratchet, green → ready for review',
      { workspaceStatus: 'pr_open', pr: { state: 'OPEN', ciStatus: 'none' } },
      'waiting',
      'ready for review',
    ],
    ['idle without a PR → your turn', { workspaceStatus: 'idle' }, 'waiting', 'agent finished; your turn'],
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

  it('kanbanColumn places every workspace status somewhere', () => {
    for (const workspaceStatus of WORKSPACE_STATUSES) {
      expect(['working', 'waiting', 'done', 'archived']).toContain(kanbanColumn({ workspaceStatus }).column);
    }
  });
});
