/**
 * Pull-request writes over REST (and one GraphQL mutation), each looking before it acts so a
 * Temporal retry converges: create (find the open PR for the head first; a 422 "already exists"
 * re-reads), merge (already merged → success; stale head → `head_changed`), mark ready (already
 * ready → no-op), request re-review, update the branch (pinned to the head seen), and read a
 * branch head (404 → BranchDeleted).
 */
import { z } from 'zod';
import { ErrorTypes } from '../../core/errors.js';
import type { GithubClient } from './client.js';
import { guard, toGithubError } from './errors.js';
import { markReadyResponse, MARK_READY_MUTATION } from './snapshot-query.js';
import { parseOrMalformed, type RepoRef } from './snapshots.js';

const restPull = z.object({
  number: z.number().int(),
  node_id: z.string(),
  html_url: z.string(),
  state: z.string(),
  draft: z.boolean().optional(),
  merged: z.boolean().optional(),
  merge_commit_sha: z.string().nullable().optional(),
  head: z.object({ ref: z.string(), sha: z.string() }),
  base: z.object({ ref: z.string() }),
});

export interface PullRef {
  number: number;
  url: string;
  nodeId: string;
  headSha: string;
  baseRef: string;
  draft: boolean;
}

export interface CreatePrInput extends RepoRef {
  /** Branch name in the same repository (no `owner:` prefix). */
  head: string;
  base: string;
  title: string;
  body: string;
  draft?: boolean;
}

export interface CreatePrResult extends PullRef {
  /** False when an open PR for this head already existed (a retry, or made by hand). */
  created: boolean;
}

function toRef(p: z.infer<typeof restPull>): PullRef {
  return {
    number: p.number,
    url: p.html_url,
    nodeId: p.node_id,
    headSha: p.head.sha,
    baseRef: p.base.ref,
    draft: p.draft ?? false,
  };
}

async function findOpenPr(octokit: GithubClient, input: RepoRef & { head: string }): Promise<PullRef | null> {
  const what = `GET pulls ${input.owner}/${input.repo} head=${input.head}`;
  const res = await guard(what, () =>
    octokit.rest.pulls.list({
      owner: input.owner,
      repo: input.repo,
      head: `${input.owner}:${input.head}`,
      state: 'open',
      per_page: 10,
    }),
  );
  const first = parseOrMalformed(z.array(restPull), res.data, what)[0];
  return first ? toRef(first) : null;
}

export async function createPullRequest(
  octokit: GithubClient,
  input: CreatePrInput,
): Promise<CreatePrResult> {
  const existing = await findOpenPr(octokit, input);
  if (existing) return { ...existing, created: false };
  const what = `POST pulls ${input.owner}/${input.repo} head=${input.head}`;
  try {
    const res = await octokit.rest.pulls.create({
      owner: input.owner,
      repo: input.repo,
      head: input.head,
      base: input.base,
      title: input.title,
      body: input.body,
      draft: input.draft ?? false,
    });
    return { ...toRef(parseOrMalformed(restPull, res.data, what)), created: true };
  } catch (err) {
    // Someone (or our previous attempt) opened it between the look and the act.
    if (
      (err as { status?: number }).status === 422 &&
      /already exists/i.test(String((err as Error).message))
    ) {
      const again = await findOpenPr(octokit, input);
      if (again) return { ...again, created: false };
    }
    throw toGithubError(err, what);
  }
}

export interface UpdateBranchInput extends RepoRef {
  number: number;
  /** The head the ratchet saw; GitHub answers 422 when the branch moved since. */
  expectedHeadSha: string;
}

export interface UpdateBranchResult {
  updated: boolean;
  message: string;
}

/**
 * "Update branch" (merge the base into the head on GitHub's side), pinned to the head the ratchet
 * saw. A refusal GitHub will repeat (422: head moved, nothing new on the base) is a result, not
 * an error; a failure a retry can fix (rate limit, transport) is thrown.
 */
export async function updateBranch(
  octokit: GithubClient,
  input: UpdateBranchInput,
): Promise<UpdateBranchResult> {
  try {
    await octokit.rest.pulls.updateBranch({
      owner: input.owner,
      repo: input.repo,
      pull_number: input.number,
      expected_head_sha: input.expectedHeadSha,
    });
    return { updated: true, message: 'update requested' };
  } catch (err) {
    const e = toGithubError(err, `PUT update-branch ${input.owner}/${input.repo}#${input.number}`);
    if (e.retryable) throw e;
    return { updated: false, message: e.message };
  }
}

export async function getPull(octokit: GithubClient, ref: RepoRef & { number: number }) {
  const what = `GET pull ${ref.owner}/${ref.repo}#${ref.number}`;
  const res = await guard(what, () =>
    octokit.rest.pulls.get({ owner: ref.owner, repo: ref.repo, pull_number: ref.number }),
  );
  return parseOrMalformed(restPull, res.data, what);
}

export type MergeMethod = 'squash' | 'merge' | 'rebase';

export interface MergeInput extends RepoRef {
  number: number;
  method: MergeMethod;
  /** The head the ratchet judged ready; GitHub refuses the merge if the branch moved since. */
  expectedHeadSha: string;
  commitTitle?: string;
}

export type MergeResult =
  | { kind: 'merged'; sha: string; alreadyMerged: boolean }
  | { kind: 'head_changed'; headSha: string | null }
  | { kind: 'not_mergeable'; message: string }
  | { kind: 'closed' };

export async function mergePullRequest(octokit: GithubClient, input: MergeInput): Promise<MergeResult> {
  const pr = await getPull(octokit, input);
  if (pr.merged) return { kind: 'merged', sha: pr.merge_commit_sha ?? '', alreadyMerged: true };
  if (pr.state !== 'open') return { kind: 'closed' };
  if (pr.head.sha !== input.expectedHeadSha) return { kind: 'head_changed', headSha: pr.head.sha };
  const what = `PUT merge ${input.owner}/${input.repo}#${input.number}`;
  try {
    const res = await octokit.rest.pulls.merge({
      owner: input.owner,
      repo: input.repo,
      pull_number: input.number,
      merge_method: input.method,
      sha: input.expectedHeadSha,
      ...(input.commitTitle ? { commit_title: input.commitTitle } : {}),
    });
    const data = parseOrMalformed(z.object({ sha: z.string(), merged: z.boolean() }), res.data, what);
    return { kind: 'merged', sha: data.sha, alreadyMerged: false };
  } catch (err) {
    const status = (err as { status?: number }).status;
    if (status === 409) return { kind: 'head_changed', headSha: null };
    if (status === 405) return { kind: 'not_mergeable', message: String((err as Error).message) };
    throw toGithubError(err, what);
  }
}

export async function markReadyForReview(
  octokit: GithubClient,
  ref: RepoRef & { number: number },
): Promise<{ changed: boolean }> {
  const pr = await getPull(octokit, ref);
  if (!pr.draft) return { changed: false };
  const what = `GraphQL RatchetMarkReady ${ref.owner}/${ref.repo}#${ref.number}`;
  const raw: unknown = await guard(what, () => octokit.graphql(MARK_READY_MUTATION, { id: pr.node_id }));
  parseOrMalformed(markReadyResponse, raw, what);
  return { changed: true };
}

export interface ReReviewInput extends RepoRef {
  number: number;
  reviewers: string[];
  teamReviewers?: string[];
}

/** Re-requesting a review from someone who already reviewed puts the PR back in their queue. */
export async function requestReReview(
  octokit: GithubClient,
  input: ReReviewInput,
): Promise<{ requested: string[] }> {
  const what = `POST requested_reviewers ${input.owner}/${input.repo}#${input.number}`;
  const res = await guard(what, () =>
    octokit.rest.pulls.requestReviewers({
      owner: input.owner,
      repo: input.repo,
      pull_number: input.number,
      reviewers: input.reviewers,
      ...(input.teamReviewers?.length ? { team_reviewers: input.teamReviewers } : {}),
    }),
  );
  const data = parseOrMalformed(
    z.object({
      requested_reviewers: z
        .array(z.object({ login: z.string() }))
        .nullable()
        .optional(),
    }),
    res.data,
    what,
  );
  return { requested: (data.requested_reviewers ?? []).map((u) => u.login) };
}

/** The branch's head commit; a missing branch throws BranchDeleted. */
export async function getBranchHead(
  octokit: GithubClient,
  input: RepoRef & { branch: string },
): Promise<{ sha: string }> {
  const what = `GET branch ${input.owner}/${input.repo}:${input.branch}`;
  const res = await guard(
    what,
    () => octokit.rest.repos.getBranch({ owner: input.owner, repo: input.repo, branch: input.branch }),
    {
      onNotFound: ErrorTypes.BranchDeleted,
    },
  );
  const data = parseOrMalformed(z.object({ commit: z.object({ sha: z.string().min(1) }) }), res.data, what);
  return { sha: data.commit.sha };
}

const restPullForAdoption = z.object({
  number: z.number().int(),
  html_url: z.string(),
  title: z.string(),
  state: z.string(),
  draft: z.boolean().optional(),
  merged: z.boolean().optional(),
  head: z.object({
    ref: z.string(),
    sha: z.string(),
    repo: z.object({ full_name: z.string() }).nullable(),
  }),
  base: z.object({ ref: z.string() }),
});

/** One PR with what adoption decides on (state, head repository for the fork check, branches). */
export async function getPullForAdoption(octokit: GithubClient, ref: RepoRef & { number: number }) {
  const what = `GET pull ${ref.owner}/${ref.repo}#${ref.number}`;
  const res = await guard(what, () =>
    octokit.rest.pulls.get({ owner: ref.owner, repo: ref.repo, pull_number: ref.number }),
  );
  const p = parseOrMalformed(restPullForAdoption, res.data, what);
  return {
    number: p.number,
    url: p.html_url,
    title: p.title,
    state: p.state,
    merged: p.merged ?? false,
    draft: p.draft ?? false,
    headRef: p.head.ref,
    headSha: p.head.sha,
    headRepo: p.head.repo?.full_name ?? null,
    baseRef: p.base.ref,
  };
}
