/**
 * The ratchet decision's vocabulary: its input, the actions it can return, the per-decision
 * context every rule reads (computed once), and the gate every token-spending fix passes.
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
  | 'human_answer'
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
  const policy = {
    reviewBotAllowlist: settings.reviewBotAllowlist,
    selfLogin: settings.selfLogin,
    triggers: settings.reviewTriggers,
  };
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
    else if (
      cls === 'infrastructure' &&
      ref.runId !== null &&
      !rerunDone.has(ref.key) &&
      (ref.attempt ?? 1) < 2
    ) {
      rerunnable.push(ref);
    } else codeLike.push(ref); // includes repeated infra failures: a timeout that repeats is likely a hang
  }
  const onBase = (ref: CheckRef) =>
    input.baseFailing.includes(ref.key) || input.baseFailing.includes(ref.name);
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
 * 0. a fixer asked a question on this key → wait for a person, until the key changes;
 * 1. attempts on this key ≥ maxAttemptsPerKey → stalled, until the key changes;
 * 2. attempts on the whole PR ≥ maxAttemptsPerPr → stalled, until a person resets attempts;
 * 3. the previous attempt on this key was less than backoff(count) ago → wait until then.
 */
export function gateFix(
  ctx: RuleContext,
  fix: Extract<RatchetActionBody, { key: string; attempt: number }>,
): RatchetActionBody {
  const { settings, memory, now, seed } = ctx.input;
  const question = memory.questions?.[ctx.key];
  if (question !== undefined) {
    const who = {
      fix_ci: 'CI',
      fix_review: 'review',
      fix_conflict: 'conflict',
      update_branch: 'update-branch',
    }[fix.kind];
    return { kind: 'wait', waitingFor: 'human_answer', reason: `the ${who} fixer asked: ${question}` };
  }
  const record = memory.attempts[ctx.key];
  const count = record?.count ?? 0;
  if (count >= settings.maxAttemptsPerKey) {
    return {
      kind: 'stalled',
      key: ctx.key,
      attempts: count,
      reason: `${count} attempts at ${fix.kind} changed nothing; waiting for the PR to change`,
    };
  }
  const total = totalAttempts(memory);
  if (total >= settings.maxAttemptsPerPr) {
    return {
      kind: 'stalled',
      key: ctx.key,
      attempts: total,
      reason: `${total} fix attempts on this PR (cap ${settings.maxAttemptsPerPr}); a person should look`,
    };
  }
  if (record) {
    const until = record.lastAt + backoffDelayMs(count, { ...settings.backoff, seed: `${seed}|${ctx.key}` });
    if (now < until)
      return {
        kind: 'wait',
        waitingFor: 'backoff',
        until,
        reason: `backing off before attempt ${count + 1} of ${fix.kind}`,
      };
  }
  return fix;
}
