/**
 * workspaceWorkflow (ID `workspace/<id>`): worktree → setup → agent turn → commit → push, then
 * more turns on `sendMessage`, until `archive`. Temporal holds the progress; every transition is
 * written to the read model through the store activities, keyed so a replay writes nothing twice.
 */
import {
  ActivityCancellationType,
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { AgentTurnResult, SessionPurpose } from '../core/agent.js';
import { AGENT_TURN_FAILURE_LIMIT } from '../core/agent-retry.js';
import { ErrorTypes } from '../core/errors.js';
import { formatZodIssues } from '../core/config.js';
import { trustDecisionRefusal, type DecideTrustInput, type PendingTrust } from '../core/script-trust.js';
import {
  MESSAGE_KEYS_KEPT,
  queueMessageInputSchema,
  worktreeRequestSchema,
  workspaceTimingsSchema,
  workspaceWorkflowInputSchema,
  type WorktreeRequest,
  type WorkspaceState,
  type WorkspaceStatus,
  type WorkspaceWorkflowInput,
} from '../core/workspace.js';
import type { AgentActivities } from '../activities/agents/activities.js';
import type { GitActivities } from '../activities/git.js';
import type { SetupActivities } from '../activities/setup.js';
import type { StoreActivities } from '../activities/store/index.js';
import {
  boundedAgentRetry,
  localRetry,
  storeOptions,
  timeouts,
  workerLossAgentRetry,
} from './activity-options.js';
import {
  approvePlanUpdate,
  archiveSignal,
  budgetUpdate,
  decideTrustUpdate,
  openPrSignal,
  queueMessageSignal,
  releaseWorktreeSignal,
  requestWorktreeSignal,
  sendMessageUpdate,
  stateQuery,
  stopTurnUpdate,
  worktreeGrantSignal,
  type PlanDecision,
} from './messages.js';
import { adoptPullRequestOnce, openPullRequestOnce, openPullRequestWithoutRatchet } from './ratchet-start.js';
import { stopSignal } from './ratchet-messages.js';
import { workflowIds } from '../core/ids.js';

/** Stop growing one run's history after this many turns (continue-as-new carries the state). */
const TURNS_PER_RUN = 25;
/**
 * Continue-as-new is thrown through the workflow's `catch`; before this patch the catch recorded
 * it as a failure (status `failed`, an activity run after the new run's input was fixed, so a
 * follow-up accepted meanwhile was left behind in the closing run). Now it is rethrown untouched.
 */
const CAN_NOT_A_FAILURE_PATCH = 'can-not-a-failure';
/** Archiving signals `stop` to the PR's ratchet loop first (before it, the loop kept dispatching fixers into a removed worktree). */
const ARCHIVE_STOPS_RATCHET_PATCH = 'archive-stops-ratchet';
/** The `openPr` signal: a workspace with the ratchet off opens its PR when the person asks. */
const OPEN_PR_ON_REQUEST_PATCH = 'open-pr-on-request';
/**
 * Agent turns retry worker loss without limit and count real failures in the activity
 * (core/agent-retry.ts); before this patch 8 attempts of either kind failed the workspace.
 */
const AGENT_RETRY_PATCH = 'agent-retry-worker-loss';
/** Plan card: Approve carries its note, Reject ends the turn, Revise plans again with the note. */
const PLAN_REVISE_PATCH = 'plan-revise';
/**
 * "Ratchet this PR" (`spec.adopt`): after setup the adopted PR is recorded and its loop started, and
 * no implement turn runs. Only a workspace with `adopt` asks, so older histories never meet it.
 */
const ADOPT_PR_PATCH = 'adopt-pr';
/**
 * Stop: each agent session runs in its own cancellation scope, which the `stopTurn` update
 * cancels; the workflow waits for the activity to finish cancelling (its subprocess killed), then
 * marks the session `cancelled`, records `agent.stopped` and goes idle. Before this patch a turn
 * could not be stopped.
 */
const STOP_TURN_PATCH = 'stop-turn';

function proxies(heartbeatTimeoutMs: number, setupTimeoutMs: number, agentRetryBaseMs: number) {
  const store = proxyActivities<StoreActivities>(storeOptions);
  // Git: bounded by git's own timeout; heartbeats while a command runs so a dead worker is noticed fast.
  const git = proxyActivities<GitActivities>({
    startToCloseTimeout: timeouts.git,
    heartbeatTimeout: heartbeatTimeoutMs,
    retry: localRetry(10),
  });
  const setup = proxyActivities<SetupActivities>({
    startToCloseTimeout: setupTimeoutMs + 60_000,
    heartbeatTimeout: heartbeatTimeoutMs,
    retry: localRetry(3),
  });
  // Long: agent sessions resume from their transcript on retry (runs from before the patch).
  const agents = proxyActivities<AgentActivities>({
    startToCloseTimeout: timeouts.agentTurn,
    heartbeatTimeout: heartbeatTimeoutMs,
    retry: boundedAgentRetry,
  });
  // Worker loss: unlimited, constant delay; real failures: bounded and backed off by the activity.
  const agentsUnbounded = proxyActivities<AgentActivities>({
    startToCloseTimeout: timeouts.agentTurn,
    heartbeatTimeout: heartbeatTimeoutMs,
    retry: workerLossAgentRetry(agentRetryBaseMs),
  });
  // The same, cancellable by Stop: the workflow waits until the activity has seen the cancellation
  // (through its heartbeat) and killed what it runs, so the next turn never meets a leftover CLI.
  const agentsStoppable = proxyActivities<AgentActivities>({
    startToCloseTimeout: timeouts.agentTurn,
    heartbeatTimeout: heartbeatTimeoutMs,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: workerLossAgentRetry(agentRetryBaseMs),
  });
  return { store, git, setup, agents, agentsUnbounded, agentsStoppable };
}

interface Turn {
  text: string;
  purpose: SessionPurpose;
}

export async function workspaceWorkflow(rawInput: WorkspaceWorkflowInput): Promise<WorkspaceState> {
  // Input comes from outside (console, API): refuse it with the field named, before any side effect.
  const parsed = workspaceWorkflowInputSchema.safeParse(rawInput);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(
      `Invalid workspace input: ${formatZodIssues(parsed.error, 'input')}`,
      ErrorTypes.ConfigInvalid,
    );
  }
  const input = parsed.data;
  const { spec } = input;
  const timings = workspaceTimingsSchema.parse(input.timings ?? {});
  const { store, git, setup, agents, agentsUnbounded, agentsStoppable } = proxies(
    timings.heartbeatTimeoutMs,
    timings.setupTimeoutMs,
    timings.agentRetryBaseMs,
  );
  const info = workflowInfo();
  let writeNo = 0;
  const key = (what: string) => `${info.workflowId}/${info.runId}/${++writeNo}/${what}`;

  const state: WorkspaceState = {
    workspaceId: spec.workspaceId,
    status: 'creating_worktree',
    reason: null,
    turnsDone: input.resume?.turnsDone ?? 0,
    pendingMessages: 0,
    lastCommit: input.resume?.lastCommit ?? null,
    archived: false,
  };
  const queue: Turn[] = (input.resume?.pending ?? []).map((text) => ({ text, purpose: 'followup' }));
  let archiveRequested = false;
  let openPrRequested = false;
  // After continue-as-new this is false again; reopening is a cheap idempotent look (no second PR).
  let prOpen = false;
  let planApproved = false;
  let planAnswer: { decision: PlanDecision; note?: string } | null = null;
  let budgetDecision: { cancel: boolean } | null = null;
  // Trust before scripts: the script waiting for the person's decision, and the decision once given.
  let pendingTrust: PendingTrust | null = null;
  let trustDecision: DecideTrustInput['decision'] | null = null;
  const turnsAtStart = state.turnsDone;
  // The worktree lease: fixers (children of the ratchet) and this workflow's own turns edit, commit
  // and push in the same worktree, so it is lent to one fixer at a time, only between turns.
  let lease: WorktreeRequest | null = input.resume?.lease?.holder ?? null;
  const waiting: WorktreeRequest[] = [...(input.resume?.lease?.waiting ?? [])];
  let lentTo: string | null = lease?.holder ?? null;
  // Stop: the scope of the agent session running now (null between sessions), and the session a
  // Stop ended, until the turn has recorded it.
  let running: { scope: CancellationScope; turn: number; sessionId: string } | null = null;
  let stopRequest: { reason?: string } | null = null;
  let stoppedSession: { turn: number; sessionId: string; reason?: string } | null = null;

  const setStatus = async (
    status: WorkspaceStatus,
    message: string,
    reason: string | null = null,
    error?: string | null,
  ) => {
    state.status = status;
    state.reason = reason;
    await store.setStatus({
      workspaceId: spec.workspaceId,
      status,
      reason,
      error,
      message,
      dedupeKey: key(`status-${status}`),
    });
  };

  setHandler(stateQuery, () => ({
    ...state,
    pendingMessages: queue.length,
    worktreeHeldBy: lease?.holder ?? null,
    pendingTrust,
  }));
  setHandler(requestWorktreeSignal, (req) => {
    // A malformed request is dropped (its sender waits; nothing here can answer a bad address).
    const parsed = worktreeRequestSchema.safeParse(req);
    if (!parsed.success) return;
    const known =
      lease?.holder === parsed.data.holder || waiting.some((w) => w.holder === parsed.data.holder);
    if (!known) waiting.push(parsed.data);
  });
  setHandler(releaseWorktreeSignal, ({ holder }) => {
    if (lease?.holder === holder) lease = null;
    const i = waiting.findIndex((w) => w.holder === holder);
    if (i >= 0) waiting.splice(i, 1);
  });
  // Follow-ups by signal: the console's POST returns once the server has it, worker or not. A
  // resent message (same idempotency key) is dropped; keys are kept across continue-as-new.
  const messageKeys: string[] = [...(input.resume?.messageKeys ?? [])];
  setHandler(queueMessageSignal, (raw) => {
    const parsed = queueMessageInputSchema.safeParse(raw);
    if (!parsed.success || archiveRequested || state.archived) return;
    if (messageKeys.includes(parsed.data.key)) return;
    messageKeys.push(parsed.data.key);
    if (messageKeys.length > MESSAGE_KEYS_KEPT) messageKeys.splice(0, messageKeys.length - MESSAGE_KEYS_KEPT);
    queue.push({ text: parsed.data.text, purpose: 'followup' });
  });
  setHandler(openPrSignal, () => {
    openPrRequested = true;
  });
  setHandler(archiveSignal, () => {
    archiveRequested = true;
  });
  setHandler(
    sendMessageUpdate,
    ({ text }) => {
      queue.push({ text, purpose: 'followup' });
      return { turn: state.turnsDone + queue.length };
    },
    {
      validator: ({ text }) => {
        if (archiveRequested || state.archived) throw new Error('workspace is archived');
        if (typeof text !== 'string' || text.trim() === '')
          throw new Error('text must be a non-empty string');
      },
    },
  );
  setHandler(
    stopTurnUpdate,
    (input) => {
      const now = running!;
      stopRequest = { reason: input?.reason };
      now.scope.cancel();
      return { stopped: true as const, turn: now.turn, sessionId: now.sessionId };
    },
    {
      validator: (_input) => {
        if (running === null) throw new Error(`no agent turn is running (status is ${state.status})`);
        if (stopRequest !== null) throw new Error('this turn is already stopping');
      },
    },
  );
  setHandler(
    approvePlanUpdate,
    (input) => {
      const decision = input?.decision ?? 'approve';
      planApproved = decision === 'approve';
      planAnswer = { decision, note: input?.note };
      return { approved: decision === 'approve' };
    },
    {
      validator: (input) => {
        if (state.status !== 'awaiting_plan_approval')
          throw new Error(`no plan is waiting for approval (status is ${state.status})`);
        const decision = input?.decision ?? 'approve';
        if (!['approve', 'reject', 'revise'].includes(decision))
          throw new Error('decision must be approve, reject or revise');
        if (decision === 'revise' && !input?.note?.trim())
          throw new Error('a revision needs a note for the agent');
      },
    },
  );
  setHandler(
    decideTrustUpdate,
    ({ decision }) => {
      trustDecision = decision;
      return { decision };
    },
    {
      validator: (input) => {
        const refusal = trustDecisionRefusal(trustDecision === null ? pendingTrust : null, input);
        if (refusal) throw new Error(refusal);
      },
    },
  );
  setHandler(
    budgetUpdate,
    async ({ budgetUsd, cancel }) => {
      // `recheck` alone changes nothing here: the wait ends and the next model call reads the caps again.
      if (budgetUsd !== undefined) await store.setBudget({ workspaceId: spec.workspaceId, budgetUsd });
      budgetDecision = { cancel: cancel ?? false };
      return { budgetUsd: budgetUsd ?? null };
    },
    {
      validator: ({ budgetUsd, cancel, recheck }) => {
        if (budgetUsd === undefined && !cancel && !recheck)
          throw new Error('give budgetUsd, cancel or recheck');
        if (recheck && budgetUsd === undefined && !cancel && state.status !== 'awaiting_budget') {
          throw new Error(`not waiting for budget (status is ${state.status})`);
        }
        if (budgetUsd !== undefined && !(budgetUsd > 0))
          throw new Error('budgetUsd must be a positive number');
      },
    },
  );

  /** Lends the worktree to the next waiting fixer that is still there to take it. */
  const lendWorktree = async () => {
    while (lease === null && waiting.length > 0) {
      const next = waiting.shift()!;
      try {
        await getExternalWorkflowHandle(next.workflowId).signal(worktreeGrantSignal, {
          holder: next.holder,
          granted: true,
        });
      } catch {
        continue; // That fixer is gone; nobody to lend to.
      }
      lease = next;
      lentTo = next.holder;
      await store.recordEvent({
        workspaceId: spec.workspaceId,
        kind: 'worktree.lent',
        message: `Worktree lent to ${next.holder}`,
        dedupeKey: key('lent'),
      });
    }
  };

  /** Records the return of the worktree once its holder released it. */
  const noteReturned = async () => {
    if (lentTo === null || lease !== null) return;
    await store.recordEvent({
      workspaceId: spec.workspaceId,
      kind: 'worktree.returned',
      message: `Worktree returned by ${lentTo}`,
      dedupeKey: key('returned'),
    });
    lentTo = null;
  };

  /** Runs one agent session, waiting (without spending) whenever the budget is exhausted. */
  const runSession = async (
    turn: number,
    purpose: SessionPurpose,
    text: string,
    mode: 'agent' | 'plan',
    templateVars?: Record<string, unknown>,
    sessionSuffix = '',
  ): Promise<AgentTurnResult | null> => {
    const sessionId = `${spec.workspaceId}-t${turn}-${purpose}${sessionSuffix}`;
    for (;;) {
      await setStatus('agent_running', `Agent turn ${turn} (${purpose}) started`);
      const request = { spec, turn, purpose, prompt: text, sessionId, mode, templateVars };
      const stoppable = patched(STOP_TURN_PATCH);
      const call = () =>
        patched(AGENT_RETRY_PATCH)
          ? (stoppable ? agentsStoppable : agentsUnbounded).runAgentTurn({
              ...request,
              retry: { limit: AGENT_TURN_FAILURE_LIMIT, baseMs: timings.agentRetryBaseMs },
            })
          : agents.runAgentTurn(request);
      let result: AgentTurnResult;
      if (stoppable) {
        const scope = new CancellationScope();
        running = { scope, turn, sessionId };
        stopRequest = null;
        try {
          result = await scope.run(call);
        } catch (err) {
          // After a Stop, however the activity ended (cancelled, or timed out on a lost worker
          // while cancelling), the person asked for it: the turn is stopped, not failed.
          if (stopRequest === null) throw err;
          stoppedSession = { turn, sessionId, reason: (stopRequest as { reason?: string }).reason };
          return null;
        } finally {
          running = null;
          stopRequest = null;
        }
        // A Stop that came as the activity completed: it finished first, so it counts as done.
      } else {
        result = await call();
      }
      if (result.fellBackTo) {
        await store.recordEvent({
          workspaceId: spec.workspaceId,
          kind: 'agent.fallback',
          level: 'warn',
          message: `Primary provider kept failing; switched to ${result.fellBackTo}`,
          dedupeKey: key('fallback'),
        });
      }
      if (result.status !== 'awaiting_budget') return result;
      budgetDecision = null;
      await setStatus(
        'awaiting_budget',
        `Budget reached after $${result.costUsd.toFixed(4)}; waiting for approval`,
        'budget',
      );
      await condition(() => budgetDecision !== null || archiveRequested);
      if (archiveRequested || (budgetDecision as { cancel: boolean } | null)?.cancel) return null;
    }
  };

  /** Ends a turn a Stop cut short: the session `cancelled`, a timeline event, the workspace idle. */
  const endStopped = async (): Promise<void> => {
    const stopped = stoppedSession!;
    stoppedSession = null;
    await store.markSessionStopped({ sessionId: stopped.sessionId });
    await store.recordEvent({
      workspaceId: spec.workspaceId,
      kind: 'agent.stopped',
      level: 'warn',
      message: `Agent turn ${stopped.turn} stopped${stopped.reason ? `: ${stopped.reason}` : ''}; what it said is kept`,
      data: { turn: stopped.turn, sessionId: stopped.sessionId },
      dedupeKey: key('stopped'),
    });
    await setStatus(
      prOpen ? 'pr_open' : 'idle',
      `Turn ${stopped.turn} stopped; send a follow-up to continue`,
    );
    state.turnsDone = stopped.turn;
  };

  /**
   * The setup script runs only when this project trusts its exact text (`script-trust` patch):
   * trusted → runs; untrusted → `awaiting_trust` until the person approves (trust recorded, then
   * it runs) or skips (recorded, visibly not run); no script or a broken config → nothing runs.
   */
  const runTrustedSetup = async () => {
    await setStatus('setting_up', 'Checking the setup script');
    const check = await setup.checkScriptTrust({
      projectId: spec.projectId,
      worktreePath: spec.worktreePath,
      kind: 'setup',
    });
    const event = (
      kind: string,
      message: string,
      level: 'info' | 'warn' | 'error' = 'info',
      data?: unknown,
    ) =>
      store.recordEvent({ workspaceId: spec.workspaceId, kind, level, message, data, dedupeKey: key(kind) });
    if (check.state === 'no_script') return event('setup.skipped', 'No setup script in .ratchet/config.json');
    if (check.state === 'invalid_config') return event('setup.failed', check.error, 'error');
    const run = async (sha256: string) => {
      await setup.runSetupScript({
        workspaceId: spec.workspaceId,
        worktreePath: spec.worktreePath,
        defaultTimeoutMs: timings.setupTimeoutMs,
        trustedSha256: sha256,
      });
    };
    if (check.state === 'trusted') {
      await event(
        'trust.trusted',
        `Setup script approved before for this project (sha256 ${check.sha256.slice(0, 12)}…)`,
        'info',
        { kind: check.kind, sha256: check.sha256 },
      );
      return run(check.sha256);
    }
    const { kind, sha256, script } = check;
    pendingTrust = { kind, sha256, script };
    trustDecision = null;
    const asked = check.previously === 'rejected' ? ' (you ran without this exact script before)' : '';
    await event(
      'trust.requested',
      `The ${kind} script has not been approved for this project${asked}; it runs only once you approve it`,
      'warn',
      { kind, sha256, script },
    );
    await store.recordNotification({
      workspaceId: spec.workspaceId,
      level: 'warn',
      title: `Approve the ${kind} script of "${spec.title}"?`,
      body: script.length > 2000 ? `${script.slice(0, 2000)}…` : script,
      dedupeKey: `trust/${spec.workspaceId}/${sha256}`,
    });
    await setStatus('awaiting_trust', `Waiting for you to approve the ${kind} script`, 'trust');
    await condition(() => trustDecision !== null || archiveRequested);
    pendingTrust = null;
    if (trustDecision === null) return; // archived while waiting: nothing runs
    const approved = (trustDecision as DecideTrustInput['decision']) === 'approve';
    await setup.recordScriptTrust({
      projectId: spec.projectId,
      workspaceId: spec.workspaceId,
      kind,
      sha256,
      script,
      decision: approved ? 'approved' : 'rejected',
    });
    if (!approved) {
      return event('setup.skipped', `You chose to run without the ${kind} script; it was not run`, 'warn', {
        kind,
        sha256,
        decision: 'skip',
      });
    }
    await event(
      'trust.approved',
      `You approved the ${kind} script (sha256 ${sha256.slice(0, 12)}…) for this project`,
      'info',
      { kind, sha256 },
    );
    await setStatus('setting_up', 'Running the approved setup script');
    return run(sha256);
  };

  /** The person asked for the PR (ratchet off): open it without a loop, once there is a pushed commit. */
  const openPrOnRequest = async () => {
    const refusal = !spec.github
      ? 'the project has no GitHub remote'
      : !spec.push
        ? 'this workspace does not push its branch'
        : state.lastCommit === null
          ? 'nothing has been committed and pushed yet'
          : null;
    if (refusal) {
      await store.recordEvent({
        workspaceId: spec.workspaceId,
        kind: 'pr.not_opened',
        level: 'warn',
        message: `Pull request not opened: ${refusal}`,
        dedupeKey: key('pr-refused'),
      });
      return;
    }
    const pr = await openPullRequestWithoutRatchet({ spec, dedupeKey: key('pr') });
    prOpen = prOpen || pr !== null;
    if (pr) await setStatus('pr_open', `Pull request #${pr.number} opened (ratchet off)`);
  };

  const runTurn = async (t: Turn) => {
    const turn = state.turnsDone + 1;
    let vars: Record<string, unknown> | undefined;
    if (turn === 1 && spec.agent.mode === 'plan' && patched(PLAN_REVISE_PATCH)) {
      let plan = await runSession(turn, 'plan', t.text, 'plan');
      if (stoppedSession) return endStopped();
      if (!plan) return;
      for (let revision = 2; ; revision++) {
        planAnswer = null;
        await setStatus('awaiting_plan_approval', 'Plan ready; waiting for approval', 'plan');
        await condition(() => planAnswer !== null || archiveRequested);
        if (archiveRequested) return;
        const answer = planAnswer as unknown as { decision: PlanDecision; note?: string };
        if (answer.decision === 'reject') {
          await setStatus(
            'idle',
            `Plan rejected${answer.note ? `: ${answer.note}` : ''}; send a follow-up to start again`,
          );
          state.turnsDone = turn;
          return;
        }
        if (answer.decision === 'approve') {
          vars = {
            plan: answer.note
              ? `${plan.summary}\n\nNote from the person who approved it:\n${answer.note}`
              : plan.summary,
          };
          break;
        }
        // Revise: the agent plans again from its previous plan and the person's note.
        const again = `${t.text}\n\nYour previous plan:\n${plan.summary}\n\nRevise it as the person asks:\n${answer.note ?? ''}`;
        const revised = await runSession(turn, 'plan', again, 'plan', undefined, `-r${revision}`);
        if (stoppedSession) return endStopped();
        if (!revised) return;
        plan = revised;
      }
    } else if (turn === 1 && spec.agent.mode === 'plan') {
      const plan = await runSession(turn, 'plan', t.text, 'plan');
      if (!plan) return;
      planApproved = false;
      await setStatus('awaiting_plan_approval', 'Plan ready; waiting for approval', 'plan');
      await condition(() => planApproved || archiveRequested);
      if (archiveRequested) return;
      vars = { plan: plan.summary };
    }
    // HEAD before the agent: if it commits by itself, that commit is the turn's and gets pushed.
    const baseHead = patched('turn-base-head')
      ? (await git.readHead({ worktreePath: spec.worktreePath })).sha
      : undefined;
    const result = await runSession(turn, t.purpose, t.text, 'agent', vars);
    if (stoppedSession) return endStopped();
    if (!result) return;
    if (result.status === 'failed') {
      await setStatus(
        'failed',
        `Agent turn ${turn} failed: ${result.summary}`,
        'agent_failed',
        result.summary,
      );
      state.turnsDone = turn;
      return;
    }
    await setStatus('pushing', `Committing turn ${turn}`);
    const commit = await git.commitTurn({
      worktreePath: spec.worktreePath,
      workspaceId: spec.workspaceId,
      turn,
      message: commitMessage(spec.title, t.text, turn),
      baseHead,
    });
    if (commit.commit && spec.push) {
      await git.pushBranch({
        workspaceId: spec.workspaceId,
        worktreePath: spec.worktreePath,
        remote: spec.remote,
        branch: spec.branch,
      });
    }
    // First pushed turn on a GitHub repo: open the PR and start the ratchet loop (both idempotent).
    if (spec.push && spec.github && spec.ratchet.enabled && !prOpen && (commit.commit || state.lastCommit)) {
      await setStatus('pushing', 'Opening the pull request');
      const pr = await openPullRequestOnce({ spec, timings, dedupeKey: key('pr') });
      prOpen = pr !== null;
    }
    state.lastCommit = commit.commit ?? state.lastCommit;
    const what = commit.commit
      ? `committed ${commit.commit.slice(0, 8)}${spec.push ? ' and pushed' : ''}`
      : 'no changes to commit';
    await setStatus(prOpen ? 'pr_open' : 'idle', `Turn ${turn} done: ${what}`);
    // Counted only once its status is in the read model: a reader that waits for `turnsDone` then
    // sees the row say so too, and a follow-up queued meanwhile is numbered after this turn.
    state.turnsDone = turn;
  };

  try {
    if (!input.resume) {
      await store.recordWorkspace({ spec, dedupeKey: key('created') });
      await setStatus('creating_worktree', `Creating worktree at ${spec.worktreePath}`);
      const wt = await git.createWorktree({
        workspaceId: spec.workspaceId,
        repoPath: spec.repoPath,
        worktreeRoot: spec.worktreeRoot,
        worktreePath: spec.worktreePath,
        branch: spec.branch,
        baseBranch: spec.baseBranch,
        remote: spec.remote,
        ...(spec.existingBranch ? { existingBranch: true } : {}),
      });
      await store.recordEvent({
        workspaceId: spec.workspaceId,
        kind: 'worktree.ready',
        message: `Worktree ready on ${spec.branch} from ${wt.startPoint} (${wt.head.slice(0, 8)})`,
        data: wt,
        dedupeKey: key('worktree'),
      });
      if (patched('script-trust')) {
        await runTrustedSetup();
      } else {
        // Histories from before trust: setup ran unasked; they replay that way.
        await setStatus('setting_up', 'Running setup script');
        await setup.runSetupScript({
          workspaceId: spec.workspaceId,
          worktreePath: spec.worktreePath,
          defaultTimeoutMs: timings.setupTimeoutMs,
        });
      }
      if (spec.adopt && spec.github && patched(ADOPT_PR_PATCH)) {
        // The PR exists: babysit it. The prompt is a description, not a task; follow-ups are turns.
        await setStatus('pushing', `Adopting PR #${spec.adopt.number}`);
        const pr = await adoptPullRequestOnce({ spec, timings, dedupeKey: key('pr') });
        prOpen = pr !== null;
        await setStatus(
          prOpen ? 'pr_open' : 'idle',
          `Ratcheting PR #${spec.adopt.number}: ${spec.adopt.url}`,
        );
      } else {
        queue.unshift({ text: spec.prompt, purpose: 'implement' });
      }
    }

    for (;;) {
      await condition(
        () =>
          (lease === null && (queue.length > 0 || waiting.length > 0)) || archiveRequested || openPrRequested,
      );
      await noteReturned();
      if (archiveRequested) break;
      if (openPrRequested) {
        openPrRequested = false;
        if (patched(OPEN_PR_ON_REQUEST_PATCH)) await openPrOnRequest();
        continue;
      }
      // Fixers first: they answer the PR's state, and the next turn then builds on their push.
      if (waiting.length > 0) {
        await lendWorktree();
        continue;
      }
      await runTurn(queue[0]!);
      queue.shift();
      if (state.turnsDone - turnsAtStart >= TURNS_PER_RUN || workflowInfo().continueAsNewSuggested) {
        await condition(allHandlersFinished);
        return await continueAsNew<typeof workspaceWorkflow>({
          ...input,
          resume: {
            turnsDone: state.turnsDone,
            pending: queue.map((q) => q.text),
            lastCommit: state.lastCommit,
            lease: { holder: lease, waiting },
            messageKeys,
          },
        });
      }
    }

    // The PR's loop ends first: no new fixer into a worktree about to go, the running one cancelled.
    if (patched(ARCHIVE_STOPS_RATCHET_PATCH)) {
      await getExternalWorkflowHandle(workflowIds.ratchet(spec.workspaceId))
        .signal(stopSignal, { reason: 'the workspace was archived' })
        .catch(() => undefined); // No loop (no PR, ratchet off, or it ended): nothing to stop.
    }
    // Fixers still waiting will not get the worktree; one holding it finishes first.
    for (const w of waiting.splice(0)) {
      await getExternalWorkflowHandle(w.workflowId)
        .signal(worktreeGrantSignal, {
          holder: w.holder,
          granted: false,
          reason: 'the workspace is being archived',
        })
        .catch(() => undefined);
    }
    if (lease !== null) {
      await setStatus('archiving', `Archiving once ${lease.holder} returns the worktree`);
      await condition(() => lease === null);
      await noteReturned();
    }
    await setStatus('archiving', 'Archiving: removing the worktree, keeping the branch');
    await git.archiveWorktree({
      workspaceId: spec.workspaceId,
      repoPath: spec.repoPath,
      worktreeRoot: spec.worktreeRoot,
      worktreePath: spec.worktreePath,
    });
    state.archived = true;
    await setStatus('archived', `Archived; branch ${spec.branch} kept`);
    await condition(allHandlersFinished);
    return { ...state, pendingMessages: queue.length };
  } catch (err) {
    if (err instanceof ContinueAsNew && patched(CAN_NOT_A_FAILURE_PATCH)) throw err;
    // A non-retryable failure (bad repo, path escape, ...) ends the workflow visibly, not silently.
    const message =
      err instanceof ApplicationFailure ? err.message : err instanceof Error ? err.message : String(err);
    const cause = (err as { cause?: { message?: string } }).cause?.message;
    await setStatus('failed', `Workspace failed: ${cause ?? message}`, 'error', cause ?? message);
    throw err;
  }
}

function commitMessage(title: string, text: string, turn: number): string {
  const subject = turn === 1 ? title : `${title}: follow-up ${turn - 1}`;
  const body = text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
  return `${subject.slice(0, 72)}\n\n${body}`;
}
