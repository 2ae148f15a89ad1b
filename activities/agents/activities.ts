/**
 * The agent-turn activity: picks the runner, opens (or reopens) the durable session, resumes from
 * the transcript on retry, and enforces budgets before any model call. Long-running: it heartbeats
 * the sequence number of the last stored message.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { AgentTurnResult, RunnerName, SessionPurpose } from '../../core/agent.js';
import { remainingBudgetUsd, utcDayStart } from '../../core/budget.js';
import { assertWorktreeExists } from '../git.js';
import type { WorkspaceSpec } from '../../core/workspace.js';
import type { Db } from '../../db/client.js';
import { getSetting, getSpendSince, getWorkspaceSpend } from '../../db/queries/budget.js';
import type { AgentRunner, AgentTurnRequest } from './runner.js';
import { createLiveSink } from './live.js';
import { createTranscript, ensureSession } from './transcript.js';
import { renderTurnPrompts } from './turn-prompts.js';

export interface RunAgentTurnInput {
  spec: WorkspaceSpec;
  turn: number;
  purpose: SessionPurpose;
  prompt: string;
  sessionId: string;
  mode: 'agent' | 'plan';
  /** Extra named variables for the purpose's prompt template (fixers: checks, logs, reviews…). */
  templateVars?: Record<string, unknown>;
}

export interface AgentActivityDeps {
  db: Db;
  /** Runners by name; the worker registers the ones that are configured. */
  runners: Partial<Record<RunnerName, AgentRunner>>;
}

export const DAILY_BUDGET_SETTING = 'budget.dailyUsd';

export function createAgentActivities({ db, runners }: AgentActivityDeps) {
  return {
    async runAgentTurn(input: RunAgentTurnInput): Promise<AgentTurnResult> {
      const ctx = Context.current();
      const { spec } = input;
      const config = { ...spec.agent, mode: input.mode };
      // Before any session row or model call: a turn in a vanished worktree cannot succeed.
      assertWorktreeExists(spec.worktreePath);
      const runner = runners[config.runner];
      if (!runner) {
        throw ApplicationFailure.nonRetryable(`runner "${config.runner}" is not available on this worker`, 'ConfigInvalid');
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
      const resumeFromSeq = readResumeSeq(ctx.info.heartbeatDetails);
      const budget = {
        get remainingUsd() {
          const ws = getWorkspaceSpend({ db, workspaceId: spec.workspaceId });
          const daily = getSetting<number>({ db, key: DAILY_BUDGET_SETTING }) ?? null;
          return remainingBudgetUsd({
            workspaceCapUsd: ws.capUsd,
            workspaceSpentUsd: ws.spentUsd,
            dailyCapUsd: typeof daily === 'number' ? daily : null,
            dailySpentUsd: typeof daily === 'number' ? getSpendSince({ db, since: utcDayStart(Date.now()) }) : 0,
          });
        },
      };
      const prompts = renderTurnPrompts({ runner: config.runner, purpose: input.purpose, text: input.prompt, spec, vars: input.templateVars ?? {} });
      const req: AgentTurnRequest = {
        workspaceId: spec.workspaceId,
        turn: input.turn,
        sessionId: input.sessionId,
        purpose: input.purpose,
        worktreePath: spec.worktreePath,
        prompt: prompts.user,
        systemPrompt: prompts.system,
        config,
      };
      const live = createLiveSink({
        db,
        workspaceId: spec.workspaceId,
        sessionId: input.sessionId,
        attempt: ctx.info.attempt,
        onError: (err) => ctx.log.warn('live tail write failed; the console shows stored messages only', { error: String(err) }),
      });
      try {
        return await runner.run(req, {
          transcript,
          heartbeat: (details) => ctx.heartbeat(details),
          signal: ctx.cancellationSignal,
          attempt: ctx.info.attempt,
          resumeFromSeq,
          budget,
          live,
        });
      } finally {
        live.flush();
      }
    },
  };
}

function readResumeSeq(details: unknown): number {
  if (details && typeof details === 'object' && 'lastSeq' in details) {
    const n = (details as { lastSeq: unknown }).lastSeq;
    if (typeof n === 'number' && Number.isInteger(n) && n >= 0) return n;
  }
  return 0;
}

export type AgentActivities = ReturnType<typeof createAgentActivities>;
