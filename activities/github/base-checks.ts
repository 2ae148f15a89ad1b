/**
 * "Is this failure also red on the base?", answered from GitHub. A PR based on the default
 * branch's head is answered from the listing (which carries that commit's checks); any other base
 * commit costs one check-runs and one commit-status read over REST, cached by SHA once complete
 * (a commit's checks rarely change after that).
 */
import { z } from 'zod';
import { rollupChecks } from '../../core/ci-rollup.js';
import type { PrSnapshot } from '../../core/pr.js';
import type { GithubClient } from './client.js';
import { guard } from './errors.js';
import { parseOrMalformed, type DefaultBranchHead, type RepoRef, type RequestCounter } from './snapshots.js';

const checkRunsPage = z.object({
  check_runs: z.array(z.object({ name: z.string(), status: z.string(), conclusion: z.string().nullable() })),
});
const FAILED = new Set(['failure', 'timed_out', 'cancelled', 'startup_failure']);
const combinedStatus = z.object({
  statuses: z.array(
    z.object({ context: z.string(), state: z.enum(['error', 'failure', 'pending', 'success']) }),
  ),
});

/**
 * The checks failing on the default branch's head, by key and by name (the decision matches a
 * PR's failing check against either), when `pr` is based on exactly that commit; else null and
 * the caller asks REST about the PR's own base commit.
 */
export function failingOnDefaultHead(pr: PrSnapshot, head: DefaultBranchHead | null): string[] | null {
  if (!head || pr.baseRefName !== head.name || pr.baseSha !== head.sha) return null;
  const failing = rollupChecks(head.checks).failing;
  return [...new Set(failing.flatMap((c) => [c.key, c.name]))].sort();
}

export interface BaseChecksOptions {
  /**
   * Most base commits whose failing check names are cached, by SHA.
   * @default 200
   */
  baseCacheMax?: number;
}

/** A reader of failing check names per base commit, with its own cache (one per process). */
export function createBaseChecks(options: BaseChecksOptions = {}) {
  const cache = new Map<string, string[]>();
  const max = options.baseCacheMax ?? 200;

  return {
    /** Failing check-run names and failing commit-status contexts on `sha`, sorted. */
    async failingOn(
      octokit: GithubClient,
      { owner, repo }: RepoRef,
      sha: string,
      counter: RequestCounter,
    ): Promise<string[]> {
      const cached = cache.get(sha);
      if (cached) return cached;
      const what = `GET check-runs ${owner}/${repo}@${sha.slice(0, 8)}`;
      counter.requests++;
      const res = await guard(what, () =>
        octokit.rest.checks.listForRef({ owner, repo, ref: sha, per_page: 100 }),
      );
      const page = parseOrMalformed(checkRunsPage, res.data, what);
      // Commit statuses (older CI integrations post these, not check runs): the latest per context.
      const whatStatus = `GET status ${owner}/${repo}@${sha.slice(0, 8)}`;
      counter.requests++;
      const statusRes = await guard(whatStatus, () =>
        octokit.rest.repos.getCombinedStatusForRef({ owner, repo, ref: sha, per_page: 100 }),
      );
      const status = parseOrMalformed(combinedStatus, statusRes.data, whatStatus);
      const names = [
        ...new Set([
          ...page.check_runs
            .filter((c) => c.conclusion !== null && FAILED.has(c.conclusion))
            .map((c) => c.name),
          ...status.statuses
            .filter((s) => s.state === 'failure' || s.state === 'error')
            .map((s) => s.context),
        ]),
      ].sort();
      // Only complete answers are cached: a base still running may fail later.
      if (
        page.check_runs.every((c) => c.status === 'completed') &&
        status.statuses.every((s) => s.state !== 'pending')
      ) {
        cache.set(sha, names);
        while (cache.size > max) {
          const oldest = cache.keys().next().value;
          if (oldest === undefined) break;
          cache.delete(oldest);
        }
      }
      return names;
    },
  };
}

export type BaseChecks = ReturnType<typeof createBaseChecks>;
