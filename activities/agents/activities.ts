/**
 * The agent-turn activity: picks the runner, opens (or reopens) the durable session, resumes from
 * the transcript on retry, and enforces budgets before any model call. Long-running: it heartbeats
 * the sequence number of the last stored message.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { agentFailureVerdict } from '../../core/agent-retry.js';
import type { AgentTurnResult, RunnerName, SessionPurpose } from '../../core/agent.js';
import { ErrorTypes } from '../../core/errors.js';
import { remainingBudgetUsd, utcDayStart } from '../../core/budget.js';
import { assertWorktreeExists } from '../git.js';
import type { WorkspaceSpec } from '../../core/workspace.js';
import type { Db } from '../../db/client.js';
import { getSetting, getSpendSince, getWorkspaceSpend } from '../../db/queries/budget.js';
import { appendEvent, countEventsByKeyPrefix } from '../../db/queries/workspaces.js';
import type { AgentRunner, AgentTurnRequest } from './runner.js';
import { createLiveSink } from './live.js';
import { completedTurnResult, createTranscript, ensureSession, readStoppedTurn } from './transcript.js';
import { renderTurnPrompts } from './turn-prompts.js';
import { keys } from '../../core/ids.js';

export interface RunAgentTurnInput {
  spec: WorkspaceSpec;
  turn: number;
  purpose: SessionPurpose;
  prompt: string;
  sessionId: string;
  mode: 'agent' | 'plan';
  /** Extra named variables for the purpose's prompt template (fixers: checks, logs, reviews…). */
  templateVars?: Record<string, unknown>;
  /**
   * Present when the caller's retry policy is unlimited (worker loss): this activity then bounds
   * real failures itself (see core/agent-retry.ts). Absent: Temporal's attempt count bounds both.
   */
  retry?: { limit: number; baseMs: number };
}

export interface AgentActivityDeps {
  db: Db;
  /** Runners by name; the worker registers the ones that are configured. */
  runners: Partial<Record<RunnerName, AgentRunner>>;
  /** The worker's environment (captured at start-up): MCP servers' named variables are read from it. */
  env: Readonly<Record<string, string | undefined>>;
}

export const DAILY_BUDGET_SETTING = 'budget.dailyUsd';

export function createAgentActivities({ db, runners, env }: AgentActivityDeps) {
  return {
    async runAgentTurn(input: RunAgentTurnInput): Promise<AgentTurnResult> {
      const ctx = Context.current();
      const { spec } = input;
      const config = { ...spec.agent, mode: input.mode };
      // Before any session row or model call: a turn in a vanished worktree cannot succeed.
      assertWorktreeExists(spec.worktreePath);
      const runner = runners[config.runner];
      if (!runner) {
        throw ApplicationFailure.nonRetryable(
          `runner "${config.runner}" is not available on this worker`,
          ErrorTypes.ConfigInvalid,
        );
      }
      ensureSession(db, {
        id: input.sessionId,
        workspaceId: spec.workspaceId,
        purpose: input.purpose,
        runner: config.runner,
        provider: config.provider ?? null,
        model: config.model ?? null,
        mode: config.mode,
      });
      const transcript = createTranscript(db, input.sessionId);
      // The turn finished and the worker died before reporting it: answer from the transcript.
      const finished = completedTurnResult(db, transcript);
      if (finished) return finished;
      const resumeFromSeq = readResumeSeq(ctx.info.heartbeatDetails);
      const budget = {
        get remainingUsd() {
          const ws = getWorkspaceSpend({ db, workspaceId: spec.workspaceId });
          const daily = getSetting<number>({ db, key: DAILY_BUDGET_SETTING }) ?? null;
          return remainingBudgetUsd({
            workspaceCapUsd: ws.capUsd,
            workspaceSpentUsd: ws.spentUsd,
            dailyCapUsd: typeof daily === 'number' ? daily : null,
            dailySpentUsd:
              typeof daily === 'number' ? getSpendSince({ db, since: utcDayStart(Date.now()) }) : 0,
          });
        },
      };
      const prompts = renderTurnPrompts({
        runner: config.runner,
        purpose: input.purpose,
        text: input.prompt,
        spec,
        vars: input.templateVars ?? {},
        // A follow-up after a Stop carries the stopped turn's words and tool calls.
        stoppedTurn:
          input.purpose === 'followup'
            ? readStoppedTurn(db, { workspaceId: spec.workspaceId, sessionId: input.sessionId })
            : null,
      });
      // The project's approved MCP servers; why any did not start is said once in the session.
      // mcp.ts (and the MCP SDK it imports) loads on the first turn, not at the worker's start.
      const { mcpServersForTurn } = await import('./mcp.js');
      const mcp = mcpServersForTurn({
        db,
        projectId: spec.projectId,
        worktreePath: spec.worktreePath,
        mode: config.mode,
        env,
      });
      const said = new Set(
        transcript
          .load()
          .flatMap((r) =>
            r.role === 'system' && r.content && typeof r.content === 'object'
              ? [JSON.stringify(r.content)]
              : [],
          ),
      );
      for (const text of mcp.notes) {
        const content = { kind: 'mcp_not_started', text };
        if (!said.has(JSON.stringify(content))) transcript.append({ role: 'system', content });
      }
      const req: AgentTurnRequest = {
        workspaceId: spec.workspaceId,
        turn: input.turn,
        sessionId: input.sessionId,
        purpose: input.purpose,
        worktreePath: spec.worktreePath,
        prompt: prompts.user,
        systemPrompt: prompts.system,
        config,
        mcpServers: mcp.servers,
      };
      const live = createLiveSink({
        db,
        workspaceId: spec.workspaceId,
        sessionId: input.sessionId,
        attempt: ctx.info.attempt,
        onError: (err) =>
          ctx.log.warn('live tail write failed; the console shows stored messages only', {
            error: String(err),
          }),
      });
      // A Stop reaches the activity only as the answer to a heartbeat, and a runner beats only when
      // it stores a row: beat every second with the last details, even while it waits on a model
      // or a sleeping tool (the worker throttles the calls to the server; see worker/main.ts).
      let lastDetails = { lastSeq: resumeFromSeq };
      const beat = setInterval(() => ctx.heartbeat(lastDetails), 1000);
      beat.unref?.();
      try {
        return await runner.run(req, {
          transcript,
          heartbeat: (details) => {
            lastDetails = details;
            ctx.heartbeat(details);
          },
          signal: ctx.cancellationSignal,
          attempt: ctx.info.attempt,
          resumeFromSeq,
          budget,
          live,
        });
      } catch (err) {
        // Stopped: a stream cut off mid-message ends here, so the console drops its partial text.
        if (ctx.cancellationSignal.aborted) live.endOpen();
        if (!input.retry) throw err;
        throw countRealFailure(db, input, input.retry, err);
      } finally {
        clearInterval(beat);
        live.flush();
      }
    },
  };
}

/**
 * A real failure of this attempt (not worker loss, which never gets here): recorded once per
 * attempt in the timeline, counted over the activity's attempts, and answered with the next delay
 * or, at the limit, a non-retryable `AgentTurnFailed`.
 */
function countRealFailure(
  db: Db,
  input: RunAgentTurnInput,
  retry: { limit: number; baseMs: number },
  err: unknown,
): unknown {
  const ctx = Context.current();
  // Cancellation and refusals keep their meaning: not counted, not retried.
  if (ctx.cancellationSignal.aborted || err instanceof CancelledFailure) return err;
  if (err instanceof ApplicationFailure && err.nonRetryable) return err;
  const { workflowExecution, activityId, attempt } = ctx.info;
  const prefix = keys.agentFailurePrefix(workflowExecution?.workflowId, workflowExecution?.runId, activityId);
  const message = err instanceof Error ? err.message : String(err);
  const type =
    err instanceof ApplicationFailure && err.type ? err.type : err instanceof Error ? err.name : 'Error';
  const workspaceId = input.spec.workspaceId;
  try {
    appendEvent({
      db,
      event: {
        workspaceId,
        kind: 'agent.attempt_failed',
        level: 'warn',
        message: `Agent turn ${input.turn}: attempt ${attempt} failed: ${message.slice(0, 500)}`,
        data: { attempt, type },
        dedupeKey: keys.agentFailure(
          workflowExecution?.workflowId,
          workflowExecution?.runId,
          activityId,
          attempt,
        ),
      },
    });
  } catch {
    // No workspace row (a bare test run): counted below as zero; Temporal's policy still retries.
  }
  const failures = Math.max(1, countEventsByKeyPrefix({ db, kind: 'agent.attempt_failed', prefix }));
  const verdict = agentFailureVerdict(failures, retry);
  if (verdict.kind === 'fail') {
    return ApplicationFailure.create({
      message: `Agent turn ${input.turn} ${verdict.reason}: ${message}`,
      type: ErrorTypes.AgentTurnFailed,
      nonRetryable: true,
      cause: err instanceof Error ? err : undefined,
    });
  }
  return ApplicationFailure.create({
    message,
    type,
    nonRetryable: false,
    nextRetryDelay: verdict.delayMs,
    cause: err instanceof Error ? err : undefined,
  });
}

function readResumeSeq(details: unknown): number {
  if (details && typeof details === 'object' && 'lastSeq' in details) {
    const n = (details as { lastSeq: unknown }).lastSeq;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0) return n;
  }
  return 0;
}

export type AgentActivities = ReturnType<typeof createAgentActivities>;
