/**
 * Merge readiness: every reason this PR cannot merge right now, as codes plus readable text.
 * Ready means: open, not draft, mergeable with no conflict, up to date if GitHub requires it, CI
 * green (or no CI reported at all — the decide loop holds 'none' for a settle window first), no
 * changes requested, no unresolved current threads from counted authors, and approved when
 * approval is required (by settings or by branch protection).
 */
import { rollupChecks } from '../ci-rollup.js';
import { hasConflict, type PrSnapshot } from '../pr.js';
import { hasHumanApproval, reviewFeedback } from './review-feedback.js';
import type { RatchetSettings } from './settings.js';

export const MERGE_BLOCKER_CODES = [
  'not_open',
  'draft',
  'conflict',
  'mergeability_unknown',
  'behind',
  'ci_failing',
  'ci_pending',
  'changes_requested',
  'unresolved_threads',
  'approval_required',
  'blocked',
] as const;
export type MergeBlockerCode = (typeof MERGE_BLOCKER_CODES)[number];

export interface MergeBlocker {
  code: MergeBlockerCode;
  message: string;
}

export interface MergeReadiness {
  ready: boolean;
  /** In `MERGE_BLOCKER_CODES` order. */
  blockers: MergeBlocker[];
}

export type MergeReadinessSettings = Pick<
  RatchetSettings,
  'requireApproval' | 'reviewBotAllowlist' | 'selfLogin'
>;

export function mergeReadiness(pr: PrSnapshot, settings: MergeReadinessSettings): MergeReadiness {
  const blockers: MergeBlocker[] = [];
  const add = (code: MergeBlockerCode, message: string) => blockers.push({ code, message });

  if (pr.state !== 'OPEN') add('not_open', `PR is ${pr.state.toLowerCase()}`);
  if (pr.isDraft) add('draft', 'PR is a draft');
  if (hasConflict(pr)) add('conflict', 'PR conflicts with its base branch');
  else if (pr.mergeable === 'UNKNOWN') add('mergeability_unknown', 'GitHub is still computing mergeability');
  if (pr.mergeStateStatus === 'BEHIND')
    add('behind', 'branch protection requires the branch to be up to date');

  const ci = rollupChecks(pr.checks);
  if (ci.status === 'failure') add('ci_failing', `CI failing: ${ci.failing.map((c) => c.key).join(', ')}`);
  if (ci.status === 'pending') add('ci_pending', `CI running: ${ci.pending.map((c) => c.key).join(', ')}`);

  const policy = { reviewBotAllowlist: settings.reviewBotAllowlist, selfLogin: settings.selfLogin };
  const feedback = reviewFeedback(pr, policy);
  // GitHub's decision counts every reviewer, so honour it even when the requester is an ignored bot.
  if (pr.reviewDecision === 'CHANGES_REQUESTED' || feedback.changesRequested.length > 0) {
    const who = feedback.changesRequested.map((r) => r.author.login);
    add('changes_requested', `changes requested${who.length ? ` by ${who.join(', ')}` : ''}`);
  }
  if (feedback.threads.length > 0)
    add('unresolved_threads', `${feedback.threads.length} unresolved review thread(s)`);

  const approved =
    pr.reviewDecision === 'APPROVED' || (pr.reviewDecision === null && hasHumanApproval(pr.reviews, policy));
  if (pr.reviewDecision === 'REVIEW_REQUIRED')
    add('approval_required', 'branch protection requires an approving review');
  else if (settings.requireApproval && !approved && !blockers.some((b) => b.code === 'changes_requested')) {
    add('approval_required', 'waiting for a human approval');
  }

  // BLOCKED with nothing above to explain it: required checks not reported, signatures, rulesets.
  if (pr.mergeStateStatus === 'BLOCKED' && blockers.length === 0) {
    add('blocked', 'GitHub reports the merge is blocked by branch protection');
  }
  blockers.sort((a, b) => MERGE_BLOCKER_CODES.indexOf(a.code) - MERGE_BLOCKER_CODES.indexOf(b.code));
  return { ready: blockers.length === 0, blockers };
}

/** Codes only, for rule conditions. */
export function blockerCodes(readiness: MergeReadiness): Set<MergeBlockerCode> {
  return new Set(readiness.blockers.map((b) => b.code));
}
