/**
 * The ratchet's decision: one pure function from (PR snapshot or ending, settings, memory, now) to
 * the next action. One ordered table of named rows; the first row that returns an action wins and
 * names it. Every decision the loop takes is a row here: how the PR ended (from the snapshot, the
 * loop's own merge, or a PR gone from GitHub), the fix gate (a question asked, the caps, backoff),
 * and what the snapshot calls for. The workflow only carries the action out, records what it did
 * in memory (`recordFixAttempt`, `recordRerun`, `recordAddressed`), and asks again on the next
 * change.
 */
import type { CheckRef } from '../ci-rollup.js';
import { backoffDelayMs } from '../backoff.js';
import { totalAttempts } from './memory.js';
import {
  buildContext,
  isFixAction,
  type DecideInput,
  type FixActionBody,
  type RatchetActionBody,
  type RuleContext,
  type WantedFix,
} from './rule-context.js';

export type {
  DecideInput,
  FixActionBody,
  PrEnded,
  RatchetActionBody,
  RatchetActionKind,
  RuleContext,
  RunningFixer,
  WaitingFor,
  WantedFix,
} from './rule-context.js';
export { buildContext, FIX_ACTION_KINDS, isFixAction } from './rule-context.js';

/** The rows that call for a fix (the gate rows hold their fixes back). */
export type FixRuleName = 'conflict' | 'ci_failed' | 'changes_requested' | 'behind';

/**
 * The decision, tagged with the row that made it. A gate row's action also names the fix row it
 * held back (`holds`), so a stalled or backoff decision says both what it is and what it stopped.
 */
export type RatchetAction = RatchetActionBody & { rule: RatchetRuleName; holds?: FixRuleName };

const list = (refs: readonly CheckRef[]) => refs.map((r) => r.key).join(', ');

export interface RatchetRule {
  name: string;
  /** Why the row sits where it does. */
  why: string;
  /** A gate row: it answers only when the rows below it would return a fix (`ctx.wanted`). */
  gate?: true;
  apply: (ctx: RuleContext) => RatchetActionBody | null;
}

const FIXER_NAME: Record<FixActionBody['kind'], string> = {
  fix_ci: 'CI',
  fix_review: 'review',
  fix_conflict: 'conflict',
  update_branch: 'update-branch',
};

export const RATCHET_RULES = [
  {
    name: 'closed_or_merged',
    why: "A merged or closed PR is finished; nothing else matters. The loop learns it from the snapshot, from its own merge's answer, or from reading a PR that left the open list and is gone (input.ended, which wins: it is newer than the snapshot).",
    apply: ({ input: { ended, pr } }) => {
      if (ended) return { kind: 'done', outcome: ended.outcome, reason: ended.reason };
      if (!pr || pr.state === 'OPEN') return null;
      return {
        kind: 'done',
        outcome: pr.state === 'MERGED' ? 'merged' : 'closed',
        reason: `PR ${pr.state.toLowerCase()}`,
      };
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
    name: 'push_pending',
    why: "Gate 0: a fixer pushed over this head SHA and GitHub does not show the push yet; this snapshot's failures are already answered, so wait for the next one (without it, a slow poll outlasting the backoff re-fixed the stale snapshot).",
    gate: true,
    apply: ({ wanted, input: { pr, memory } }) => {
      if (!wanted || !pr || memory.pushedOver === undefined || memory.pushedOver !== pr.headSha) return null;
      return {
        kind: 'wait',
        waitingFor: 'push',
        reason: 'a fix was pushed; waiting for GitHub to show the new commit',
      };
    },
  },
  {
    name: 'question_asked',
    why: 'Gate 1: a fixer asked a person on this snapshot key; no fix on it until the key changes or a person resumes the loop (before the caps: a person must answer either way, and the reason says what was asked).',
    gate: true,
    apply: ({ wanted, key, input: { memory } }) => {
      if (!wanted) return null;
      const question = memory.questions?.[key];
      if (question === undefined) return null;
      return {
        kind: 'wait',
        waitingFor: 'human_answer',
        reason: `the ${FIXER_NAME[wanted.fix.kind]} fixer asked: ${question}`,
      };
    },
  },
  {
    name: 'stalled_key',
    why: 'Gate 2: attempts on this snapshot key reached maxAttemptsPerKey; stalled until the key changes (a push, a new failure, new feedback).',
    gate: true,
    apply: ({ wanted, key, input: { memory, settings } }) => {
      if (!wanted) return null;
      const count = memory.attempts[key]?.count ?? 0;
      if (count < settings.maxAttemptsPerKey) return null;
      return {
        kind: 'stalled',
        key,
        attempts: count,
        reason: `${count} attempts at ${wanted.fix.kind} changed nothing; waiting for the PR to change`,
      };
    },
  },
  {
    name: 'stalled_pr',
    why: 'Gate 3: fix attempts on the whole PR reached maxAttemptsPerPr (a fixer that keeps pushing bad fixes); stalled until a person resets the attempts.',
    gate: true,
    apply: ({ wanted, key, input: { memory, settings } }) => {
      if (!wanted) return null;
      const total = totalAttempts(memory);
      if (total < settings.maxAttemptsPerPr) return null;
      return {
        kind: 'stalled',
        key,
        attempts: total,
        reason: `${total} fix attempts on this PR (cap ${settings.maxAttemptsPerPr}); a person should look`,
      };
    },
  },
  {
    name: 'backoff',
    why: 'Gate 4: the previous attempt on this key was less than backoff(count) ago (1, 2, 4 … ≤ 30 min, jittered per key): wait until then.',
    gate: true,
    apply: ({ wanted, key, input: { memory, settings, now, seed } }) => {
      if (!wanted) return null;
      const record = memory.attempts[key];
      if (!record) return null;
      const until =
        record.lastAt + backoffDelayMs(record.count, { ...settings.backoff, seed: `${seed}|${key}` });
      if (now >= until) return null;
      return {
        kind: 'wait',
        waitingFor: 'backoff',
        until,
        reason: `backing off before attempt ${record.count + 1} of ${wanted.fix.kind}`,
      };
    },
  },
  {
    name: 'conflict',
    why: 'CI results are meaningless on a conflicting merge ref; merging base re-triggers CI.',
    apply: (ctx) =>
      ctx.conflict
        ? {
            kind: 'fix_conflict',
            key: ctx.key,
            attempt: attemptNo(ctx),
            reason: 'PR conflicts with its base branch',
          }
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
    apply: ({ ci, pr, input: { memory, settings, now } }) => {
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
    apply: ({ rerunnable, fixable, pr }) =>
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
        ? {
            kind: 'fix_ci',
            key: ctx.key,
            attempt: attemptNo(ctx),
            checks: ctx.fixable,
            reason: `CI failing: ${list(ctx.fixable)}`,
          }
        : null,
  },
  {
    name: 'changes_requested',
    why: "Counted, published, unsuperseded feedback not yet handed to a fixer (also while base is red: reviews are still the PR's own work).",
    apply: (ctx) => {
      const { changesRequested, threads, tokens } = ctx.feedback;
      if (tokens.length === 0) return null;
      return {
        kind: 'fix_review',
        key: ctx.key,
        attempt: attemptNo(ctx),
        reviews: changesRequested,
        threads,
        feedbackTokens: tokens,
        reason: `review feedback: ${changesRequested.length} change request(s), ${threads.length} thread(s)`,
      };
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
        ? {
            kind: 'update_branch',
            key: ctx.key,
            attempt: attemptNo(ctx),
            reason: 'branch is behind its base',
          }
        : null,
  },
  {
    name: 'merge_ready',
    why: 'Nothing blocks: merge (pinned to the checked head SHA) if allowed, else hand over to a person.',
    apply: ({ readiness, pr, input: { settings } }) => {
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

const ROWS: readonly RatchetRule[] = RATCHET_RULES;

/** The rows below the last gate row: what the snapshot calls for, before the gate looks at it. */
export const BELOW_GATE: readonly RatchetRule[] = ROWS.slice(ROWS.findLastIndex((r) => r.gate) + 1);

function attemptNo(ctx: RuleContext): number {
  return (ctx.input.memory.attempts[ctx.key]?.count ?? 0) + 1;
}

/** The first answer of the rows below the gate, when it is a fix. */
function wantedFix(ctx: RuleContext): WantedFix | null {
  for (const rule of BELOW_GATE) {
    const action = rule.apply(ctx);
    if (action) return isFixAction(action) ? { rule: rule.name, fix: action } : null;
  }
  return null;
}

export function decide(input: DecideInput): RatchetAction {
  // Nothing to decide on: the loop waits for its first snapshot (or learns that the PR ended).
  if (!input.pr && !input.ended) throw new Error('decide needs a snapshot or an ended PR');
  const ctx = buildContext(input, wantedFix);
  for (const rule of ROWS) {
    const action = rule.apply(ctx);
    if (!action) continue;
    const name = rule.name as RatchetRuleName;
    const held = rule.gate ? ctx.wanted : null;
    return held ? { ...action, rule: name, holds: held.rule as FixRuleName } : { ...action, rule: name };
  }
  // Unreachable: `not_ready` always answers. Kept total for the type checker.
  return { kind: 'wait', waitingFor: 'branch_protection', reason: 'no rule matched', rule: 'not_ready' };
}

/**
 * What makes two decisions "the same" (the loop records and carries out only a new one). The rule
 * part is the fix row a gate row held back, not the gate row's own name: the gate was part of the
 * fix rows when loops began carrying this string across continue-as-new (`resume.lastSignature`),
 * so a carried stalled or backoff decision must compare equal to the same decision made today, or
 * an upgraded loop would record it again and, on replay, schedule an activity its history lacks.
 */
export function decisionSignature(action: RatchetAction): string {
  const key = 'key' in action ? action.key : '';
  return `${action.kind}|${action.holds ?? action.rule}|${key}|${action.reason}`;
}
