/**
 * The hand-over from a workspace to its ratchet loop, run inside the workspace workflow after a
 * pushed turn: open the PR (GitHub's look-before-create makes a retry or a second call find the
 * same PR), record it, and start `ratchet/<workspaceId>` as an abandoned child. Starting it again
 * (a retried workflow task, a later turn after continue-as-new) meets the running loop and is
 * ignored: the workflow ID is the "only once".
 */
import { ParentClosePolicy, proxyActivities, startChild } from '@temporalio/workflow';
import { keys, workflowIds } from '../core/ids.js';
import { closesLine } from '../core/intake.js';
import type { WorkspaceSpec, WorkspaceTimings } from '../core/workspace.js';
import type { GithubActivities } from '../activities/github/index.js';
import type { RatchetStoreActivities } from '../activities/store/index.js';
import { githubOptions, storeOptions } from './activity-options.js';
import { ratchetWorkflow } from './ratchet.js';
import type { RatchetPrRef } from './ratchet-messages.js';

const github = proxyActivities<GithubActivities>(githubOptions);
const store = proxyActivities<RatchetStoreActivities>(storeOptions);

/** The hidden marker in the PR body: which workspace opened it. */
export function prBodyMarker(workspaceId: string): string {
  return keys.prBodyMarker(workspaceId);
}

/**
 * The PR body: the task quoted, and for a workspace started from an issue `Closes #N` (GitHub
 * closes the issue on merge). The issue's own text stays out: it is third-party data.
 */
export function prBody(spec: WorkspaceSpec): string {
  const prompt = spec.prompt.length > 4000 ? `${spec.prompt.slice(0, 4000)}…` : spec.prompt;
  const quoted = prompt
    .split('\n')
    .map((l) => `> ${l}`)
    .join('\n');
  const closes = spec.issue ? `${closesLine(spec.issue.number)}\n\n` : '';
  return `Opened by Ratchet for workspace \`${spec.workspaceId}\`.\n\n${closes}**Task**\n\n${quoted}\n\n${prBodyMarker(spec.workspaceId)}`;
}

type OpenedPr = { number: number; url: string; headSha: string | null; draft: boolean };

async function createPullRequest(spec: WorkspaceSpec): Promise<OpenedPr | null> {
  if (!spec.github) return null;
  const { owner, repo } = spec.github;
  return github.githubCreatePullRequest({
    owner,
    repo,
    head: spec.branch,
    base: spec.baseBranch,
    title: spec.title,
    body: prBody(spec),
  });
}

async function recordPullRequest(
  spec: WorkspaceSpec,
  opened: OpenedPr,
  dedupeKey: string,
): Promise<RatchetPrRef> {
  await store.ratchetRecordPullRequest({
    workspaceId: spec.workspaceId,
    projectId: spec.projectId,
    number: opened.number,
    url: opened.url,
    headBranch: spec.branch,
    baseBranch: spec.baseBranch,
    headSha: opened.headSha,
    draft: opened.draft,
    dedupeKey,
  });
  return { number: opened.number, url: opened.url, headBranch: spec.branch, baseBranch: spec.baseBranch };
}

async function startLoop(spec: WorkspaceSpec, timings: WorkspaceTimings, pr: RatchetPrRef): Promise<void> {
  if (!spec.github) return;
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
}

/** Creates (or finds) the PR and records it; returns null without a GitHub remote. No loop. */
export async function openPullRequestWithoutRatchet({
  spec,
  dedupeKey,
}: {
  spec: WorkspaceSpec;
  dedupeKey: string;
}): Promise<RatchetPrRef | null> {
  const opened = await createPullRequest(spec);
  return opened ? recordPullRequest(spec, opened, dedupeKey) : null;
}

/** Creates (or finds) the PR, records it and starts its ratchet loop (the commands in that order). */
export async function openPullRequestOnce({
  spec,
  timings,
  dedupeKey,
}: {
  spec: WorkspaceSpec;
  timings: WorkspaceTimings;
  dedupeKey: string;
}): Promise<RatchetPrRef | null> {
  const pr = await openPullRequestWithoutRatchet({ spec, dedupeKey });
  if (pr) await startLoop(spec, timings, pr);
  return pr;
}

/**
 * "Ratchet this PR": the workspace adopted an open PR a person opened; record it and start its
 * loop exactly as for a PR Ratchet opened, without creating anything on GitHub.
 */
export async function adoptPullRequestOnce({
  spec,
  timings,
  dedupeKey,
}: {
  spec: WorkspaceSpec;
  timings: WorkspaceTimings;
  dedupeKey: string;
}): Promise<RatchetPrRef | null> {
  if (!spec.github || !spec.adopt) return null;
  const pr = await recordPullRequest(spec, spec.adopt, dedupeKey);
  await startLoop(spec, timings, pr);
  return pr;
}
