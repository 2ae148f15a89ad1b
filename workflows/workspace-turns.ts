/**
 * Phase 2, one turn: (plan mode, turn 1) a plan session and the person's answer; the agent session,
 * waiting without spending whenever the budget is reached and stoppable by the person; the commit
 * and push; the PR hand-off after the first pushed turn; the status the console reads.
 */
import { CancellationScope, condition, patched } from '@temporalio/workflow';
import type { AgentTurnResult, SessionPurpose } from '../core/agent.js';
import { AGENT_TURN_FAILURE_LIMIT } from '../core/agent-retry.js';
import { keys } from '../core/ids.js';
import {
  approvedPlan,
  commitMessage,
  planRejectedMessage,
  revisionPrompt,
  type PlanDecision,
} from '../core/workspace-steps.js';
import { openPrAfterTurn } from './workspace-pr.js';
import type { Turn, WorkspaceRun } from './workspace-run.js';

/**
 * Agent turns retry worker loss without limit and count real failures in the activity
 * (core/agent-retry.ts); before this patch 8 attempts of either kind failed the workspace.
 */
const AGENT_RETRY_PATCH = 'agent-retry-worker-loss';
/** Plan card: Approve carries its note, Reject ends the turn, Revise plans again with the note. */
const PLAN_REVISE_PATCH = 'plan-revise';
/**
 * Stop: each agent session runs in its own cancellation scope, which the `stopTurn` update
 * cancels; the workflow waits for the activity to finish cancelling (its subprocess killed), then
 * marks the session `cancelled`, records `agent.stopped` and goes idle. Before this patch a turn
 * could not be stopped.
 */
const STOP_TURN_PATCH = 'stop-turn';
/** HEAD is read before each turn's agent, so a commit the agent made itself is the turn's. */
const TURN_BASE_HEAD_PATCH = 'turn-base-head';

/** Runs the next queued turn to its end (done, failed, stopped, plan rejected, or archived meanwhile). */
export async function runTurn(run: WorkspaceRun, t: Turn): Promise<void> {
  const { spec, acts, state } = run;
  const turn = state.turnsDone + 1;
  let vars: Record<string, unknown> | undefined;
  if (turn === 1 && spec.agent.mode === 'plan') {
    const plan = patched(PLAN_REVISE_PATCH)
      ? await planWithRevisions(run, turn, t)
      : await planApprovedOnce(run, turn, t);
    if (plan.kind === 'stopped') return endStopped(run);
    if (plan.kind === 'ended') return;
    vars = { plan: plan.text };
  }
  // HEAD before the agent: if it commits by itself, that commit is the turn's and gets pushed.
  const baseHead = patched(TURN_BASE_HEAD_PATCH)
    ? (await acts.git.readHead({ worktreePath: spec.worktreePath })).sha
    : undefined;
  const result = await runSession(run, turn, t.purpose, t.text, 'agent', vars);
  if (run.stoppedSession) return endStopped(run);
  if (!result) return;
  if (result.status === 'failed') {
    await run.setStatus(
      'failed',
      `Agent turn ${turn} failed: ${result.summary}`,
      'agent_failed',
      result.summary,
    );
    state.turnsDone = turn;
    return;
  }
  await run.setStatus('pushing', `Committing turn ${turn}`);
  const commit = await acts.git.commitTurn({
    worktreePath: spec.worktreePath,
    workspaceId: spec.workspaceId,
    turn,
    message: commitMessage(spec.title, t.text, turn),
    baseHead,
  });
  if (commit.commit && spec.push) {
    await acts.git.pushBranch({
      workspaceId: spec.workspaceId,
      worktreePath: spec.worktreePath,
      remote: spec.remote,
      branch: spec.branch,
    });
  }
  await openPrAfterTurn(run, Boolean(commit.commit));
  state.lastCommit = commit.commit ?? state.lastCommit;
  const what = commit.commit
    ? `committed ${commit.commit.slice(0, 8)}${spec.push ? ' and pushed' : ''}`
    : 'no changes to commit';
  await run.setStatus(run.prOpen ? 'pr_open' : 'idle', `Turn ${turn} done: ${what}`);
  // Counted only once its status is in the read model: a reader that waits for `turnsDone` then
  // sees the row say so too, and a follow-up queued meanwhile is numbered after this turn.
  state.turnsDone = turn;
}

/** How the plan step ended: a plan to implement, a Stop, or the turn over (rejected, archived, budget). */
type PlanOutcome = { kind: 'approved'; text: string } | { kind: 'stopped' } | { kind: 'ended' };

/** Plan mode with `plan-revise`: approve (with a note), reject (idle, turn counted) or revise (plan again). */
async function planWithRevisions(run: WorkspaceRun, turn: number, t: Turn): Promise<PlanOutcome> {
  const { requests } = run;
  let plan = await runSession(run, turn, 'plan', t.text, 'plan');
  if (run.stoppedSession) return { kind: 'stopped' };
  if (!plan) return { kind: 'ended' };
  for (let revision = 2; ; revision++) {
    requests.planAnswer = null;
    await run.setStatus('awaiting_plan_approval', 'Plan ready; waiting for approval', 'plan');
    await condition(() => requests.planAnswer !== null || requests.archive);
    if (requests.archive) return { kind: 'ended' };
    const answer = requests.planAnswer as unknown as { decision: PlanDecision; note?: string };
    if (answer.decision === 'reject') {
      await run.setStatus('idle', planRejectedMessage(answer.note));
      run.state.turnsDone = turn;
      return { kind: 'ended' };
    }
    if (answer.decision === 'approve')
      return { kind: 'approved', text: approvedPlan(plan.summary, answer.note) };
    // Revise: the agent plans again from its previous plan and the person's note.
    const again = revisionPrompt(t.text, plan.summary, answer.note);
    const revised = await runSession(run, turn, 'plan', again, 'plan', undefined, revision);
    if (run.stoppedSession) return { kind: 'stopped' };
    if (!revised) return { kind: 'ended' };
    plan = revised;
  }
}

/** Plan mode before `plan-revise`: one plan, approved or the workspace archived. */
async function planApprovedOnce(run: WorkspaceRun, turn: number, t: Turn): Promise<PlanOutcome> {
  const { requests } = run;
  const plan = await runSession(run, turn, 'plan', t.text, 'plan');
  if (!plan) return { kind: 'ended' };
  requests.planApproved = false;
  await run.setStatus('awaiting_plan_approval', 'Plan ready; waiting for approval', 'plan');
  await condition(() => requests.planApproved || requests.archive);
  if (requests.archive) return { kind: 'ended' };
  return { kind: 'approved', text: plan.summary };
}

/**
 * Runs one agent session, waiting (without spending) whenever the budget is exhausted. Null when
 * the turn ends without a result: stopped (`run.stoppedSession` set), budget wait cancelled, or
 * archived while waiting.
 */
async function runSession(
  run: WorkspaceRun,
  turn: number,
  purpose: SessionPurpose,
  text: string,
  mode: 'agent' | 'plan',
  templateVars?: Record<string, unknown>,
  revision?: number,
): Promise<AgentTurnResult | null> {
  const { spec, acts, requests, timings } = run;
  const sessionId = keys.session(spec.workspaceId, turn, purpose, revision);
  for (;;) {
    await run.setStatus('agent_running', `Agent turn ${turn} (${purpose}) started`);
    const request = { spec, turn, purpose, prompt: text, sessionId, mode, templateVars };
    const stoppable = patched(STOP_TURN_PATCH);
    const call = () =>
      patched(AGENT_RETRY_PATCH)
        ? (stoppable ? acts.agentsStoppable : acts.agentsUnbounded).runAgentTurn({
            ...request,
            retry: { limit: AGENT_TURN_FAILURE_LIMIT, baseMs: timings.agentRetryBaseMs },
          })
        : acts.agents.runAgentTurn(request);
    let result: AgentTurnResult;
    if (stoppable) {
      const scope = new CancellationScope();
      run.running = { scope, turn, sessionId };
      requests.stop = null;
      try {
        result = await scope.run(call);
      } catch (err) {
        // After a Stop, however the activity ended (cancelled, or timed out on a lost worker
        // while cancelling), the person asked for it: the turn is stopped, not failed.
        if (requests.stop === null) throw err;
        run.stoppedSession = { turn, sessionId, reason: (requests.stop as { reason?: string }).reason };
        return null;
      } finally {
        run.running = null;
        requests.stop = null;
      }
      // A Stop that came as the activity completed: it finished first, so it counts as done.
    } else {
      result = await call();
    }
    if (result.fellBackTo) {
      await run.event('agent.fallback', `Primary provider kept failing; switched to ${result.fellBackTo}`, {
        level: 'warn',
        what: 'fallback',
      });
    }
    if (result.status !== 'awaiting_budget') return result;
    requests.budget = null;
    await run.setStatus(
      'awaiting_budget',
      `Budget reached after $${result.costUsd.toFixed(4)}; waiting for approval`,
      'budget',
    );
    await condition(() => requests.budget !== null || requests.archive);
    if (requests.archive || (requests.budget as { cancel: boolean } | null)?.cancel) return null;
  }
}

/** Ends a turn a Stop cut short: the session `cancelled`, a timeline event, the workspace idle. */
async function endStopped(run: WorkspaceRun): Promise<void> {
  const stopped = run.stoppedSession!;
  run.stoppedSession = null;
  await run.acts.store.markSessionStopped({ sessionId: stopped.sessionId });
  await run.event(
    'agent.stopped',
    `Agent turn ${stopped.turn} stopped${stopped.reason ? `: ${stopped.reason}` : ''}; what it said is kept`,
    { level: 'warn', data: { turn: stopped.turn, sessionId: stopped.sessionId }, what: 'stopped' },
  );
  await run.setStatus(
    run.prOpen ? 'pr_open' : 'idle',
    `Turn ${stopped.turn} stopped; send a follow-up to continue`,
  );
  run.state.turnsDone = stopped.turn;
}
