import { describe, expect, it } from 'vitest';
import {
  TURNS_PER_RUN,
  approvedPlan,
  budgetRefusal,
  commitMessage,
  continuesAsNew,
  nextWorkspaceStep,
  openPrRefusal,
  opensPrAfterTurn,
  planAnswerRefusal,
  planDecisionOf,
  planRejectedMessage,
  revisionPrompt,
  sendMessageRefusal,
  stopTurnRefusal,
  type BetweenTurns,
  type WorkspaceStep,
} from './workspace-steps.js';

const idle: BetweenTurns = {
  archiveRequested: false,
  openPrRequested: false,
  worktreeFree: true,
  fixersWaiting: false,
  turnsQueued: false,
};

describe('nextWorkspaceStep', () => {
  it.each<[string, Partial<BetweenTurns>, WorkspaceStep]>([
    ['waits with nothing asked', {}, 'wait'],
    ['runs a queued turn', { turnsQueued: true }, 'turn'],
    ['lends to a waiting fixer before a queued turn', { turnsQueued: true, fixersWaiting: true }, 'lend'],
    [
      'waits while a fixer holds the worktree, turns queued',
      { worktreeFree: false, turnsQueued: true },
      'wait',
    ],
    [
      'waits while a fixer holds the worktree, fixers waiting',
      { worktreeFree: false, fixersWaiting: true },
      'wait',
    ],
    [
      'archives before anything else',
      { archiveRequested: true, openPrRequested: true, turnsQueued: true },
      'archive',
    ],
    ['archives while a fixer holds the worktree', { archiveRequested: true, worktreeFree: false }, 'archive'],
    [
      'opens the PR while a fixer holds the worktree',
      { openPrRequested: true, worktreeFree: false },
      'open_pr',
    ],
    [
      'opens the PR before a queued turn or fixer',
      { openPrRequested: true, fixersWaiting: true, turnsQueued: true },
      'open_pr',
    ],
  ])('%s', (_name, over, want) => {
    expect(nextWorkspaceStep({ ...idle, ...over })).toBe(want);
  });
});

describe('continuesAsNew', () => {
  it('continues after TURNS_PER_RUN turns in this run, without asking the server', () => {
    let asked = false;
    expect(
      continuesAsNew(TURNS_PER_RUN, () => {
        asked = true;
        return false;
      }),
    ).toBe(true);
    expect(asked).toBe(false);
  });
  it('continues earlier when the server suggests it, not otherwise', () => {
    expect(continuesAsNew(1, () => true)).toBe(true);
    expect(continuesAsNew(TURNS_PER_RUN - 1, () => false)).toBe(false);
  });
});

describe('opensPrAfterTurn', () => {
  const base = {
    push: true,
    github: true,
    ratchetEnabled: true,
    prOpen: false,
    committed: true,
    lastCommit: null as string | null,
  };
  it.each<[string, Partial<typeof base>, boolean]>([
    ['opens after the first pushed commit', {}, true],
    [
      'opens on a turn without changes when an earlier turn committed',
      { committed: false, lastCommit: 'abc' },
      true,
    ],
    ['does not open without any commit', { committed: false }, false],
    ['does not open twice in a run', { prOpen: true }, false],
    ['does not open with the ratchet off', { ratchetEnabled: false }, false],
    ['does not open without GitHub', { github: false }, false],
    ['does not open without push', { push: false }, false],
  ])('%s', (_name, over, want) => {
    expect(opensPrAfterTurn({ ...base, ...over })).toBe(want);
  });
});

describe('openPrRefusal', () => {
  it.each([
    [{ github: false, push: true, lastCommit: 'a' }, 'the project has no GitHub remote'],
    [{ github: true, push: false, lastCommit: 'a' }, 'this workspace does not push its branch'],
    [{ github: true, push: true, lastCommit: null }, 'nothing has been committed and pushed yet'],
    [{ github: true, push: true, lastCommit: 'a' }, null],
  ])('%j → %s', (p, want) => {
    expect(openPrRefusal(p)).toBe(want);
  });
});

describe('texts', () => {
  it('commitMessage uses the title for turn 1 and numbers follow-ups', () => {
    expect(commitMessage('Add x', 'do it', 1)).toBe('Add x\n\ndo it');
    expect(commitMessage('Add x', 'more', 3)).toBe('Add x: follow-up 2\n\nmore');
  });
  it('commitMessage cuts the subject at 72 and the body at 2000 characters', () => {
    const msg = commitMessage('t'.repeat(80), 'b'.repeat(2100), 1);
    expect(msg).toBe(`${'t'.repeat(72)}\n\n${'b'.repeat(2000)}…`);
  });
  it('approvedPlan appends the note only when there is one', () => {
    expect(approvedPlan('P', undefined)).toBe('P');
    expect(approvedPlan('P', 'use zod')).toBe('P\n\nNote from the person who approved it:\nuse zod');
  });
  it('revisionPrompt carries the task, the previous plan and the note', () => {
    expect(revisionPrompt('T', 'P', 'shorter')).toBe(
      'T\n\nYour previous plan:\nP\n\nRevise it as the person asks:\nshorter',
    );
  });
  it('planRejectedMessage names the note when given', () => {
    expect(planRejectedMessage(undefined)).toBe('Plan rejected; send a follow-up to start again');
    expect(planRejectedMessage('no')).toBe('Plan rejected: no; send a follow-up to start again');
  });
});

describe('refusals', () => {
  it('sendMessageRefusal refuses after archiving and without text', () => {
    expect(sendMessageRefusal(true, 'hi')).toBe('workspace is archived');
    expect(sendMessageRefusal(false, '  ')).toBe('text must be a non-empty string');
    expect(sendMessageRefusal(false, 3)).toBe('text must be a non-empty string');
    expect(sendMessageRefusal(false, 'hi')).toBeNull();
  });
  it('stopTurnRefusal refuses with no session running or one already stopping', () => {
    expect(stopTurnRefusal({ running: false, stopping: false, status: 'idle' })).toBe(
      'no agent turn is running (status is idle)',
    );
    expect(stopTurnRefusal({ running: true, stopping: true, status: 'agent_running' })).toBe(
      'this turn is already stopping',
    );
    expect(stopTurnRefusal({ running: true, stopping: false, status: 'agent_running' })).toBeNull();
  });
  it.each([
    ['idle', { decision: 'approve' }, 'no plan is waiting for approval (status is idle)'],
    ['awaiting_plan_approval', { decision: 'maybe' }, 'decision must be approve, reject or revise'],
    ['awaiting_plan_approval', { decision: 'revise', note: ' ' }, 'a revision needs a note for the agent'],
    ['awaiting_plan_approval', { decision: 'revise', note: 'shorter' }, null],
    ['awaiting_plan_approval', undefined, null],
  ] as const)('planAnswerRefusal(%s, %j) → %s', (status, input, want) => {
    expect(planAnswerRefusal(status, input)).toBe(want);
  });
  it('planDecisionOf defaults to approve', () => {
    expect(planDecisionOf(undefined)).toBe('approve');
    expect(planDecisionOf({ decision: 'reject' })).toBe('reject');
  });
  it.each([
    ['agent_running', {}, 'give budgetUsd, cancel or recheck'],
    ['agent_running', { recheck: true }, 'not waiting for budget (status is agent_running)'],
    ['awaiting_budget', { recheck: true }, null],
    ['agent_running', { recheck: true, cancel: true }, null],
    ['awaiting_budget', { budgetUsd: 0 }, 'budgetUsd must be a positive number'],
    ['awaiting_budget', { budgetUsd: 5 }, null],
    ['agent_running', { cancel: true }, null],
  ] as const)('budgetRefusal(%s, %j) → %s', (status, input, want) => {
    expect(budgetRefusal(status, input)).toBe(want);
  });
});
