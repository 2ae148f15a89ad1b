/**
 * PR snapshots from GraphQL: every open PR of a repository in one request per 50 PRs, or one PR
 * by number (which also reports MERGED / CLOSED). Answers are parsed with zod; a malformed answer
 * throws GithubMalformed naming the GraphQL field path, which the activity layer makes
 * non-retryable (a bad payload does not become a crash loop).
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
  type GqlPullRequest,
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

export interface OpenPrSnapshots {
  prs: PrSnapshot[];
  /** GraphQL requests this listing cost (one per page of 50). */
  pages: number;
  rateLimit: GraphqlRateLimit | null;
}

/** Hard stop for pagination: 20 pages = 1,000 open PRs. */
const MAX_PAGES = 20;

export function parseOrMalformed<S extends z.ZodType>(schema: S, value: unknown, what: string, prefix = ''): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = [prefix, fieldPath(issue?.path ?? [])].filter((p) => p && p !== '(root)').join('.') || '(root)';
  throw new GithubError(ErrorTypes.GithubMalformed, `${what}: malformed field ${field}: ${issue?.message ?? 'invalid'}`, {
    field,
  });
}

export async function fetchOpenPrSnapshots(octokit: GithubClient, ref: RepoRef): Promise<OpenPrSnapshots> {
  const prs: PrSnapshot[] = [];
  let cursor: string | null = null;
  let pages = 0;
  let rateLimit: GraphqlRateLimit | null = null;
  const what = `GraphQL RatchetOpenPullRequests ${ref.owner}/${ref.repo}`;
  do {
    const raw: unknown = await guard(what, () => octokit.graphql(OPEN_PRS_QUERY, { owner: ref.owner, name: ref.repo, cursor }));
    pages++;
    const data = parseOrMalformed(openPrsResponse, raw, what);
    rateLimit = data.rateLimit;
    data.repository.pullRequests.nodes.forEach((node, i) => {
      prs.push(mapPullRequest(ref, node, `repository.pullRequests.nodes.${i}`, what));
    });
    const info = data.repository.pullRequests.pageInfo;
    cursor = info.hasNextPage ? info.endCursor : null;
  } while (cursor && pages < MAX_PAGES);
  return { prs, pages, rateLimit };
}

/** One PR by number, whatever its state (the ratchet needs to see MERGED and CLOSED). */
export async function fetchPrSnapshot(octokit: GithubClient, ref: RepoRef & { number: number }): Promise<PrSnapshot> {
  const what = `GraphQL RatchetPullRequest ${ref.owner}/${ref.repo}#${ref.number}`;
  const raw: unknown = await guard(what, () =>
    octokit.graphql(ONE_PR_QUERY, { owner: ref.owner, name: ref.repo, number: ref.number }),
  );
  const data = parseOrMalformed(onePrResponse, raw, what);
  return mapPullRequest(ref, data.repository.pullRequest, 'repository.pullRequest', what);
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

function mapChecks(node: GqlPullRequest, prefix: string, what: string): Check[] {
  const contexts = node.commits.nodes[0]?.commit.statusCheckRollup?.contexts.nodes ?? [];
  const checks: Check[] = [];
  contexts.forEach((c, i) => {
    const at = `${prefix}.${CHECKS_PATH}.${i}`;
    if (c.__typename === 'CheckRun') {
      const r = parseOrMalformed(gqlCheckRun, c, what, at);
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
      const s = parseOrMalformed(gqlStatusContext, c, what, at);
      checks.push({ kind: 'status', context: s.context, state: s.state as never, targetUrl: s.targetUrl, createdAt: s.createdAt });
    }
    // Any other member type is a future addition to the union: skipped, not fatal.
  });
  return checks;
}

/** Snapshot fields whose GraphQL source has another name, for error messages. */
const SOURCE_FIELD: Record<string, string> = {
  headSha: 'headRefOid',
  baseSha: 'baseRefOid',
  reviews: 'latestReviews.nodes',
  unresolvedThreads: 'reviewThreads.nodes',
  checks: CHECKS_PATH,
};

export function mapPullRequest(ref: RepoRef, node: GqlPullRequest, prefix: string, what: string): PrSnapshot {
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
    unresolvedThreads: node.reviewThreads.nodes
      .filter((t) => !t.isResolved)
      .map((t) => ({
        id: t.id,
        path: t.path,
        line: t.line,
        isOutdated: t.isOutdated,
        comments: t.comments.nodes.map((c) => ({ author: actor(c.author), body: c.body, createdAt: c.createdAt })),
      })),
    checks: mapChecks(node, prefix, what),
    updatedAt: node.updatedAt,
  };
  const parsed = prSnapshotSchema.safeParse(snapshot);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const [head, ...rest] = issue?.path ?? [];
  const source = [SOURCE_FIELD[String(head)] ?? String(head), ...rest.map(String)].join('.');
  const field = `${prefix}.${source}`;
  throw new GithubError(ErrorTypes.GithubMalformed, `${what}: malformed field ${field}: ${issue?.message ?? 'invalid'}`, {
    field,
  });
}
