/**
 * The GitHub half of a poll cycle: one GraphQL listing per 100 open PRs (which also carries the
 * default branch's head commit and its checks), a review-thread follow-up for a watched PR with
 * more than 40 threads, and, only when a watched PR has failing checks and is based on something
 * other than the default branch's head, the base commit's checks (`base-checks.ts`). Failures come
 * back as results (type, message, retry time), not thrown: the poller is itself the retry loop, so
 * it can show the state and wait for the reset.
 */
import { rollupChecks } from '../../core/ci-rollup.js';
import { ErrorTypes } from '../../core/errors.js';
import type { PrSnapshot } from '../../core/pr.js';
import { createBaseChecks, failingOnDefaultHead, type BaseChecksOptions } from './base-checks.js';
import type { GithubClient } from './client.js';
import { GithubError, toGithubError } from './errors.js';
import {
  fetchOpenPrSnapshots,
  type GraphqlRateLimit,
  type RepoRef,
  type RequestCounter,
} from './snapshots.js';

/** One watched PR as GitHub shows it now. */
export interface WatchedPr {
  /** The PR number, as the watch set keys it. */
  number: string;
  workspaceId: string;
  /** Null when the PR is not in the open list (merged, closed or gone: the ratchet reads it once). */
  pr: PrSnapshot | null;
  /** Failing check names on the PR's base commit; empty unless the PR itself has failures. */
  failingOnBase: string[];
}

export type WatchedPrsRead =
  | {
      ok: true;
      openPrs: number;
      /** GitHub requests made (GraphQL and REST). */
      requests: number;
      /** In the order of the watch set. */
      prs: WatchedPr[];
      rateLimit: GraphqlRateLimit | null;
    }
  | {
      ok: false;
      /** GitHub requests made, the failed one included. */
      requests: number;
      /** `retryAfterMs` is relative (GitHub's reset minus now), so workflow time and wall time never mix. */
      error: { type: string; message: string; retryAfterMs: number | null };
    };

export interface WatchedPrReaderDeps extends BaseChecksOptions {
  /** Null without a token: every read answers GithubAuth. */
  octokit: GithubClient | null;
}

/** Reads a repository's watched PRs; the base-commit cache lives as long as the reader. */
export function createWatchedPrReader(deps: WatchedPrReaderDeps) {
  const baseChecks = createBaseChecks(deps);

  return async function readWatchedPrs(
    input: RepoRef & { /** PR number → workspace id. */ watch: Record<string, string> },
  ): Promise<WatchedPrsRead> {
    // Counted as each request goes out, so a failed read reports what it spent too.
    const counter: RequestCounter = { requests: 0 };
    if (!deps.octokit) {
      return {
        ok: false,
        requests: 0,
        error: {
          type: ErrorTypes.GithubAuth,
          message: 'no GitHub token: set GITHUB_TOKEN or GH_TOKEN, or run `gh auth login`',
          retryAfterMs: null,
        },
      };
    }
    const octokit = deps.octokit;
    const repo: RepoRef = { owner: input.owner, repo: input.repo };
    try {
      const only = new Set(Object.keys(input.watch).map(Number));
      const listing = await fetchOpenPrSnapshots(octokit, repo, { only, counter });
      const byNumber = new Map<number, PrSnapshot>(listing.prs.map((p) => [p.number, p]));
      const prs: WatchedPr[] = [];
      for (const [number, workspaceId] of Object.entries(input.watch)) {
        const pr = byNumber.get(Number(number)) ?? null;
        // Base checks matter only when this PR has failures to attribute. The listing already
        // holds the default branch's head; any other base commit is read once over REST.
        let failingOnBase: string[] = [];
        if (pr?.baseSha && rollupChecks(pr.checks).failing.length > 0) {
          failingOnBase =
            failingOnDefaultHead(pr, listing.defaultBranch) ??
            (await baseChecks.failingOn(octokit, repo, pr.baseSha, counter));
        }
        prs.push({ number, workspaceId, pr, failingOnBase });
      }
      return {
        ok: true,
        openPrs: listing.openPrs,
        requests: counter.requests,
        prs,
        rateLimit: listing.rateLimit,
      };
    } catch (err) {
      const e = err instanceof GithubError ? err : toGithubError(err, 'poll cycle');
      return {
        ok: false,
        requests: counter.requests,
        error: { type: e.type, message: e.message, retryAfterMs: e.retryAfterMs ?? null },
      };
    }
  };
}

export type WatchedPrReader = ReturnType<typeof createWatchedPrReader>;
