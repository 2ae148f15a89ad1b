/**
 * The ratchet decision's vocabulary: its input, the actions it can return, and the facts every
 * rule reads (computed once per decision, and only when a rule reads them: the `closed_or_merged` row
 * answers on the input alone, even before the first snapshot). The rules themselves are in
 * `decide.ts`.
 */
import { checkKey, classifyFailure, rollupChecks, type CheckRef, type CiRollup } from '../ci-rollup.js';
import type { FixKind } from '../ids.js';
import { hasConflict, type Check, type PrSnapshot, type Review, type ReviewThread } from '../pr.js';
import { blockerCodes, mergeReadiness, type MergeBlockerCode, type MergeReadiness } from './merge-ready.js';
import type { RatchetMemory } from './memory.js';
import { reviewFeedback, unaddressedFeedback, type ReviewFeedback } from './review-feedback.js';
import type { RatchetSettings } from './settings.js';
import { snapshotKey } from './snapshot-key.js';

export interface RunningFixer {
  kind: FixKind;
  workflowId: string;
}

/**
 * How the PR ended, learned by the loop other than from a snapshot: its own merge answered
 * (`merged`, or `closed` meanwhile), or the PR read by number after it left the open list does
 * not exist any more (GithubNotFound).
 */
export interface PrEnded {
  outcome: 'merged' | 'closed';
  reason: string;
}

export interface DecideInput {
  /** The latest snapshot; null only before the first one, when just `ended` can be decided on. */
  pr: PrSnapshot | null;
  /** Set once the loop learned that the PR ended (see `PrEnded`); wins over the snapshot. */
  ended: PrEnded | null;
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
  | 'push'
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

/** An action that spends tokens (or a GitHub branch update) and so passes the gate rows first. */
export type FixActionBody = Extract<RatchetActionBody, { key: string; attempt: number }>;

export const FIX_ACTION_KINDS = ['fix_ci', 'fix_review', 'fix_conflict', 'update_branch'] as const;

export function isFixAction(action: RatchetActionBody): action is FixActionBody {
  return (FIX_ACTION_KINDS as readonly string[]).includes(action.kind);
}

/** The snapshot's facts every rule looks at. */
export interface SnapshotFacts {
  pr: PrSnapshot;
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

/** The fix a snapshot calls for, and the rule that calls for it, before the gate rows look at it. */
export interface WantedFix {
  rule: string;
  fix: FixActionBody;
}

/** Everything the rules look at: the input, the snapshot's facts, and the fix it calls for. */
export interface RuleContext extends SnapshotFacts {
  input: DecideInput;
  /** The fix the rows below the gate would return, or null when they return something else. */
  wanted: WantedFix | null;
}

/**
 * The context of one decision. Facts are computed on first read (once), so the `closed_or_merged` row,
 * which reads `input.ended` first, can answer without a snapshot; `wanted` is computed on first
 * read by `findWanted` (decide.ts: the rows below the gate).
 */
export function buildContext(
  input: DecideInput,
  findWanted: (ctx: RuleContext) => WantedFix | null,
): RuleContext {
  let facts: SnapshotFacts | undefined;
  let wanted: { value: WantedFix | null } | undefined;
  const f = (): SnapshotFacts => (facts ??= snapshotFacts(input));
  const ctx: RuleContext = {
    input,
    get wanted() {
      return (wanted ??= { value: findWanted(ctx) }).value;
    },
    get pr() {
      return f().pr;
    },
    get key() {
      return f().key;
    },
    get ci() {
      return f().ci;
    },
    get conflict() {
      return f().conflict;
    },
    get readiness() {
      return f().readiness;
    },
    get codes() {
      return f().codes;
    },
    get feedback() {
      return f().feedback;
    },
    get rerunnable() {
      return f().rerunnable;
    },
    get needsHuman() {
      return f().needsHuman;
    },
    get baseRed() {
      return f().baseRed;
    },
    get fixable() {
      return f().fixable;
    },
  };
  return ctx;
}

function snapshotFacts(input: DecideInput): SnapshotFacts {
  const { pr, settings, memory } = input;
  // decide() refuses an input with neither; with `ended` set, the first row answers before this.
  if (!pr) throw new Error('decide: no snapshot to read facts from');
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
    pr,
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
