/**
 * The loop's visible state: what the console shows for a PR's ratchet, derived from the latest
 * action (never stored separately from it, so it cannot drift).
 */
import type { RatchetActionBody } from './decide.js';

export const RATCHET_STATES = [
  'watching',
  'waiting_ci',
  'fixing_ci',
  'fixing_review',
  'fixing_conflict',
  'updating_branch',
  'rerunning',
  'backoff',
  'awaiting_review',
  'awaiting_human',
  'stalled',
  'base_red',
  'paused',
  'merge_ready',
  'merging',
  'merged',
  'closed',
  /** The loop ended without a merge or close: its workspace was archived. */
  'stopped',
] as const;
export type RatchetState = (typeof RATCHET_STATES)[number];

/** States where a person is the next one to act (the Kanban puts these in "waiting"). */
export const HUMAN_TURN_STATES: ReadonlySet<RatchetState> = new Set<RatchetState>([
  'awaiting_review',
  'awaiting_human',
  'stalled',
  'base_red',
  'paused',
  'merge_ready',
]);

const FIXING: Record<'ci' | 'review' | 'conflict', RatchetState> = {
  ci: 'fixing_ci',
  review: 'fixing_review',
  conflict: 'fixing_conflict',
};

export function stateForAction(action: RatchetActionBody): RatchetState {
  switch (action.kind) {
    case 'done':
      return action.outcome;
    case 'paused':
      return 'paused';
    case 'stalled':
      return 'stalled';
    case 'base_red':
      return 'base_red';
    case 'rerun_flaky':
      return 'rerunning';
    case 'fix_ci':
      return 'fixing_ci';
    case 'fix_review':
      return 'fixing_review';
    case 'fix_conflict':
      return 'fixing_conflict';
    case 'update_branch':
      return 'updating_branch';
    case 'merge':
      return 'merging';
    case 'mark_ready':
      return 'watching';
    case 'wait':
      switch (action.waitingFor) {
        case 'fixer':
          return action.fixer ? FIXING[action.fixer.kind] : 'watching';
        case 'ci':
        case 'push':
          return 'waiting_ci';
        case 'backoff':
          return 'backoff';
        case 'human_check':
        case 'human_answer':
          return 'awaiting_human';
        case 'review':
        case 'approval':
          return 'awaiting_review';
        case 'merge':
          return 'merge_ready';
        case 'mergeability':
        case 'branch_protection':
          return 'watching';
      }
  }
}
