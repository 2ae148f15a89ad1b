/**
 * GitHub as Temporal activities. Each takes one serializable object and returns a serializable
 * result; failures leave as `ApplicationFailure` with a stable type: rate limits are retryable
 * with `nextRetryDelay` = time until reset, transport errors retryable, everything else
 * (auth, not found, malformed payload, deleted branch) non-retryable. Expected outcomes (PR
 * already exists, already merged, head moved) are results, not errors.
 *
 * Workflows import only `type GithubActivities`; the worker wires a real client, tests wire one
 * pointed at the fake server.
 */
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { ErrorTypes } from '../../core/errors.js';
import type { PrSnapshot } from '../../core/pr.js';
import type { PullForAdoption } from '../../core/intake.js';
import type { GithubClient } from './client.js';
import { GithubError, toGithubError } from './errors.js';
import * as ops from './operations.js';
import type { RepoRef } from './snapshots.js';

export { createGithubClient, githubApiUrl, resolveGithubToken } from './client.js';
export type { EtagCache, GithubClient, GithubClientOptions } from './client.js';
export { GithubError } from './errors.js';
export type * from './operations.js';

export interface GithubActivityDeps {
  /** Null when no token could be resolved: every call fails GithubAuth. */
  octokit: GithubClient | null;
}

/** Converts anything thrown below into the ApplicationFailure Temporal acts on. */
export function toActivityFailure(err: unknown, what: string): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof z.ZodError) {
    return ApplicationFailure.nonRetryable(
      `${what}: invalid input: ${err.issues[0]?.message ?? ''}`,
      ErrorTypes.GithubValidation,
    );
  }
  const e = err instanceof GithubError ? err : toGithubError(err, what);
  const details = { status: e.status ?? null, resetAt: e.resetAt ?? null, field: e.field ?? null };
  return ApplicationFailure.create({
    message: e.message,
    type: e.type,
    nonRetryable: !e.retryable,
    details: [details],
    ...(e.type === ErrorTypes.GithubRateLimited && e.retryAfterMs !== undefined
      ? { nextRetryDelay: e.retryAfterMs }
      : {}),
  });
}

export function createGithubActivities(deps: GithubActivityDeps) {
  const client = (): GithubClient => {
    if (!deps.octokit) {
      throw new GithubError(
        ErrorTypes.GithubAuth,
        'no GitHub token: set GITHUB_TOKEN or GH_TOKEN, or run `gh auth login`',
      );
    }
    return deps.octokit;
  };
  function activity<I, O>(
    name: string,
    fn: (octokit: GithubClient, input: I) => Promise<O>,
  ): (input: I) => Promise<O> {
    return async (input: I) => {
      try {
        return await fn(client(), input);
      } catch (err) {
        throw toActivityFailure(err, name);
      }
    };
  }

  return {
    githubGetPrSnapshot: activity(
      'githubGetPrSnapshot',
      (o, i: RepoRef & { number: number }): Promise<PrSnapshot> => ops.fetchPrSnapshot(o, i),
    ),
    githubListIssues: activity('githubListIssues', (o, i: ops.ListIssuesInput) => ops.listIssues(o, i)),
    githubGetIssue: activity('githubGetIssue', (o, i: RepoRef & { number: number }) => ops.getIssue(o, i)),
    githubGetPullForAdoption: activity(
      'githubGetPullForAdoption',
      (o, i: RepoRef & { number: number }): Promise<PullForAdoption> => ops.getPullForAdoption(o, i),
    ),
    githubCreatePullRequest: activity('githubCreatePullRequest', (o, i: ops.CreatePrInput) =>
      ops.createPullRequest(o, i),
    ),
    githubGetFailedJobLogs: activity('githubGetFailedJobLogs', (o, i: ops.FailedJobLogsInput) =>
      ops.getFailedJobLogs(o, i),
    ),
    githubRerunFailedJobs: activity('githubRerunFailedJobs', (o, i: ops.RerunInput) =>
      ops.rerunFailedJobs(o, i),
    ),
    githubUpsertComment: activity('githubUpsertComment', (o, i: ops.UpsertCommentInput) =>
      ops.upsertMarkerComment(o, i),
    ),
    githubRequestReReview: activity('githubRequestReReview', (o, i: ops.ReReviewInput) =>
      ops.requestReReview(o, i),
    ),
    githubMergePullRequest: activity('githubMergePullRequest', (o, i: ops.MergeInput) =>
      ops.mergePullRequest(o, i),
    ),
    githubMarkReadyForReview: activity('githubMarkReadyForReview', (o, i: RepoRef & { number: number }) =>
      ops.markReadyForReview(o, i),
    ),

    /**
     * "Update branch", pinned to the head the ratchet saw (`ops.updateBranch`): a refusal is a
     * result. Without a token it is a result too (the loop records it and carries on). Registered
     * under the ratchet's name for it (stored histories call it so).
     */
    async ratchetUpdateBranch(input: ops.UpdateBranchInput): Promise<ops.UpdateBranchResult> {
      if (!deps.octokit) return { updated: false, message: 'no GitHub token' };
      try {
        return await ops.updateBranch(deps.octokit, input);
      } catch (err) {
        throw toActivityFailure(err, 'ratchetUpdateBranch');
      }
    },

    /**
     * Ratchet's own login (the token's user), so the loop never counts its own comments as
     * feedback; null when there is no token or GitHub refuses it (the loop then just knows no
     * self login). Other failures are retried like any read.
     */
    async githubViewerLogin(_input: Record<string, never>): Promise<string | null> {
      if (!deps.octokit) return null;
      try {
        return await ops.getViewerLogin(deps.octokit);
      } catch (err) {
        if (err instanceof GithubError && err.type === ErrorTypes.GithubAuth) return null;
        throw toActivityFailure(err, 'githubViewerLogin');
      }
    },
  };
}

export type GithubActivities = ReturnType<typeof createGithubActivities>;
