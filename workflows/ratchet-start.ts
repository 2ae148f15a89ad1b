/**
 * The hand-over from a workspace to its ratchet loop, run inside the workspace workflow after a
 * pushed turn: open the PR (GitHub's look-before-create makes a retry or a second call find the
 * same PR), record it, and start `ratchet/<workspaceId>` as an abandoned child. Starting it again
 * (a retried workflow task, a later turn after continue-as-new) meets the running loop and is
 * ignored: the workflow ID is the "only once".
 */
import { ParentClosePolicy, proxyActivities, startChild } from '@temporalio/workflow';
import { workflowIds } from '../core/ids.js';
import { GITHUB_PERMANENT_ERRORS } from '../core/errors.js';
import type { WorkspaceSpec, WorkspaceTimings } from '../core/workspace.js';
import type { GithubActivities } from '../activities/github/index.js';
import type { RatchetStoreActivities } from '../activities/ratchet-store.js';
import { ratchetWorkflow } from './ratchet.js';
import type { RatchetPrRef } from './ratchet-messages.js';

const github = proxyActivities<GithubActivities>({
  startToCloseTimeout: '2m',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '5m',
    maximumAttempts: 10,
    nonRetryableErrorTypes: [...GITHUB_PERMANENT_ERRORS],
  },
});
const store = proxyActivities<RatchetStoreActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 20 },
});

/** The hidden marker in the PR body: which workspace opened it. */
export function prBodyMarker(workspaceId: string): string {
  return `<!-- ratchet:workspace/${workspaceId} -->`;
}

function prBody(spec: WorkspaceSpec): string {
  const prompt = spec.prompt.length > 4000 ? `${spec.prompt.slice(0, 4000)}…` : spec.prompt;
  const quoted = prompt
    .split('\n')
    .map((l) => `> ${l}`)
    .join('\n');
  return `Opened by Ratchet for workspace \`${spec.workspaceId}\`.\n\n**Task**\n\n${quoted}\n\n${prBodyMarker(spec.workspaceId)}`;
}

/** Creates (or finds) the PR and records it; returns null without a GitHub remote. No loop. */
export async function openPullRequestWithoutRatchet({
  spec,
  dedupeKey,
}: {
  spec: WorkspaceSpec;
  dedupeKey: string;
}): Promise<RatchetPrRef | null> {
  if (!spec.github) return null;
  const { owner, repo } = spec.github;
  const created = await github.githubCreatePullRequest({
    owner,
    repo,
    head: spec.branch,
    base: spec.baseBranch,
    title: spec.title,
    body: prBody(spec),
  });
  await store.ratchetRecordPullRequest({
    workspaceId: spec.workspaceId,
    projectId: spec.projectId,
    number: created.number,
    url: created.url,
    headBranch: spec.branch,
    baseBranch: spec.baseBranch,
    headSha: created.headSha,
    draft: created.draft,
    dedupeKey,
  });
  return { number: created.number, url: created.url, headBranch: spec.branch, baseBranch: spec.baseBranch };
}

export async function openPullRequestOnce({
  spec,
  timings,
  dedupeKey,
}: {
  spec: WorkspaceSpec;
  timings: WorkspaceTimings;
  dedupeKey: string;
}): Promise<RatchetPrRef | null> {
  // Same commands as before the split: create, record, then start the loop.
  const pr = await openPullRequestWithoutRatchet({ spec, dedupeKey });
  if (!pr || !spec.github) return null;
  const { owner, repo } = spec.github;
  try {
    await startChild(ratchetWorkflow, {
      workflowId: workflowIds.ratchet(spec.workspaceId),
      // The loop outlives this run of the workspace workflow (continue-as-new, archive).
      parentClosePolicy: ParentClosePolicy.ABANDON,
      args: [{ spec, github: { owner, repo }, pr, heartbeatTimeoutMs: timings.heartbeatTimeoutMs }],
    });
  } catch (err) {
    // Already running: the loop this workspace started earlier. Anything else is a real failure.
    if ((err as { name?: string }).name !== 'WorkflowExecutionAlreadyStartedError') throw err;
  }
  return pr;
}
