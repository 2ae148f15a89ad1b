/**
 * fixerWorkflow (ID `fix/<workspaceId>/<headSha>/<kind>`): one fix attempt, started as a child by
 * the ratchet. It gathers the context for its kind (failed job logs for CI; the counted reviews and
 * threads for review; nothing for a conflict: the agent merges the base itself), runs one agent
 * turn in the workspace's worktree, commits with a trailer naming this attempt (a retried commit
 * finds it and never commits twice) and pushes. A worker crash mid-way retries the activity in
 * flight; the transcript and the trailer make the retry resume, not repeat.
 *
 * The worktree is borrowed from the workspace workflow for the agent turn, commit and push, so a
 * follow-up turn the person asked for never edits the same files at the same time.
 */
import {
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { SessionPurpose } from '../core/agent.js';
import { messageOf } from '../core/errors.js';
import { keys, workflowIds, type FixKind } from '../core/ids.js';
import type { AgentActivities } from '../activities/agents/activities.js';
import type { GitActivities } from '../activities/git.js';
import type { GithubActivities } from '../activities/github/index.js';
import { boundedAgentRetry, githubContextReadOptions, localRetry, timeouts } from './activity-options.js';
import { releaseWorktreeSignal, requestWorktreeSignal, worktreeGrantSignal } from './messages.js';
import { parseAskHuman } from '../prompts/render.js';
import type { FixerInput, FixerResult } from './ratchet-messages.js';

/**
 * The activities a fixer runs besides GitHub's. Named here so an orchestration test or benchmark
 * that replaces them (changing no code) must implement every one: a fixer calling an activity its
 * worker lacks would retry "not registered" until it times out.
 */
export type FixerGitActivities = Pick<
  GitActivities,
  'readHead' | 'fetchBranch' | 'commitTurn' | 'pushBranch'
>;
export type FixerStepActivities = FixerGitActivities & Pick<AgentActivities, 'runAgentTurn'>;

const PURPOSE: Record<FixKind, SessionPurpose> = {
  ci: 'ci-fix',
  review: 'review-fix',
  conflict: 'conflict-fix',
};
/** Runs whose logs a CI fixer reads, at most. */
const MAX_LOG_RUNS = 3;
/** Fixer sessions are numbered apart from the workspace's own turns (`<ws>-t<100+n>-<purpose>`). */
export const FIXER_TURN_BASE = 100;

// The fixer only reads logs from GitHub, as context it can do without.
const github = proxyActivities<GithubActivities>(githubContextReadOptions);

function proxies(heartbeatTimeoutMs: number) {
  const git = proxyActivities<FixerGitActivities>({
    startToCloseTimeout: timeouts.git,
    heartbeatTimeout: heartbeatTimeoutMs,
    retry: localRetry(10),
  });
  // Fixers stay bounded by Temporal's attempts: the ratchet's attempt caps sit above them.
  const agents = proxyActivities<Pick<AgentActivities, 'runAgentTurn'>>({
    startToCloseTimeout: timeouts.agentTurn,
    heartbeatTimeout: heartbeatTimeoutMs,
    retry: boundedAgentRetry,
  });
  return { git, agents };
}

async function ciContext(input: FixerInput): Promise<{ checks: string; logs: string }> {
  const checks = input.checks ?? [];
  const runIds = [...new Set(checks.map((c) => c.runId).filter((r): r is number => r !== null))].slice(
    0,
    MAX_LOG_RUNS,
  );
  const parts: string[] = [];
  for (const runId of runIds) {
    try {
      const logs = await github.githubGetFailedJobLogs({ ...input.github, runId });
      for (const job of logs.jobs) {
        parts.push(
          `### ${job.name} (${job.conclusion}; failed steps: ${job.failedSteps.join(', ') || 'n/a'})${job.truncated ? ' [truncated]' : ''}\n${job.log}`,
        );
      }
      if (logs.omittedJobs.length) parts.push(`(also failed, logs omitted: ${logs.omittedJobs.join(', ')})`);
    } catch (err) {
      // Logs help; they are not required. Say what is missing and let the agent reproduce locally.
      parts.push(`(logs of run ${runId} unavailable: ${messageOf(err)})`);
    }
  }
  return {
    checks: checks.map((c) => `- ${c.key}: ${c.outcome}${c.url ? ` (${c.url})` : ''}`).join('\n'),
    logs: parts.join('\n\n') || '(no Actions logs available for these checks)',
  };
}

function promptFor(input: FixerInput): string {
  const pr = `PR #${input.pr.number}`;
  switch (input.kind) {
    case 'ci':
      return `Fix the failing CI checks on ${pr}: ${(input.checks ?? []).map((c) => c.key).join(', ')}`;
    case 'review':
      return `Address the review feedback on ${pr}: ${(input.reviews ?? []).length} change request(s), ${(input.threads ?? []).length} thread(s)`;
    case 'conflict':
      return `Merge ${input.pr.baseBranch} into the branch of ${pr} and resolve the conflicts`;
  }
}

/** This fixer's name for the worktree lease: fixer IDs are reused across attempts, fix numbers never. */
export const fixerHolder = keys.fixHolder;

/** Marks the code that borrows the worktree (and fetches the base for a conflict fix), so fixers started by an older build replay unchanged. */
export const WORKTREE_LEASE_PATCH = 'worktree-lease';

export async function fixerWorkflow(input: FixerInput): Promise<FixerResult> {
  const { workflowId } = workflowInfo();
  if (!patched(WORKTREE_LEASE_PATCH)) return fix(input, workflowId, false);
  const lease = await borrowWorktree(
    input.spec.workspaceId,
    fixerHolder(workflowId, input.fixNo),
    workflowId,
  );
  if (!lease.granted)
    return {
      outcome: 'failed',
      detail: `the workspace did not lend its worktree: ${lease.reason ?? 'no reason given'}`,
    };
  try {
    return await fix(input, workflowId, true);
  } finally {
    await lease.giveBack();
  }
}

/**
 * The fixer's side of the worktree lease (the workspace's is `core/worktree-lease.ts`): ask the
 * workspace workflow, wait for its answer, and give the worktree back when done. With no workspace
 * workflow running (the time-skipping suite) the fixer proceeds: nothing else can be using it.
 */
async function borrowWorktree(
  workspaceId: string,
  holder: string,
  workflowId: string,
): Promise<{ granted: boolean; reason?: string; giveBack: () => Promise<void> }> {
  const workspace = getExternalWorkflowHandle(workflowIds.workspace(workspaceId));
  let grant: { granted: boolean; reason?: string } | null = null;
  setHandler(worktreeGrantSignal, (g) => {
    if (g.holder === holder) grant = g;
  });
  try {
    await workspace.signal(requestWorktreeSignal, { holder, workflowId });
  } catch {
    // No workspace workflow is running: nothing else can be using the worktree.
    grant = { granted: true };
  }
  await condition(() => grant !== null);
  const answer = grant as { granted: boolean; reason?: string } | null;
  return {
    granted: answer?.granted ?? false,
    ...(answer?.reason !== undefined ? { reason: answer.reason } : {}),
    // Also on cancellation: a fixer that stops must hand the worktree back.
    giveBack: () =>
      CancellationScope.nonCancellable(() =>
        workspace.signal(releaseWorktreeSignal, { holder }).catch(() => undefined),
      ),
  };
}

/** `current`: this run took the patched path (lease, base fetch, HEAD before the agent, fix-numbered trailer). */
async function fix(input: FixerInput, workflowId: string, current: boolean): Promise<FixerResult> {
  const { spec } = input;
  const { git, agents } = proxies(input.heartbeatTimeoutMs ?? 20_000);
  const purpose = PURPOSE[input.kind];
  const vars: Record<string, string> = {
    prNumber: String(input.pr.number),
    prUrl: input.pr.url,
    headSha: input.headSha,
  };
  if (input.kind === 'ci') Object.assign(vars, await ciContext(input));
  if (input.kind === 'review') {
    vars.reviews = JSON.stringify(input.reviews ?? [], null, 2);
    vars.threads = JSON.stringify(input.threads ?? [], null, 2);
  }
  if (input.kind === 'conflict') {
    vars.baseBranch = input.pr.baseBranch;
    // The prompt tells the agent the base was just fetched: make it true.
    if (current) {
      try {
        await git.fetchBranch({
          worktreePath: spec.worktreePath,
          remote: spec.remote,
          branch: input.pr.baseBranch,
        });
      } catch (err) {
        return { outcome: 'failed', detail: `could not fetch ${input.pr.baseBranch}: ${messageOf(err)}` };
      }
    }
  }

  const turn = FIXER_TURN_BASE + input.fixNo;
  const prompt = promptFor(input);
  const baseHead = current ? (await git.readHead({ worktreePath: spec.worktreePath })).sha : undefined;
  let result;
  try {
    result = await agents.runAgentTurn({
      spec,
      turn,
      purpose,
      prompt,
      sessionId: keys.session(spec.workspaceId, turn, purpose),
      mode: 'agent',
      templateVars: vars,
    });
  } catch (err) {
    return { outcome: 'failed', detail: `agent turn failed: ${messageOf(err)}` };
  }
  if (result.status === 'awaiting_budget')
    return { outcome: 'asked_human', detail: 'budget exhausted; a person must raise it' };
  if (result.status === 'failed') return { outcome: 'failed', detail: result.summary || 'agent turn failed' };
  // The agent stopped to ask (an ambiguous conflict, a decision only a person can make): whatever
  // it left is not a fix, so nothing is committed.
  const question = parseAskHuman(result.summary);
  if (question) return { outcome: 'asked_human', detail: question, question };

  const commit = await git.commitTurn({
    workspaceId: spec.workspaceId,
    worktreePath: spec.worktreePath,
    turn,
    message: `${prompt}`.slice(0, 72) + `\n\n${result.summary}`.slice(0, 2000),
    // The fix number, not the attempt, makes the trailer unique: attempts restart at 1 after Retry.
    trailer: current
      ? keys.fixTrailer(workflowId, input.fixNo, input.attempt)
      : keys.legacyFixTrailer(workflowId, input.attempt),
    baseHead,
  });
  if (!commit.commit) return { outcome: 'no_change', detail: result.summary || 'the agent changed nothing' };
  await git.pushBranch({
    workspaceId: spec.workspaceId,
    worktreePath: spec.worktreePath,
    remote: spec.remote,
    branch: spec.branch,
  });
  return { outcome: 'pushed', commit: commit.commit, detail: result.summary || 'fix pushed' };
}
