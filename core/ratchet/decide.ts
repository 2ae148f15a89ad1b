/**
 * The ratchet's decision: one pure function from (PR snapshot, settings, memory, now) to the next
 * action. An ordered rule list; the first rule that returns an action wins. The workflow carries
 * out the action, records it in memory (`recordFixAttempt`, `recordRerun`, `recordAddressed`),
 * and asks again on the next snapshot.
 */
import { checkKey, classifyFailure, rollupChecks, type CheckRef, type CiRollup } from '../ci-rollup.js';
import type { FixKind } from '../ids.js';
import { hasConflict, type Check, type PrSnapshot, type Review, type ReviewThread } from '../pr.js';
import { backoffDelayMs } from '../backoff.js';
import { blockerCodes, mergeReadiness, type MergeBlockerCode, type MergeReadiness } from './merge-ready.js';
import { totalAttempts, type RatchetMemory } from './memory.js';
import { reviewFeedback, unaddressedFeedback, type ReviewFeedback } from './review-feedback.js';
import type { RatchetSettings } from './settings.js';
import { snapshotKey } from './snapshot-key.js';

export interface RunningFixer {
  kind: FixKind;
  workflowId: string;
}

export interface DecideInput {
  pr: PrSnapshot;
  settings: RatchetSettings;
  memory: RatchetMemory;
  /** Check keys or names currently failing on the base branch's head. */
  baseFailing: readonly string[];
  /** The fixer child workflow still running for this PR, if any. */
  fixer: RunningFixer | null;
  /** Epoch ms, from the workflow clock. */
  now: number;
  /** Stable jitter seed, e.g. the ratchet workflow id. */
  seed: string;
  /** Optional failure summaries or log tails by check key, for infrastructure classification. */
  failureSummaries?: Readonly<Record<string, string>>;
}

export type WaitingFor =
  | 'fixer'
  | 'ci'
  | 'backoff'
  | 'human_check'
  | 'review'
  | 'approval'
  | 'mergeability'
  | 'branch_protection'
  | 'merge';

type Base = { reason: string };
type Fix = Base & { key: string; attempt: number };
export type RatchetActionBody =
  | (Base & { kind: 'wait'; waitingFor: WaitingFor; until?: number; fixer?: RunningFixer })
  | (Base & { kind: 'rerun_flaky'; headSha: string; checks: CheckRef[] })
  | (Fix & { kind: 'fix_ci'; checks: CheckRef[] })
  | (Fix & { kind: 'fix_review'; reviews: Review[]; threads: ReviewThread[]; feedbackTokens: string[] })
  | (Fix & { kind: 'fix_conflict' })
  | (Fix & { kind: 'update_branch' })
  | (Base & { kind: 'mark_ready' })
  | (Base & { kind: 'merge'; headSha: string })
  | (Base & { kind: 'stalled'; key: string; attempts: number })
  | (Base & { kind: 'base_red'; checks: CheckRef[] })
  | (Base & { kind: 'done'; outcome: 'merged' | 'closed' })
  | (Base & { kind: 'paused' });
export type RatchetActionKind = RatchetActionBody['kind'];
/** The decision, tagged with the rule that made it. */
export type RatchetAction = RatchetActionBody & { rule: RatchetRuleName };

/** Everything the rules look at, computed once per decision. */
export interface RuleContext {
  input: DecideInput;
  key: string;
  ci: CiRollup;
  conflict: boolean;
  readiness: MergeReadiness;
  codes: Set<MergeBlockerCode>;
  /** Counted feedback not yet handed to a review fixer. */
  feedback: ReviewFeedback;
  /** Infrastructure failures not yet rerun on this head SHA, rerunnable through Actions. */
  rerunnable: CheckRef[];
  /** ACTION_REQUIRED failures: a person must act. */
  needsHuman: CheckRef[];
  /** Code failures (and infra ones already rerun) that also fail on base. */
  baseRed: CheckRef[];
  /** Code failures a fixer should take. */
  fixable: CheckRef[];
}

export function buildContext(input: DecideInput): RuleContext {
  const { pr, settings, memory } = input;
  const policy = { reviewBotAllowlist: settings.reviewBotAllowlist, selfLogin: settings.selfLogin };
  const ci = rollupChecks(pr.checks);
  const latestByRef = new Map<string, Check>(ci.latest.map((c) => [`${c.kind}\u0000${checkKey(c)}`, c]));
  const rerunDone = new Set(memory.infraReruns[pr.headSha] ?? []);
  const rerunnable: CheckRef[] = [];
  const needsHuman: CheckRef[] = [];
  const codeLike: CheckRef[] = [];
  for (const ref of ci.failing) {
    const check = latestByRef.get(`${ref.kind}\u0000${ref.key}`);
    const cls = check ? classifyFailure(check, input.failureSummaries?.[ref.key]) : 'code';
    if (cls === 'human') needsHuman.push(ref);
    // Once per head SHA per check: our memory, or GitHub's attempt counter (a person reran it).
    else if (cls === 'infrastructure' && ref.runId !== null && !rerunDone.has(ref.key) && (ref.attempt ?? 1) < 2) {
      rerunnable.push(ref);
    } else codeLike.push(ref); // includes repeated infra failures: a timeout that repeats is likely a hang
  }
  const onBase = (ref: CheckRef) => input.baseFailing.includes(ref.key) || input.baseFailing.includes(ref.name);
  const readiness = mergeReadiness(pr, settings);
  return {
    input,
    key: snapshotKey(pr, policy),
    ci,
    conflict: hasConflict(pr),
    readiness,
    codes: blockerCodes(readiness),
    feedback: unaddressedFeedback(reviewFeedback(pr, policy), memory.addressedFeedback),
    rerunnable,
    needsHuman,
    baseRed: codeLike.filter(onBase),
    fixable: codeLike.filter((r) => !onBase(r)),
  };
}

/**
 * Every fix spends tokens, so every fix passes this gate (in this order):
 * 1. attempts on this key ≥ maxAttemptsPerKey → stalled, until the key changes;
 * 2. attempts on the whole PR ≥ maxAttemptsPerPr → stalled, until a person resets attempts;
 * 3. the previous attempt on this key was less than backoff(count) ago → wait until then.
 */
export function gateFix(ctx: RuleContext, fix: Extract<RatchetActionBody, { key: string; attempt: number }>): RatchetActionBody {
  const { settings, memory, now, seed } = ctx.input;
  const record = memory.attempts[ctx.key];
  const count = record?.count ?? 0;
  if (count >= settings.maxAttemptsPerKey) {
    return { kind: 'stalled', key: ctx.key, attempts: count, reason: `${count} attempts at ${fix.kind} changed nothing; waiting for the PR to change` };
  }
  const total = totalAttempts(memory);
  if (total >= settings.maxAttemptsPerPr) {
    return { kind: 'stalled', key: ctx.key, attempts: total, reason: `${total} fix attempts on this PR (cap ${settings.maxAttemptsPerPr}); a person should look` };
  }
  if (record) {
    const until = record.lastAt + backoffDelayMs(count, { ...settings.backoff, seed: `${seed}|${ctx.key}` });
    if (now < until) return { kind: 'wait', waitingFor: 'backoff', until, reason: `backing off before attempt ${count + 1} of ${fix.kind}` };
  }
  return fix;
}

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
      pr.state === 'OPEN' ? null : { kind: 'done', outcome: pr.state === 'MERGED' ? 'merged' : 'closed', reason: `PR ${pr.state.toLowerCase()}` },
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
      fixer ? { kind: 'wait', waitingFor: 'fixer', fixer, reason: `${fixer.kind} fixer running (${fixer.workflowId})` } : null,
  },
  {
    name: 'conflict',
    why: 'CI results are meaningless on a conflicting merge ref; merging base re-triggers CI.',
    apply: (ctx) =>
      ctx.conflict ? gateFix(ctx, { kind: 'fix_conflict', key: ctx.key, attempt: attemptNo(ctx), reason: 'PR conflicts with its base branch' }) : null,
  },
  {
    name: 'ci_pending',
    why: 'Checks still running and none failed yet: act on complete results.',
    apply: ({ ci }) =>
      ci.status === 'pending' ? { kind: 'wait', waitingFor: 'ci', reason: `CI running: ${list(ci.pending)}` } : null,
  },
  {
    name: 'ci_settling',
    why: 'No checks yet on a fresh head SHA may mean CI has not registered; wait a settle window before calling it "no CI".',
    apply: ({ ci, input: { pr, memory, settings, now } }) => {
      if (ci.status !== 'none') return null;
      const seenAt = memory.head?.sha === pr.headSha ? memory.head.seenAt : now;
      const until = seenAt + settings.ciSettleMs;
      return now < until ? { kind: 'wait', waitingFor: 'ci', until, reason: 'no checks reported yet on this commit' } : null;
    },
  },
  {
    name: 'infra_rerun',
    why: 'Runner failures are rerun once per head SHA before any fixer spends tokens (a fixer push reruns everything anyway, so only when nothing else needs fixing).',
    apply: ({ rerunnable, fixable, input: { pr } }) =>
      fixable.length === 0 && rerunnable.length > 0
        ? { kind: 'rerun_flaky', headSha: pr.headSha, checks: rerunnable, reason: `infrastructure failure, rerunning: ${list(rerunnable)}` }
        : null,
  },
  {
    name: 'ci_failed',
    why: 'Red CI that is not also red on base is the PR\'s own fault: fix it before reviews, whose fixes cannot be verified on red CI.',
    apply: (ctx) =>
      ctx.fixable.length > 0
        ? gateFix(ctx, { kind: 'fix_ci', key: ctx.key, attempt: attemptNo(ctx), checks: ctx.fixable, reason: `CI failing: ${list(ctx.fixable)}` })
        : null,
  },
  {
    name: 'changes_requested',
    why: 'Counted, published, unsuperseded feedback not yet handed to a fixer (also while base is red: reviews are still the PR\'s own work).',
    apply: (ctx) => {
      const { changesRequested, threads, tokens } = ctx.feedback;
      if (tokens.length === 0) return null;
      const reason = `review feedback: ${changesRequested.length} change request(s), ${threads.length} thread(s)`;
      return gateFix(ctx, { kind: 'fix_review', key: ctx.key, attempt: attemptNo(ctx), reviews: changesRequested, threads, feedbackTokens: tokens, reason });
    },
  },
  {
    name: 'ci_needs_human',
    why: 'ACTION_REQUIRED checks (e.g. a workflow run awaiting approval) need a person; no fixer can help.',
    apply: ({ needsHuman }) =>
      needsHuman.length > 0 ? { kind: 'wait', waitingFor: 'human_check', reason: `checks need a person: ${list(needsHuman)}` } : null,
  },
  {
    name: 'base_red',
    why: 'Failures that also fail on base are not this PR\'s to fix: report them and wait for base to go green.',
    apply: ({ baseRed }) => (baseRed.length > 0 ? { kind: 'base_red', checks: baseRed, reason: `also failing on base: ${list(baseRed)}` } : null),
  },
  {
    name: 'draft_ready',
    why: 'A draft that is otherwise mergeable (approval aside: nobody reviews drafts) is ready for review.',
    apply: ({ codes }) =>
      codes.has('draft') && [...codes].every((c) => c === 'draft' || c === 'approval_required' || c === 'behind')
        ? { kind: 'mark_ready', reason: 'checks green and feedback handled: ready for review' }
        : null,
  },
  {
    name: 'behind',
    why: 'Branch protection requires an up-to-date branch and nothing else blocks: update it (no tokens), which re-runs CI.',
    apply: (ctx) =>
      ctx.codes.size === 1 && ctx.codes.has('behind')
        ? gateFix(ctx, { kind: 'update_branch', key: ctx.key, attempt: attemptNo(ctx), reason: 'branch is behind its base' })
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
