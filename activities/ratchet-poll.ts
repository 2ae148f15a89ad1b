/**
 * The poller's activities. One poll cycle = one GraphQL listing per 100 open PRs, which also
 * carries the default branch's head commit and its checks; plus a review-thread follow-up for a
 * watched PR with more than 40 threads, and, only when a watched PR has failing checks and is
 * based on something other than the default branch's head, a check-runs and a commit-status read
 * per base commit not seen before (cached once complete). Then one SQLite transaction for every watched PR, and a signal to each ratchet
 * whose snapshot changed since the last delivery. GitHub failures come back as results (type,
 * message, retry time), not thrown: the poller is itself the retry loop, so it can show the state
 * and wait for the reset.
 */
import { createHash } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { rollupChecks } from '../core/ci-rollup.js';
import { workflowIds } from '../core/ids.js';
import type { PrSnapshot } from '../core/pr.js';
import type { Db } from '../db/client.js';
import { applySnapshots } from '../db/queries/pull-requests.js';
import {
  POLLER_WORKFLOW_TYPE,
  snapshotSignal,
  watchSignal,
  type PollerInput,
  type SnapshotDelivery,
  type WatchInput,
} from '../core/contracts/poller.js';
import type { GithubClient } from './github/client.js';
import { GithubError, guard, toGithubError } from './github/errors.js';
import { toActivityFailure } from './github/index.js';
import {
  fetchOpenPrSnapshots,
  parseOrMalformed,
  type DefaultBranchHead,
  type RequestCounter,
} from './github/snapshots.js';
import { ErrorTypes } from '../core/errors.js';

export interface PollCycleInput {
  owner: string;
  repo: string;
  /** PR number → workspace id. */
  watch: Record<string, string>;
  /** PR number → digest of the last delivered snapshot. */
  digests: Record<string, string>;
}

export type PollCycleResult =
  | {
      ok: true;
      openPrs: number;
      /** GitHub requests this cycle made (GraphQL and REST). */
      requests: number;
      /** Ratchets signalled (their snapshot changed). */
      delivered: number;
      /** The digests to carry into the next cycle, for watched PRs only. */
      digests: Record<string, string>;
      /** Watched PRs whose ratchet workflow no longer exists: drop them. */
      gone: string[];
      rateLimit: { remaining: number; resetAt: string } | null;
    }
  | {
      ok: false;
      /** GitHub requests this cycle made, the failed one included. */
      requests: number;
      /** `retryAfterMs` is relative (GitHub's reset minus now), so workflow time and wall time never mix. */
      error: { type: string; message: string; retryAfterMs: number | null };
    };

export interface RatchetPollDeps {
  db: Db;
  octokit: GithubClient | null;
  /** Poll interval handed to a poller this process starts. @default 60000 */
  pollIntervalMs?: number;
  /**
   * Most base commits whose failing check names are cached, by SHA (a commit's checks rarely
   * change once complete). Only PRs not based on the default branch's head need this REST read.
   * @default 200
   */
  baseCacheMax?: number;
  /**
   * Delivers a snapshot to `ratchet/<workspaceId>`; 'gone' when that workflow no longer exists.
   * @default a signal through the activity's Temporal client
   */
  deliver?: (workspaceId: string, delivery: SnapshotDelivery) => Promise<'ok' | 'gone'>;
}

async function signalRatchet(workspaceId: string, delivery: SnapshotDelivery): Promise<'ok' | 'gone'> {
  try {
    await Context.current()
      .client.workflow.getHandle(workflowIds.ratchet(workspaceId))
      .signal(snapshotSignal, delivery);
    return 'ok';
  } catch (err) {
    // The ratchet ended (or never started): stop watching. Anything else is a real failure: retry the activity.
    if (err instanceof WorkflowNotFoundError) return 'gone';
    throw err;
  }
}

const checkRunsPage = z.object({
  check_runs: z.array(z.object({ name: z.string(), status: z.string(), conclusion: z.string().nullable() })),
});
const FAILED = new Set(['failure', 'timed_out', 'cancelled', 'startup_failure']);
const combinedStatus = z.object({
  statuses: z.array(
    z.object({ context: z.string(), state: z.enum(['error', 'failure', 'pending', 'success']) }),
  ),
});

function digestOf(value: unknown): string {
  return createHash('sha1').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

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

export function createRatchetPollActivities(deps: RatchetPollDeps) {
  const baseCache = new Map<string, string[]>();
  const baseCacheMax = deps.baseCacheMax ?? 200;

  async function baseFailing(
    octokit: GithubClient,
    owner: string,
    repo: string,
    sha: string,
    counter: RequestCounter,
  ): Promise<string[]> {
    const cached = baseCache.get(sha);
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
        ...status.statuses.filter((s) => s.state === 'failure' || s.state === 'error').map((s) => s.context),
      ]),
    ].sort();
    // Only complete answers are cached: a base still running may fail later.
    if (
      page.check_runs.every((c) => c.status === 'completed') &&
      status.statuses.every((s) => s.state !== 'pending')
    ) {
      baseCache.set(sha, names);
      while (baseCache.size > baseCacheMax) {
        const oldest = baseCache.keys().next().value;
        if (oldest === undefined) break;
        baseCache.delete(oldest);
      }
    }
    return names;
  }

  return {
    /** Registers a PR with its repo's poller, starting the poller if it is not running (signal-with-start). */
    async ratchetEnsureWatched(
      input: WatchInput & { owner: string; repo: string },
    ): Promise<{ pollerId: string }> {
      const ctx = Context.current();
      const pollerId = workflowIds.poller(input.owner, input.repo);
      const args: PollerInput = {
        owner: input.owner,
        repo: input.repo,
        intervalMs: deps.pollIntervalMs ?? 60_000,
      };
      await ctx.client.workflow.signalWithStart(POLLER_WORKFLOW_TYPE, {
        workflowId: pollerId,
        taskQueue: ctx.info.taskQueue,
        args: [args],
        signal: watchSignal,
        signalArgs: [{ workspaceId: input.workspaceId, number: input.number }],
      });
      return { pollerId };
    },

    /**
     * "Update branch" (merge base into head on GitHub's side), pinned to the head the ratchet saw:
     * GitHub answers 422 when the head moved, which is a result here, not an error.
     */
    async ratchetUpdateBranch(input: {
      owner: string;
      repo: string;
      number: number;
      expectedHeadSha: string;
    }): Promise<{ updated: boolean; message: string }> {
      if (!deps.octokit) return { updated: false, message: 'no GitHub token' };
      const octokit = deps.octokit;
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
        if (e.retryable) throw toActivityFailure(e, 'ratchetUpdateBranch');
        return { updated: false, message: e.message };
      }
    },

    async ratchetPollCycle(input: PollCycleInput): Promise<PollCycleResult> {
      const deliver = deps.deliver ?? signalRatchet;
      // Counted as each request goes out, so a failed cycle reports what it spent too.
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
      const at = Date.now();
      let listing: Awaited<ReturnType<typeof fetchOpenPrSnapshots>>;
      const deliveries: {
        number: string;
        workspaceId: string;
        delivery: SnapshotDelivery;
        digest: string;
      }[] = [];
      try {
        const only = new Set(Object.keys(input.watch).map(Number));
        listing = await fetchOpenPrSnapshots(
          octokit,
          { owner: input.owner, repo: input.repo },
          { only, counter },
        );
        const byNumber = new Map<number, PrSnapshot>(listing.prs.map((p) => [p.number, p]));
        for (const [number, workspaceId] of Object.entries(input.watch)) {
          const pr = byNumber.get(Number(number));
          if (!pr) {
            deliveries.push({
              number,
              workspaceId,
              delivery: { kind: 'missing', number: Number(number), at },
              digest: 'missing',
            });
            continue;
          }
          // Base checks matter only when this PR has failures to attribute. The listing already
          // holds the default branch's head; any other base commit is read once over REST.
          let failingOnBase: string[] = [];
          if (pr.baseSha && rollupChecks(pr.checks).failing.length > 0) {
            failingOnBase =
              failingOnDefaultHead(pr, listing.defaultBranch) ??
              (await baseFailing(octokit, input.owner, input.repo, pr.baseSha, counter));
          }
          const digest = digestOf({ pr, failingOnBase });
          deliveries.push({
            number,
            workspaceId,
            delivery: { kind: 'snapshot', pr, baseFailing: failingOnBase, at },
            digest,
          });
        }
      } catch (err) {
        const e = err instanceof GithubError ? err : toGithubError(err, 'poll cycle');
        return {
          ok: false,
          requests: counter.requests,
          error: { type: e.type, message: e.message, retryAfterMs: e.retryAfterMs ?? null },
        };
      }
      applySnapshots({
        db: deps.db,
        items: deliveries.flatMap((d) =>
          d.delivery.kind === 'snapshot' ? [{ workspaceId: d.workspaceId, snapshot: d.delivery.pr, at }] : [],
        ),
      });
      const digests: Record<string, string> = {};
      const gone: string[] = [];
      let delivered = 0;
      for (const d of deliveries) {
        if (input.digests[d.number] === d.digest) {
          digests[d.number] = d.digest;
          continue;
        }
        if ((await deliver(d.workspaceId, d.delivery)) === 'gone') {
          gone.push(d.number);
          continue;
        }
        digests[d.number] = d.digest;
        delivered++;
      }
      const rl = listing.rateLimit;
      return {
        ok: true,
        openPrs: listing.openPrs,
        requests: counter.requests,
        delivered,
        digests,
        gone,
        rateLimit: rl ? { remaining: rl.remaining, resetAt: rl.resetAt } : null,
      };
    },
  };
}

export type RatchetPollActivities = ReturnType<typeof createRatchetPollActivities>;
