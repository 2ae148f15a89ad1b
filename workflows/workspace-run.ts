/**
 * One run of the workspace workflow: its input, its activity proxies, the state the console reads,
 * the requests its message handlers record for the phases to act on, and the keyed status and
 * event writes every phase makes. The phases (`workspace-start.ts`, `workspace-turns.ts`,
 * `workspace-pr.ts`, `workspace-lease.ts`) take it as their one argument.
 */
import {
  ActivityCancellationType,
  type CancellationScope,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { SessionPurpose } from '../core/agent.js';
import { keys, type EventKey } from '../core/ids.js';
import type { DecideTrustInput, PendingTrust } from '../core/script-trust.js';
import type { PlanDecision } from '../core/workspace-steps.js';
import { WorktreeLease } from '../core/worktree-lease.js';
import type {
  WorkspaceSpec,
  WorkspaceState,
  WorkspaceStatus,
  WorkspaceTimings,
  WorkspaceWorkflowInput,
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

export interface Turn {
  text: string;
  purpose: SessionPurpose;
}

/** The agent session running now, which Stop cancels. */
export interface RunningSession {
  scope: CancellationScope;
  turn: number;
  sessionId: string;
}

/**
 * What the message handlers have asked for and not yet been acted on. Each is written by one
 * handler and cleared by the phase that waits for it.
 */
export interface Requests {
  archive: boolean;
  openPr: boolean;
  /** Plan answer of runs before `plan-revise`: approve only. */
  planApproved: boolean;
  planAnswer: { decision: PlanDecision; note?: string } | null;
  budget: { cancel: boolean } | null;
  trust: DecideTrustInput['decision'] | null;
  stop: { reason?: string } | null;
}

export class WorkspaceRun {
  readonly spec: WorkspaceSpec;
  readonly timings: WorkspaceTimings;
  readonly acts: ReturnType<typeof proxies>;
  readonly state: WorkspaceState;
  /** Turns to run, in order (a follow-up is a turn). */
  readonly queue: Turn[];
  readonly lease: WorktreeLease;
  /** Idempotency keys of follow-ups already queued (the most recent `MESSAGE_KEYS_KEPT`). */
  readonly messageKeys: string[];
  readonly turnsAtStart: number;
  readonly requests: Requests = {
    archive: false,
    openPr: false,
    planApproved: false,
    planAnswer: null,
    budget: null,
    trust: null,
    stop: null,
  };
  /** After continue-as-new this is false again; reopening is a cheap idempotent look (no second PR). */
  prOpen = false;
  /** The script waiting for the person's trust decision. */
  pendingTrust: PendingTrust | null = null;
  /** The agent session running now (null between sessions). */
  running: RunningSession | null = null;
  /** The session a Stop ended, until the turn has recorded it. */
  stoppedSession: { turn: number; sessionId: string; reason?: string } | null = null;
  #writeNo = 0;

  constructor(input: WorkspaceWorkflowInput & { timings: WorkspaceTimings }) {
    this.spec = input.spec;
    this.timings = input.timings;
    this.acts = proxies(
      this.timings.heartbeatTimeoutMs,
      this.timings.setupTimeoutMs,
      this.timings.agentRetryBaseMs,
    );
    this.state = {
      workspaceId: this.spec.workspaceId,
      status: 'creating_worktree',
      reason: null,
      turnsDone: input.resume?.turnsDone ?? 0,
      pendingMessages: 0,
      lastCommit: input.resume?.lastCommit ?? null,
      archived: false,
    };
    this.queue = (input.resume?.pending ?? []).map((text) => ({ text, purpose: 'followup' }));
    this.turnsAtStart = this.state.turnsDone;
    this.lease = new WorktreeLease(input.resume?.lease);
    this.messageKeys = [...(input.resume?.messageKeys ?? [])];
  }

  /** The dedupe key of this run's next read-model write (the same on replay: writes run in order). */
  key(what: string): EventKey {
    const { workflowId, runId } = workflowInfo();
    return keys.workspaceWrite(workflowId, runId, ++this.#writeNo, what);
  }

  /** The state query's answer. */
  snapshot(): WorkspaceState {
    return {
      ...this.state,
      pendingMessages: this.queue.length,
      worktreeHeldBy: this.lease.heldBy,
      pendingTrust: this.pendingTrust,
    };
  }

  async setStatus(
    status: WorkspaceStatus,
    message: string,
    reason: string | null = null,
    error?: string | null,
  ) {
    this.state.status = status;
    this.state.reason = reason;
    await this.acts.store.setStatus({
      workspaceId: this.spec.workspaceId,
      status,
      reason,
      error,
      message,
      dedupeKey: this.key(keys.statusWrite(status)),
    });
  }

  /** A timeline row keyed by `what` (the event kind unless given). */
  async event(
    kind: string,
    message: string,
    opts: { level?: 'info' | 'warn' | 'error'; data?: unknown; what?: string } = {},
  ): Promise<void> {
    await this.acts.store.recordEvent({
      workspaceId: this.spec.workspaceId,
      kind,
      ...(opts.level !== undefined ? { level: opts.level } : {}),
      message,
      ...(opts.data !== undefined ? { data: opts.data } : {}),
      dedupeKey: this.key(opts.what ?? kind),
    });
  }
}
