/**
 * The ratchet's decision: one pure function from (PR snapshot, settings, memory, now) to the next
 * action. An ordered rule list; the first rule that returns an action wins. The workflow carries
 * out the action, records it in memory (`recordFixAttempt`, `recordRerun`, `recordAddressed`),
 * and asks again on the next snapshot.
 */
import type { CheckRef } from '../ci-rollup.js';
import {
  buildContext,
  gateFix,
  type DecideInput,
  type RatchetActionBody,
  type RuleContext,
} from './rule-context.js';

export type {
  DecideInput,
  RatchetActionBody,
  RatchetActionKind,
  RuleContext,
  RunningFixer,
  WaitingFor,
} from './rule-context.js';
export { buildContext, gateFix };

/** The decision, tagged with the rule that made it. */
export type RatchetAction = RatchetActionBody & { rule: RatchetRuleName };

const list = (refs: readonly CheckRef[]) => refs.map((r) => r.key).join(', ');

export interface RatchetRule {
  name: string;
  /** Why the rule sits where it does. */
  why: string;
  apply: (ctx: RuleContext) => RatchetActionBody | null;
}

export const RATCHET_RULES = [
  {
    name: 'closed_or_merged',
    why: 'A merged or closed PR is finished; nothing else matters.',
    apply: ({ input: { pr } }) =>
      pr.state === 'OPEN'
        ? null
        : {
            kind: 'done',
            outcome: pr.state === 'MERGED' ? 'merged' : 'closed',
            reason: `PR ${pr.state.toLowerCase()}`,
          },
  },
  {
    name: 'paused',
    why: 'A person paused the loop: observe, never act.',
    apply: ({ input }) => (input.settings.paused ? { kind: 'paused', reason: 'paused by user' } : null),
  },
  {
    name: 'fixer_running',
    why: 'One fixer per PR at a time; its push will change the snapshot anyway.',
    apply: ({ input: { fixer } }) =>
      fixer
        ? {
            kind: 'wait',
            waitingFor: 'fixer',
            fixer,
            reason: `${fixer.kind} fixer running (${fixer.workflowId})`,
          }
        : null,
  },
  {
    name: 'conflict',
    why: 'CI results are meaningless on a conflicting merge ref; merging base re-triggers CI.',
    apply: (ctx) =>
      ctx.conflict
        ? gateFix(ctx, {
            kind: 'fix_conflict',
            key: ctx.key,
            attempt: attemptNo(ctx),
            reason: 'PR conflicts with its base branch',
          })
        : null,
  },
  {
    name: 'ci_pending',
    why: 'Checks still running and none failed yet: act on complete results.',
    apply: ({ ci }) =>
      ci.status === 'pending'
        ? { kind: 'wait', waitingFor: 'ci', reason: `CI running: ${list(ci.pending)}` }
        : null,
  },
  {
    name: 'ci_settling',
    why: 'No checks yet on a fresh head SHA may mean CI has not registered; wait a settle window before calling it "no CI".',
    apply: ({ ci, input: { pr, memory, settings, now } }) => {
      if (ci.status !== 'none') return null;
      const seenAt = memory.head?.sha === pr.headSha ? memory.head.seenAt : now;
      const until = seenAt + settings.ciSettleMs;
      return now < until
        ? { kind: 'wait', waitingFor: 'ci', until, reason: 'no checks reported yet on this commit' }
        : null;
    },
  },
  {
    name: 'infra_rerun',
    why: 'Runner failures are rerun once per head SHA before any fixer spends tokens (a fixer push reruns everything anyway, so only when nothing else needs fixing).',
    apply: ({ rerunnable, fixable, input: { pr } }) =>
      fixable.length === 0 && rerunnable.length > 0
        ? {
            kind: 'rerun_flaky',
            headSha: pr.headSha,
            checks: rerunnable,
            reason: `infrastructure failure, rerunning: ${list(rerunnable)}`,
          }
        : null,
  },
  {
    name: 'ci_failed',
    why: "Red CI that is not also red on base is the PR's own fault: fix it before reviews, whose fixes cannot be verified on red CI.",
    apply: (ctx) =>
      ctx.fixable.length > 0
        ? gateFix(ctx, {
            kind: 'fix_ci',
            key: ctx.key,
            attempt: attemptNo(ctx),
            checks: ctx.fixable,
            reason: `CI failing: ${list(ctx.fixable)}`,
          })
        : null,
  },
  {
    name: 'changes_requested',
    why: "Counted, published, unsuperseded feedback not yet handed to a fixer (also while base is red: reviews are still the PR's own work).",
    apply: (ctx) => {
      const { changesRequested, threads, tokens } = ctx.feedback;
      if (tokens.length === 0) return null;
      const reason = `review feedback: ${changesRequested.length} change request(s), ${threads.length} thread(s)`;
      return gateFix(ctx, {
        kind: 'fix_review',
        key: ctx.key,
        attempt: attemptNo(ctx),
        reviews: changesRequested,
        threads,
        feedbackTokens: tokens,
        reason,
      });
    },
  },
  {
    name: 'ci_needs_human',
    why: 'ACTION_REQUIRED checks (e.g. a workflow run awaiting approval) need a person; no fixer can help.',
    apply: ({ needsHuman }) =>
      needsHuman.length > 0
        ? { kind: 'wait', waitingFor: 'human_check', reason: `checks need a person: ${list(needsHuman)}` }
        : null,
  },
  {
    name: 'base_red',
    why: "Failures that also fail on base are not this PR's to fix: report them and wait for base to go green.",
    apply: ({ baseRed }) =>
      baseRed.length > 0
        ? { kind: 'base_red', checks: baseRed, reason: `also failing on base: ${list(baseRed)}` }
        : null,
  },
  {
    name: 'draft_ready',
    why: 'A draft that is otherwise mergeable (approval aside: nobody reviews drafts) is ready for review.',
    apply: ({ codes }) =>
      codes.has('draft') &&
      [...codes].every((c) => c === 'draft' || c === 'approval_required' || c === 'behind')
        ? { kind: 'mark_ready', reason: 'checks green and feedback handled: ready for review' }
        : null,
  },
  {
    name: 'behind',
    why: 'Branch protection requires an up-to-date branch and nothing else blocks: update it (no tokens), which re-runs CI.',
    apply: (ctx) =>
      ctx.codes.size === 1 && ctx.codes.has('behind')
        ? gateFix(ctx, {
            kind: 'update_branch',
            key: ctx.key,
            attempt: attemptNo(ctx),
            reason: 'branch is behind its base',
          })
        : null,
  },
  {
    name: 'merge_ready',
    why: 'Nothing blocks: merge (pinned to the checked head SHA) if allowed, else hand over to a person.',
    apply: ({ readiness, input: { pr, settings } }) => {
      if (!readiness.ready) return null;
      return settings.autoMerge
        ? { kind: 'merge', headSha: pr.headSha, reason: 'merge-ready' }
        : { kind: 'wait', waitingFor: 'merge', reason: 'merge-ready; auto-merge is off' };
    },
  },
  {
    name: 'not_ready',
    why: 'Blocked only by things a person or GitHub must do (approval, re-review, mergeability): wait and say which.',
    apply: ({ readiness, codes }) => ({
      kind: 'wait',
      waitingFor: codes.has('approval_required')
        ? 'approval'
        : codes.has('changes_requested') || codes.has('unresolved_threads')
          ? 'review'
          : codes.has('mergeability_unknown')
            ? 'mergeability'
            : 'branch_protection',
      reason: readiness.blockers.map((b) => b.message).join('; '),
    }),
  },
] as const satisfies readonly RatchetRule[];

export type RatchetRuleName = (typeof RATCHET_RULES)[number]['name'];

function attemptNo(ctx: RuleContext): number {
  return (ctx.input.memory.attempts[ctx.key]?.count ?? 0) + 1;
}

export function decide(input: DecideInput): RatchetAction {
  const ctx = buildContext(input);
  for (const rule of RATCHET_RULES as readonly RatchetRule[]) {
    const action = rule.apply(ctx);
    if (action) return { ...action, rule: rule.name as RatchetRuleName };
  }
  // Unreachable: `not_ready` always answers. Kept total for the type checker.
  return { kind: 'wait', waitingFor: 'branch_protection', reason: 'no rule matched', rule: 'not_ready' };
}
