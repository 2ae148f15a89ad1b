/**
 * The GraphQL subset of the fake GitHub. Not a GraphQL engine: it dispatches on the operation
 * name our documents declare and answers with the exact shape api.github.com returns for those
 * selections (connections with `nodes`/`pageInfo`, `__typename` on union members, GitHub's
 * `errors[].type` values). Page sizes are the `first`/`last` the document asks for, and the cost
 * is GitHub's (cost.ts): `rateLimit.cost` and the recorded request report it, and a document
 * asking for over 100 records on a connection or 500,000 nodes is refused the way GitHub refuses it.
 */
import { NODE_LIMIT, queryCost, type QueryCost } from './cost.js';
import { tick, type FakeActor, type FakeCheck, type FakePr, type FakeRepo, type FakeState } from './state.js';

export interface GraphqlBody {
  query?: unknown;
  variables?: Record<string, unknown>;
}

export interface GraphqlResult {
  operation: string;
  body: Record<string, unknown>;
  /** Rate-limit points GitHub would charge (0 when the document was refused before running). */
  points: number;
}

/** Open PRs per `RatchetOpenPullRequests` page when the document does not say. */
export const PAGE_SIZE = 100;

export function operationName(query: string): string {
  return /\b(?:query|mutation)\s+([A-Za-z_]\w*)/.exec(query)?.[1] ?? '(anonymous)';
}

function actor(a: FakeActor | null) {
  if (!a) return null;
  const isBot = a.isBot ?? a.login.endsWith('[bot]');
  return { __typename: isBot ? 'Bot' : 'User', login: isBot ? a.login.replace(/\[bot\]$/, '') : a.login };
}

function rateLimit(s: { graphqlRemaining: number }, cost: number) {
  return { cost, remaining: s.graphqlRemaining, resetAt: new Date(Date.now() + 3600_000).toISOString() };
}

const encodeCursor = (kind: string, offset: number) => Buffer.from(`${kind}:${offset}`).toString('base64');
const decodeCursor = (cursor: unknown) =>
  typeof cursor === 'string' ? Number(Buffer.from(cursor, 'base64').toString('utf8').split(':')[1]) || 0 : 0;

/** A slice of `items` as a GraphQL connection page: `nodes` plus `pageInfo`. */
function connection<T, N>(
  items: readonly T[],
  kind: string,
  first: number,
  after: unknown,
  map: (item: T) => N,
) {
  const start = decodeCursor(after);
  const page = items.slice(start, start + first);
  const end = start + page.length;
  return {
    pageInfo: { hasNextPage: end < items.length, endCursor: page.length ? encodeCursor(kind, end) : null },
    nodes: page.map(map),
  };
}

/** Page sizes the document asks for, by connection field name. */
interface Sizes {
  reviews: number;
  threads: number;
  comments: number;
  contexts: number;
}

function sizesOf(cost: QueryCost): Sizes {
  return {
    reviews: cost.pages.get('latestReviews') ?? 100,
    threads: cost.pages.get('reviewThreads') ?? 100,
    comments: cost.pages.get('comments') ?? 100,
    contexts: cost.pages.get('contexts') ?? 100,
  };
}

function contextNode(repo: FakeRepo, c: FakeCheck, statusCreatedAt: string) {
  return c.kind === 'check_run'
    ? {
        __typename: 'CheckRun',
        name: c.name,
        status: c.status,
        conclusion: c.conclusion,
        startedAt: c.startedAt ?? null,
        completedAt: c.completedAt ?? null,
        detailsUrl: c.runId
          ? `https://github.com/${repo.owner}/${repo.name}/actions/runs/${c.runId}/job/${c.databaseId ?? 0}`
          : null,
        databaseId: c.databaseId ?? null,
        checkSuite: {
          workflowRun: c.runId ? { databaseId: c.runId, workflow: { name: c.workflowName ?? 'CI' } } : null,
        },
      }
    : {
        __typename: 'StatusContext',
        context: c.context,
        state: c.state,
        targetUrl: c.targetUrl ?? null,
        createdAt: c.createdAt ?? statusCreatedAt,
      };
}

/** A commit's `statusCheckRollup`: null when nothing reported on it, as on GitHub. */
function rollup(repo: FakeRepo, checks: readonly FakeCheck[], sizes: Sizes, statusCreatedAt: string) {
  if (checks.length === 0) return null;
  return {
    contexts: { nodes: checks.slice(0, sizes.contexts).map((c) => contextNode(repo, c, statusCreatedAt)) },
  };
}

function threadNode(t: FakePr['threads'][number], sizes: Sizes) {
  return {
    id: t.id,
    isResolved: t.isResolved,
    isOutdated: t.isOutdated,
    path: t.path,
    line: t.line,
    comments: {
      nodes: t.comments
        .slice(0, sizes.comments)
        .map((c) => ({ body: c.body, createdAt: c.createdAt, author: actor(c.author) })),
    },
  };
}

export function prNode(repo: FakeRepo, p: FakePr, sizes: Sizes) {
  return {
    id: p.nodeId,
    number: p.number,
    url: `https://github.com/${repo.owner}/${repo.name}/pull/${p.number}`,
    title: p.title,
    state: p.state,
    isDraft: p.isDraft,
    headRefName: p.head,
    baseRefName: p.base,
    headRefOid: p.headSha,
    baseRefOid: p.baseSha,
    mergeable: p.mergeable,
    mergeStateStatus: p.mergeStateStatus,
    reviewDecision: p.reviewDecision,
    updatedAt: p.updatedAt,
    latestReviews: {
      nodes: p.reviews.slice(0, sizes.reviews).map((r) => ({
        id: r.id,
        state: r.state,
        submittedAt: r.submittedAt,
        body: r.body,
        author: actor(r.author),
      })),
    },
    reviewThreads: connection(p.threads, 'thread', sizes.threads, null, (t) => threadNode(t, sizes)),
    commits: {
      nodes: [{ commit: { oid: p.headSha, statusCheckRollup: rollup(repo, p.checks, sizes, p.updatedAt) } }],
    },
  };
}

/** The default branch's head commit and what reported on it (`setCommitChecks`); null for an empty repo. */
function defaultBranchRef(repo: FakeRepo, sizes: Sizes) {
  const oid = repo.branches.get(repo.defaultBranch);
  if (!oid) return null;
  const checks = repo.commitChecks?.get(oid) ?? [];
  return {
    name: repo.defaultBranch,
    target: { oid, statusCheckRollup: rollup(repo, checks, sizes, '2026-01-01T00:00:00Z') },
  };
}

function notFound(path: string, message: string) {
  return { data: { repository: null }, errors: [{ type: 'NOT_FOUND', path: [path], message }] };
}

function prNotFound(s: { graphqlRemaining: number }, points: number, number: unknown) {
  return {
    data: { rateLimit: rateLimit(s, points), repository: { pullRequest: null } },
    errors: [
      {
        type: 'NOT_FOUND',
        path: ['repository', 'pullRequest'],
        message: `Could not resolve to a PullRequest with the number of ${String(number)}.`,
      },
    ],
  };
}

/** GitHub's answers to a document it will not run, or null when it runs. */
function refusal(cost: QueryCost): Record<string, unknown> | null {
  if (cost.excessive) {
    const { field, page } = cost.excessive;
    return {
      errors: [
        {
          type: 'EXCESSIVE_PAGINATION',
          path: [field],
          message: `Requesting ${page} records on the \`${field}\` connection exceeds the \`first\` limit of 100 records.`,
        },
      ],
    };
  }
  if (cost.nodes > NODE_LIMIT) {
    return {
      errors: [
        {
          type: 'MAX_NODE_LIMIT_EXCEEDED',
          message: `This query requests up to ${cost.nodes.toLocaleString('en-US')} nodes which exceeds the maximum limit of ${NODE_LIMIT.toLocaleString('en-US')}.`,
        },
      ],
    };
  }
  return null;
}

const OPERATIONS = new Set([
  'RatchetOpenPullRequests',
  'RatchetPullRequest',
  'RatchetReviewThreads',
  'RatchetMarkReady',
]);

export function handleGraphql(s: FakeState & { graphqlRemaining: number }, body: GraphqlBody): GraphqlResult {
  const query = typeof body.query === 'string' ? body.query : '';
  const v = body.variables ?? {};
  const operation = operationName(query);
  if (!OPERATIONS.has(operation)) {
    return {
      operation,
      points: 0,
      body: {
        errors: [
          {
            message: `fake-github does not implement operation ${operation}`,
            locations: [{ line: 1, column: 1 }],
          },
        ],
      },
    };
  }
  let cost: QueryCost;
  try {
    cost = queryCost(query, v);
  } catch (err) {
    return {
      operation,
      points: 0,
      body: { errors: [{ message: `Parse error: ${String(err)}`, locations: [{ line: 1, column: 1 }] }] },
    };
  }
  const refused = refusal(cost);
  if (refused) return { operation, points: 0, body: refused };
  const points = cost.points;
  // The budget counts requests, not points: the fake has no hourly reset, and a long suite
  // charging ~44 points a cycle would reach 0, which Octokit reads as "rate limited".
  s.graphqlRemaining -= 1;
  const sizes = sizesOf(cost);
  const owner = String(v.owner ?? '');
  const name = String(v.name ?? '');
  const answer = (b: Record<string, unknown>): GraphqlResult => ({ operation, points, body: b });
  const repoNotFound = () =>
    answer(notFound('repository', `Could not resolve to a Repository with the name '${owner}/${name}'.`));
  switch (operation) {
    case 'RatchetOpenPullRequests': {
      const repo = s.repo(owner, name);
      if (!repo) return repoNotFound();
      const open = [...repo.prs.values()]
        .filter((p) => p.state === 'OPEN')
        .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || b.number - a.number);
      const pullRequests = connection(
        open,
        'cursor',
        cost.pages.get('pullRequests') ?? PAGE_SIZE,
        v.cursor,
        (p) => prNode(repo, p, sizes),
      );
      return answer({
        data: {
          rateLimit: rateLimit(s, points),
          repository: { defaultBranchRef: defaultBranchRef(repo, sizes), pullRequests },
        },
      });
    }
    case 'RatchetPullRequest': {
      const repo = s.repo(owner, name);
      if (!repo) return repoNotFound();
      const pr = repo.prs.get(Number(v.number));
      if (!pr) return answer(prNotFound(s, points, v.number));
      return answer({
        data: { rateLimit: rateLimit(s, points), repository: { pullRequest: prNode(repo, pr, sizes) } },
      });
    }
    case 'RatchetReviewThreads': {
      const repo = s.repo(owner, name);
      if (!repo) return repoNotFound();
      const pr = repo.prs.get(Number(v.number));
      if (!pr) return answer(prNotFound(s, points, v.number));
      const reviewThreads = connection(pr.threads, 'thread', sizes.threads, v.cursor, (t) =>
        threadNode(t, sizes),
      );
      return answer({
        data: { rateLimit: rateLimit(s, points), repository: { pullRequest: { reviewThreads } } },
      });
    }
    case 'RatchetMarkReady': {
      for (const repo of s.repos.values()) {
        for (const pr of repo.prs.values()) {
          if (pr.nodeId !== v.id) continue;
          pr.isDraft = false;
          if (pr.mergeStateStatus === 'DRAFT') pr.mergeStateStatus = 'CLEAN';
          pr.updatedAt = tick();
          return answer({
            data: { markPullRequestReadyForReview: { pullRequest: { id: pr.nodeId, isDraft: false } } },
          });
        }
      }
      return answer({
        data: { markPullRequestReadyForReview: null },
        errors: [
          {
            type: 'NOT_FOUND',
            path: ['markPullRequestReadyForReview'],
            message: `Could not resolve to a node with the global id of '${String(v.id)}'`,
          },
        ],
      });
    }
    default:
      throw new Error(`fake-github: operation ${operation} is listed but not handled`);
  }
}
