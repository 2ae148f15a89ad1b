/**
 * The GraphQL subset of the fake GitHub. Not a GraphQL engine: it dispatches on the operation
 * name our documents declare and answers with the exact shape api.github.com returns for those
 * selections (connections with `nodes`/`pageInfo`, `__typename` on union members, GitHub's
 * `errors[].type` values).
 */
import { tick, type FakeActor, type FakePr, type FakeRepo, type FakeState } from './state.js';

export interface GraphqlBody {
  query?: unknown;
  variables?: Record<string, unknown>;
}

export interface GraphqlResult {
  operation: string;
  body: Record<string, unknown>;
}

export const PAGE_SIZE = 50;

export function operationName(query: string): string {
  return /\b(?:query|mutation)\s+([A-Za-z_]\w*)/.exec(query)?.[1] ?? '(anonymous)';
}

function actor(a: FakeActor | null) {
  if (!a) return null;
  const isBot = a.isBot ?? a.login.endsWith('[bot]');
  return { __typename: isBot ? 'Bot' : 'User', login: isBot ? a.login.replace(/\[bot\]$/, '') : a.login };
}

function rateLimit(s: { graphqlRemaining: number }) {
  return { cost: 1, remaining: s.graphqlRemaining, resetAt: new Date(Date.now() + 3600_000).toISOString() };
}

export function prNode(repo: FakeRepo, p: FakePr) {
  const contexts = p.checks.map((c) =>
    c.kind === 'check_run'
      ? {
          __typename: 'CheckRun',
          name: c.name,
          status: c.status,
          conclusion: c.conclusion,
          startedAt: c.startedAt ?? null,
          completedAt: c.completedAt ?? null,
          detailsUrl: c.runId ? `https://github.com/${repo.owner}/${repo.name}/actions/runs/${c.runId}/job/${c.databaseId ?? 0}` : null,
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
          createdAt: c.createdAt ?? p.updatedAt,
        },
  );
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
      nodes: p.reviews.map((r) => ({
        id: r.id,
        state: r.state,
        submittedAt: r.submittedAt,
        body: r.body,
        author: actor(r.author),
      })),
    },
    reviewThreads: {
      nodes: p.threads.map((t) => ({
        id: t.id,
        isResolved: t.isResolved,
        isOutdated: t.isOutdated,
        path: t.path,
        line: t.line,
        comments: { nodes: t.comments.map((c) => ({ body: c.body, createdAt: c.createdAt, author: actor(c.author) })) },
      })),
    },
    commits: {
      nodes: [
        {
          commit: {
            oid: p.headSha,
            statusCheckRollup: contexts.length ? { contexts: { nodes: contexts } } : null,
          },
        },
      ],
    },
  };
}

function notFound(path: string, message: string) {
  return { data: { repository: null }, errors: [{ type: 'NOT_FOUND', path: [path], message }] };
}

export function handleGraphql(s: FakeState & { graphqlRemaining: number }, body: GraphqlBody): GraphqlResult {
  const query = typeof body.query === 'string' ? body.query : '';
  const v = body.variables ?? {};
  const operation = operationName(query);
  const owner = String(v.owner ?? '');
  const name = String(v.name ?? '');
  switch (operation) {
    case 'RatchetOpenPullRequests': {
      const repo = s.repo(owner, name);
      if (!repo) return { operation, body: notFound('repository', `Could not resolve to a Repository with the name '${owner}/${name}'.`) };
      const open = [...repo.prs.values()]
        .filter((p) => p.state === 'OPEN')
        .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || b.number - a.number);
      const start = typeof v.cursor === 'string' ? Number(Buffer.from(v.cursor, 'base64').toString('utf8').split(':')[1]) : 0;
      const page = open.slice(start, start + PAGE_SIZE);
      const end = start + page.length;
      return {
        operation,
        body: {
          data: {
            rateLimit: rateLimit(s),
            repository: {
              pullRequests: {
                pageInfo: { hasNextPage: end < open.length, endCursor: page.length ? Buffer.from(`cursor:${end}`).toString('base64') : null },
                nodes: page.map((p) => prNode(repo, p)),
              },
            },
          },
        },
      };
    }
    case 'RatchetPullRequest': {
      const repo = s.repo(owner, name);
      if (!repo) return { operation, body: notFound('repository', `Could not resolve to a Repository with the name '${owner}/${name}'.`) };
      const pr = repo.prs.get(Number(v.number));
      if (!pr) {
        return {
          operation,
          body: {
            data: { rateLimit: rateLimit(s), repository: { pullRequest: null } },
            errors: [{ type: 'NOT_FOUND', path: ['repository', 'pullRequest'], message: `Could not resolve to a PullRequest with the number of ${String(v.number)}.` }],
          },
        };
      }
      return { operation, body: { data: { rateLimit: rateLimit(s), repository: { pullRequest: prNode(repo, pr) } } } };
    }
    case 'RatchetMarkReady': {
      for (const repo of s.repos.values()) {
        for (const pr of repo.prs.values()) {
          if (pr.nodeId !== v.id) continue;
          pr.isDraft = false;
          if (pr.mergeStateStatus === 'DRAFT') pr.mergeStateStatus = 'CLEAN';
          pr.updatedAt = tick();
          return { operation, body: { data: { markPullRequestReadyForReview: { pullRequest: { id: pr.nodeId, isDraft: false } } } } };
        }
      }
      return {
        operation,
        body: { data: { markPullRequestReadyForReview: null }, errors: [{ type: 'NOT_FOUND', path: ['markPullRequestReadyForReview'], message: `Could not resolve to a node with the global id of '${String(v.id)}'` }] },
      };
    }
    default:
      return {
        operation,
        body: { errors: [{ message: `fake-github does not implement operation ${operation}`, locations: [{ line: 1, column: 1 }] }] },
      };
  }
}
