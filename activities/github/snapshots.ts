/**
 * PR snapshots from GraphQL: every open PR of a repository in one request per 100 PRs, with the
 * default branch's head commit and its checks, or one PR by number (which also reports MERGED /
 * CLOSED). A PR with more review threads than the first page gets the rest by follow-up requests,
 * so no unresolved thread is dropped. Answers are parsed with zod; a malformed answer throws
 * GithubMalformed naming the GraphQL field path, which the activity layer makes non-retryable (a
 * bad payload does not become a crash loop).
 */
import type { z } from 'zod';
import { ErrorTypes } from '../../core/errors.js';
import { prSnapshotSchema, type Actor, type Check, type PrSnapshot } from '../../core/pr.js';
import type { GithubClient } from './client.js';
import { fieldPath, GithubError, guard } from './errors.js';
import {
  gqlCheckRun,
  gqlStatusContext,
  onePrResponse,
  ONE_PR_QUERY,
  openPrsResponse,
  OPEN_PRS_QUERY,
  reviewThreadsResponse,
  REVIEW_THREADS_QUERY,
  type GqlCheckRollup,
  type GqlPullRequest,
  type GqlReviewThread,
} from './snapshot-query.js';

export interface RepoRef {
  owner: string;
  repo: string;
}

export interface GraphqlRateLimit {
  cost: number;
  remaining: number;
  resetAt: string;
}

/** The default branch's head commit and the checks GitHub reports on it. */
export interface DefaultBranchHead {
  name: string;
  sha: string;
  checks: Check[];
}

export interface OpenPrSnapshots {
  /** Every open PR, or only those in `only` when it was given. */
  prs: PrSnapshot[];
  /** Open PRs in the repository (including those `only` left out). */
  openPrs: number;
  /** Null for an empty repository. */
  defaultBranch: DefaultBranchHead | null;
  /** GraphQL requests this listing made: one per 100 open PRs, plus review-thread follow-ups. */
  requests: number;
  rateLimit: GraphqlRateLimit | null;
}

/**
 * A running count of the requests a caller's work made, kept by the callee as it goes so the
 * count is right even when a later request throws.
 */
export interface RequestCounter {
  requests: number;
}

/** Hard stop for pagination: 10 pages = 1,000 open PRs. */
const MAX_PAGES = 10;

export function parseOrMalformed<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  prefix = '',
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field =
    [prefix, fieldPath(issue?.path ?? [])].filter((p) => p && p !== '(root)').join('.') || '(root)';
  throw new GithubError(
    ErrorTypes.GithubMalformed,
    `${what}: malformed field ${field}: ${issue?.message ?? 'invalid'}`,
    {
      field,
    },
  );
}

/**
 * Every open PR with its full list of review threads. `only` restricts the snapshots built (and
 * the thread follow-ups made) to those PR numbers: the poller needs only the PRs it watches.
 */
export async function fetchOpenPrSnapshots(
  octokit: GithubClient,
  ref: RepoRef,
  opts: { only?: ReadonlySet<number>; counter?: RequestCounter } = {},
): Promise<OpenPrSnapshots> {
  const counter = opts.counter ?? { requests: 0 };
  const startedAt = counter.requests;
  const prs: PrSnapshot[] = [];
  let openPrs = 0;
  let defaultBranch: DefaultBranchHead | null = null;
  let cursor: string | null = null;
  let pages = 0;
  let rateLimit: GraphqlRateLimit | null = null;
  const what = `GraphQL RatchetOpenPullRequests ${ref.owner}/${ref.repo}`;
  do {
    counter.requests++;
    const raw: unknown = await guard(what, () =>
      octokit.graphql(OPEN_PRS_QUERY, { owner: ref.owner, name: ref.repo, cursor }),
    );
    pages++;
    const data = parseOrMalformed(openPrsResponse, raw, what);
    rateLimit = data.rateLimit;
    // Every page carries it; the first page's answer is the one the listing started from.
    if (pages === 1) defaultBranch = mapDefaultBranch(data.repository.defaultBranchRef, what);
    const nodes = data.repository.pullRequests.nodes;
    for (const [i, node] of nodes.entries()) {
      openPrs++;
      if (opts.only && !opts.only.has(node.number)) continue;
      const prefix = `repository.pullRequests.nodes.${i}`;
      const threads = await allReviewThreads(octokit, ref, node, prefix, counter);
      prs.push(mapPullRequest(ref, node, prefix, what, threads));
    }
    const info = data.repository.pullRequests.pageInfo;
    cursor = info.hasNextPage ? info.endCursor : null;
  } while (cursor && pages < MAX_PAGES);
  return { prs, openPrs, defaultBranch, requests: counter.requests - startedAt, rateLimit };
}

/** One PR by number, whatever its state (the ratchet needs to see MERGED and CLOSED). */
export async function fetchPrSnapshot(
  octokit: GithubClient,
  ref: RepoRef & { number: number },
  opts: { counter?: RequestCounter } = {},
): Promise<PrSnapshot> {
  const counter = opts.counter ?? { requests: 0 };
  const what = `GraphQL RatchetPullRequest ${ref.owner}/${ref.repo}#${ref.number}`;
  counter.requests++;
  const raw: unknown = await guard(what, () =>
    octokit.graphql(ONE_PR_QUERY, { owner: ref.owner, name: ref.repo, number: ref.number }),
  );
  const data = parseOrMalformed(onePrResponse, raw, what);
  const node = data.repository.pullRequest;
  const threads = await allReviewThreads(octokit, ref, node, 'repository.pullRequest', counter);
  return mapPullRequest(ref, node, 'repository.pullRequest', what, threads);
}

/**
 * The PR's first page of review threads plus every later page, one `RatchetReviewThreads`
 * request each. There is no page cap: a cap would drop threads silently. A cursor that does not
 * move is a malformed answer, which also keeps a broken server from looping us forever.
 */
async function allReviewThreads(
  octokit: GithubClient,
  ref: RepoRef,
  node: GqlPullRequest,
  prefix: string,
  counter: RequestCounter,
): Promise<GqlReviewThread[]> {
  const threads = [...node.reviewThreads.nodes];
  let info = node.reviewThreads.pageInfo;
  let at = `${prefix}.reviewThreads.pageInfo`;
  const what = `GraphQL RatchetReviewThreads ${ref.owner}/${ref.repo}#${node.number}`;
  while (info.hasNextPage) {
    const cursor = info.endCursor;
    if (!cursor) {
      throw new GithubError(
        ErrorTypes.GithubMalformed,
        `${what}: malformed field ${at}.endCursor: null while hasNextPage is true`,
        {
          field: `${at}.endCursor`,
        },
      );
    }
    counter.requests++;
    const raw: unknown = await guard(what, () =>
      octokit.graphql(REVIEW_THREADS_QUERY, {
        owner: ref.owner,
        name: ref.repo,
        number: node.number,
        cursor,
      }),
    );
    const page = parseOrMalformed(reviewThreadsResponse, raw, what).repository.pullRequest.reviewThreads;
    at = 'repository.pullRequest.reviewThreads.pageInfo';
    if (page.pageInfo.hasNextPage && page.pageInfo.endCursor === cursor) {
      throw new GithubError(
        ErrorTypes.GithubMalformed,
        `${what}: malformed field ${at}.endCursor: the cursor did not move`,
        {
          field: `${at}.endCursor`,
        },
      );
    }
    threads.push(...page.nodes);
    info = page.pageInfo;
  }
  return threads;
}

/**
 * GraphQL reports bots by `__typename: 'Bot'` and their login without the `[bot]` suffix REST
 * uses; we normalise to the REST spelling so logins compare equal across both APIs. A deleted
 * account (author null) becomes GitHub's `ghost`.
 */
function actor(a: { __typename: string; login: string } | null): Actor {
  if (!a) return { login: 'ghost', isBot: false };
  const isBot = a.__typename === 'Bot';
  return { login: isBot && !a.login.endsWith('[bot]') ? `${a.login}[bot]` : a.login, isBot };
}

const CHECKS_PATH = 'commits.nodes.0.commit.statusCheckRollup.contexts.nodes';
const DEFAULT_BRANCH_CHECKS_PATH = 'repository.defaultBranchRef.target.statusCheckRollup.contexts.nodes';

/** Rollup members as Checks; `at` is the GraphQL path of the `nodes` array, for error messages. */
function mapChecks(rollup: GqlCheckRollup | null, at: string, what: string): Check[] {
  const checks: Check[] = [];
  (rollup?.contexts.nodes ?? []).forEach((c, i) => {
    if (c.__typename === 'CheckRun') {
      const r = parseOrMalformed(gqlCheckRun, c, what, `${at}.${i}`);
      const run = r.checkSuite?.workflowRun ?? null;
      checks.push({
        kind: 'check_run',
        name: r.name,
        workflowName: run?.workflow?.name ?? null,
        status: r.status as never,
        conclusion: r.conclusion as never,
        startedAt: r.startedAt,
        completedAt: r.completedAt,
        detailsUrl: r.detailsUrl,
        databaseId: r.databaseId,
        runId: run?.databaseId ?? null,
        // GraphQL exposes no run attempt on CheckRun; failed-job lookups read it from REST.
        attempt: null,
      });
    } else if (c.__typename === 'StatusContext') {
      const s = parseOrMalformed(gqlStatusContext, c, what, `${at}.${i}`);
      checks.push({
        kind: 'status',
        context: s.context,
        state: s.state as never,
        targetUrl: s.targetUrl,
        createdAt: s.createdAt,
      });
    }
    // Any other member type is a future addition to the union: skipped, not fatal.
  });
  return checks;
}

function mapDefaultBranch(
  branch: z.infer<typeof openPrsResponse>['repository']['defaultBranchRef'],
  what: string,
): DefaultBranchHead | null {
  if (!branch?.target) return null;
  const checks = mapChecks(branch.target.statusCheckRollup, DEFAULT_BRANCH_CHECKS_PATH, what);
  // The same enum checks a PR's checks get, so a bad value names its field here too.
  const parsed = prSnapshotSchema.shape.checks.safeParse(checks);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const [index, ...rest] = issue?.path ?? [];
    const field = [DEFAULT_BRANCH_CHECKS_PATH, String(index), ...rest.map(String)].join('.');
    throw new GithubError(
      ErrorTypes.GithubMalformed,
      `${what}: malformed field ${field}: ${issue?.message ?? 'invalid'}`,
      { field },
    );
  }
  return { name: branch.name, sha: branch.target.oid, checks: parsed.data };
}

/** Snapshot fields whose GraphQL source has another name, for error messages. */
const SOURCE_FIELD: Record<string, string> = {
  headSha: 'headRefOid',
  baseSha: 'baseRefOid',
  reviews: 'latestReviews.nodes',
  unresolvedThreads: 'reviewThreads.nodes',
  checks: CHECKS_PATH,
};

/**
 * Maps a PR node onto PrSnapshot. `threads` is every review thread of the PR (the first page in
 * `node` plus any follow-up pages); it defaults to the first page.
 */
export function mapPullRequest(
  ref: RepoRef,
  node: GqlPullRequest,
  prefix: string,
  what: string,
  threads: readonly GqlReviewThread[] = node.reviewThreads.nodes,
): PrSnapshot {
  const snapshot = {
    repo: { owner: ref.owner, name: ref.repo },
    number: node.number,
    url: node.url,
    title: node.title,
    state: node.state,
    isDraft: node.isDraft,
    headRefName: node.headRefName,
    baseRefName: node.baseRefName,
    headSha: node.headRefOid,
    ...(node.baseRefOid ? { baseSha: node.baseRefOid } : {}),
    mergeable: node.mergeable,
    mergeStateStatus: node.mergeStateStatus,
    reviewDecision: node.reviewDecision,
    reviews: node.latestReviews.nodes.map((r) => ({
      id: r.id,
      author: actor(r.author),
      state: r.state,
      submittedAt: r.submittedAt,
      body: r.body,
    })),
    unresolvedThreads: threads
      .filter((t) => !t.isResolved)
      .map((t) => ({
        id: t.id,
        path: t.path,
        line: t.line,
        isOutdated: t.isOutdated,
        comments: t.comments.nodes.map((c) => ({
          author: actor(c.author),
          body: c.body,
          createdAt: c.createdAt,
        })),
      })),
    checks: mapChecks(
      node.commits.nodes[0]?.commit.statusCheckRollup ?? null,
      `${prefix}.${CHECKS_PATH}`,
      what,
    ),
    updatedAt: node.updatedAt,
  };
  const parsed = prSnapshotSchema.safeParse(snapshot);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const [head, ...rest] = issue?.path ?? [];
  const source = [SOURCE_FIELD[String(head)] ?? String(head), ...rest.map(String)].join('.');
  const field = `${prefix}.${source}`;
  throw new GithubError(
    ErrorTypes.GithubMalformed,
    `${what}: malformed field ${field}: ${issue?.message ?? 'invalid'}`,
    {
      field,
    },
  );
}
