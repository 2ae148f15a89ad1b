/**
 * The workspace workflow's decisions, pure: what to do next between turns, when to continue as
 * new, when to open the PR, and which requests from the console to refuse (with the message the
 * console shows). `workflows/workspace.ts` carries out the answers.
 */
import type { WorkspaceStatus } from './workspace.js';

/** Stop growing one run's history after this many turns (continue-as-new carries the state). */
export const TURNS_PER_RUN = 25;

/** The person's answer to a plan (the `approvePlan` update's `decision`; same union as in workflows/messages.ts). */
export type PlanDecision = 'approve' | 'reject' | 'revise';
const PLAN_DECISIONS: readonly string[] = ['approve', 'reject', 'revise'] satisfies PlanDecision[];

export type WorkspaceStep = 'archive' | 'open_pr' | 'lend' | 'turn' | 'wait';

export interface BetweenTurns {
  archiveRequested: boolean;
  openPrRequested: boolean;
  /** No fixer holds the worktree. */
  worktreeFree: boolean;
  fixersWaiting: boolean;
  turnsQueued: boolean;
}

/** The next step between turns; the workflow waits until it is not `wait`. */
export function nextWorkspaceStep(s: BetweenTurns): WorkspaceStep {
  // Archiving wins: what is queued goes with the worktree, a holding fixer is waited for.
  if (s.archiveRequested) return 'archive';
  // Opening the PR touches only GitHub: it is answered even while a fixer holds the worktree.
  if (s.openPrRequested) return 'open_pr';
  // A fixer edits the worktree: neither a turn nor another fixer may start.
  if (!s.worktreeFree) return 'wait';
  // Fixers first: they answer the PR's state, and the next turn then builds on their push.
  if (s.fixersWaiting) return 'lend';
  if (s.turnsQueued) return 'turn';
  // Nothing asked (a waiting fixer may have withdrawn while the last step ran).
  return 'wait';
}

/** After a turn: continue as new after `TURNS_PER_RUN` turns in this run, or when the server suggests it. */
export function continuesAsNew(turnsThisRun: number, suggested: () => boolean): boolean {
  return turnsThisRun >= TURNS_PER_RUN || suggested();
}

/**
 * After a pushed turn: open the PR and start the ratchet loop, once per run (both idempotent, so
 * a run after continue-as-new looks again), when the branch is pushed to GitHub with the ratchet on
 * and there is a commit (this turn's, or an earlier one).
 */
export function opensPrAfterTurn(p: {
  push: boolean;
  github: boolean;
  ratchetEnabled: boolean;
  prOpen: boolean;
  committed: boolean;
  lastCommit: string | null;
}): boolean {
  return p.push && p.github && p.ratchetEnabled && !p.prOpen && (p.committed || p.lastCommit !== null);
}

/** Why the `openPr` request (ratchet off) cannot be carried out, or null when it can. */
export function openPrRefusal(p: {
  github: boolean;
  push: boolean;
  lastCommit: string | null;
}): string | null {
  if (!p.github) return 'the project has no GitHub remote';
  if (!p.push) return 'this workspace does not push its branch';
  if (p.lastCommit === null) return 'nothing has been committed and pushed yet';
  return null;
}

/** A turn's commit message: the title (with the follow-up number), the prompt as the body. */
export function commitMessage(title: string, text: string, turn: number): string {
  const subject = turn === 1 ? title : `${title}: follow-up ${turn - 1}`;
  const body = text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
  return `${subject.slice(0, 72)}\n\n${body}`;
}

/** The `plan` variable of the implementation after an approval, with the approver's note. */
export function approvedPlan(summary: string, note: string | undefined): string {
  return note ? `${summary}\n\nNote from the person who approved it:\n${note}` : summary;
}

/** The prompt of a revised plan session: the task, the previous plan and the person's note. */
export function revisionPrompt(task: string, previousPlan: string, note: string | undefined): string {
  return `${task}\n\nYour previous plan:\n${previousPlan}\n\nRevise it as the person asks:\n${note ?? ''}`;
}

/** The idle message after a rejected plan. */
export function planRejectedMessage(note: string | undefined): string {
  return `Plan rejected${note ? `: ${note}` : ''}; send a follow-up to start again`;
}

// --- Refusals of the console's updates (the validator throws the message; the console answers 409/422) ---

/** `sendMessage`: refused once archiving, or without text. */
export function sendMessageRefusal(archived: boolean, text: unknown): string | null {
  if (archived) return 'workspace is archived';
  if (typeof text !== 'string' || text.trim() === '') return 'text must be a non-empty string';
  return null;
}

/** `stopTurn`: refused with no agent session running, or one already stopping. */
export function stopTurnRefusal(p: {
  running: boolean;
  stopping: boolean;
  status: WorkspaceStatus;
}): string | null {
  if (!p.running) return `no agent turn is running (status is ${p.status})`;
  if (p.stopping) return 'this turn is already stopping';
  return null;
}

/** `approvePlan`: only while a plan waits; a revision needs a note for the agent. */
export function planAnswerRefusal(
  status: WorkspaceStatus,
  input: { decision?: string; note?: string } | undefined,
): string | null {
  if (status !== 'awaiting_plan_approval') return `no plan is waiting for approval (status is ${status})`;
  const decision = input?.decision ?? 'approve';
  if (!PLAN_DECISIONS.includes(decision)) return 'decision must be approve, reject or revise';
  if (decision === 'revise' && !input?.note?.trim()) return 'a revision needs a note for the agent';
  return null;
}

/** The decision of an accepted `approvePlan` (approve when none is given). */
export function planDecisionOf(input: { decision?: PlanDecision } | undefined): PlanDecision {
  return input?.decision ?? 'approve';
}

/** `budget`: a raise must be positive; `recheck` alone only while waiting for budget. */
export function budgetRefusal(
  status: WorkspaceStatus,
  input: { budgetUsd?: number; cancel?: boolean; recheck?: boolean },
): string | null {
  const { budgetUsd, cancel, recheck } = input;
  if (budgetUsd === undefined && !cancel && !recheck) return 'give budgetUsd, cancel or recheck';
  if (recheck && budgetUsd === undefined && !cancel && status !== 'awaiting_budget')
    return `not waiting for budget (status is ${status})`;
  if (budgetUsd !== undefined && !(budgetUsd > 0)) return 'budgetUsd must be a positive number';
  return null;
}
