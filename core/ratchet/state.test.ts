import { describe, expect, it } from 'vitest';
import type { RatchetActionBody } from './decide.js';
import { HUMAN_TURN_STATES, RATCHET_STATES, stateForAction, type RatchetState } from './state.js';

const wait = (
  waitingFor: Extract<RatchetActionBody, { kind: 'wait' }>['waitingFor'],
  extra = {},
): RatchetActionBody => ({
  kind: 'wait',
  waitingFor,
  reason: 'r',
  ...extra,
});
const fix = { key: 'k', attempt: 1, reason: 'r' };

describe('stateForAction', () => {
  it.each([
    ['done merged', { kind: 'done', outcome: 'merged', reason: 'r' }, 'merged'],
    ['done closed', { kind: 'done', outcome: 'closed', reason: 'r' }, 'closed'],
    ['paused', { kind: 'paused', reason: 'r' }, 'paused'],
    ['stalled', { kind: 'stalled', key: 'k', attempts: 3, reason: 'r' }, 'stalled'],
    ['base_red', { kind: 'base_red', checks: [], reason: 'r' }, 'base_red'],
    ['rerun_flaky', { kind: 'rerun_flaky', headSha: 's', checks: [], reason: 'r' }, 'rerunning'],
    ['fix_ci', { kind: 'fix_ci', checks: [], ...fix }, 'fixing_ci'],
    [
      'fix_review',
      { kind: 'fix_review', reviews: [], threads: [], feedbackTokens: [], ...fix },
      'fixing_review',
    ],
    ['fix_conflict', { kind: 'fix_conflict', ...fix }, 'fixing_conflict'],
    ['update_branch', { kind: 'update_branch', ...fix }, 'updating_branch'],
    ['merge', { kind: 'merge', headSha: 's', reason: 'r' }, 'merging'],
    ['mark_ready', { kind: 'mark_ready', reason: 'r' }, 'watching'],
    ['wait for a ci fixer', wait('fixer', { fixer: { kind: 'ci', workflowId: 'f' } }), 'fixing_ci'],
    [
      'wait for a review fixer',
      wait('fixer', { fixer: { kind: 'review', workflowId: 'f' } }),
      'fixing_review',
    ],
    [
      'wait for a conflict fixer',
      wait('fixer', { fixer: { kind: 'conflict', workflowId: 'f' } }),
      'fixing_conflict',
    ],
    ['wait for ci', wait('ci'), 'waiting_ci'],
    ['wait in backoff', wait('backoff', { until: 1 }), 'backoff'],
    ['wait for a person on a check', wait('human_check'), 'awaiting_human'],
    ['wait for a person to answer a fixer', wait('human_answer'), 'awaiting_human'],
    ['wait for re-review', wait('review'), 'awaiting_review'],
    ['wait for approval', wait('approval'), 'awaiting_review'],
    ['wait for a person to merge', wait('merge'), 'merge_ready'],
    ['wait for mergeability', wait('mergeability'), 'watching'],
    ['wait for branch protection', wait('branch_protection'), 'watching'],
  ] as [string, RatchetActionBody, RatchetState][])('stateForAction %s → %s', (_name, action, state) => {
    expect(stateForAction(action)).toBe(state);
    expect(RATCHET_STATES).toContain(state);
  });

  it('stateForAction human-turn states are exactly the ones a person must act on', () => {
    expect([...HUMAN_TURN_STATES].sort()).toEqual([
      'awaiting_human',
      'awaiting_review',
      'base_red',
      'merge_ready',
      'paused',
      'stalled',
    ]);
  });
});
