/**
 * The GraphQL documents behind PR snapshots, using api.github.com's real field names, and the zod
 * schemas their answers are parsed with. One `RatchetOpenPullRequests` request returns up to 100
 * open PRs with everything the ratchet decides on (state, draft, mergeability, review decision,
 * latest reviews, review threads, the head commit's check rollup) and the default branch's head
 * commit with its own rollup, so "does this failure also fail on the base?" needs no REST call.
 *
 * Cost. GitHub charges one "request" per connection, times the `first`/`last` of every enclosing
 * connection (the innermost size itself is free), and bills round(requests / 100) points, at least
 * 1, out of 5,000 an hour. A query may return at most 500,000 nodes (the sum, over connections,
 * of the product of the sizes along the path). tests/support/fake-github/cost.ts computes both the
 * same way and the fake charges them.
 *
 *   RatchetOpenPullRequests      requests                          nodes
 *     pullRequests(first: 100)   1                                 100
 *     latestReviews(first: 100)  100                               100 × 100 = 10,000
 *     reviewThreads(first: 40)   100                               100 × 40  = 4,000
 *     comments(first: 50)        100 × 40 = 4,000                  4,000 × 50 = 200,000
 *     commits(last: 1)           100                               100
 *     contexts(first: 100)       100 × 1 = 100                     100 × 100 = 10,000
 *     defaultBranchRef contexts  1                                 100
 *     total                      4,402 → 44 points                 224,300 (limit 500,000)
 *
 * Before (50 PRs a page, reviewThreads(first: 100)): 1 + 4 × 50 + 50 × 100 = 5,201 requests →
 * 52 points and 265,100 nodes per page, and two pages (104 points) above 50 open PRs. Polling
 * every 60 s that was 3,120 points an hour for ≤ 50 PRs and 6,240 (over the 5,000 budget) for
 * ≤ 100; now 2,640 for ≤ 100. Thread comments are the multiplier: each thread asked for is one
 * request, so the first thread page is 40 (48 would equal the old 52 points, 50 would raise it to
 * 54); the comment page size only costs nodes, so it stays at 50.
 *
 * Nothing is cut silently where it matters: a PR with more than 40 review threads gets the rest
 * from `RatchetReviewThreads` (100 threads a request: 1 + 100 = 101 → 1 point, 5,100 nodes),
 * counted as requests by the caller. Reviews (100), checks (100) and comments per thread (50)
 * remain capped.
 */
import { z } from 'zod';

export const THREAD_FIELDS_FRAGMENT = /* GraphQL */ `
  fragment RatchetThreadFields on PullRequestReviewThread {
    id
    isResolved
    isOutdated
    path
    line
    comments(first: 50) {
      nodes {
        body
        createdAt
        author {
          __typename
          login
        }
      }
    }
  }
`;

export const CHECK_CONTEXTS_FRAGMENT = /* GraphQL */ `
  fragment RatchetCheckContexts on StatusCheckRollup {
    contexts(first: 100) {
      nodes {
        __typename
        ... on CheckRun {
          name
          status
          conclusion
          startedAt
          completedAt
          detailsUrl
          databaseId
          checkSuite {
            workflowRun {
              databaseId
              workflow {
                name
              }
            }
          }
        }
        ... on StatusContext {
          context
          state
          targetUrl
          createdAt
        }
      }
    }
  }
`;

export const PR_FIELDS_FRAGMENT = /* GraphQL */ `
  fragment RatchetPrFields on PullRequest {
    id
    number
    url
    title
    state
    isDraft
    headRefName
    baseRefName
    headRefOid
    baseRefOid
    mergeable
    mergeStateStatus
    reviewDecision
    updatedAt
    latestReviews(first: 100) {
      nodes {
        id
        state
        submittedAt
        body
        author {
          __typename
          login
        }
      }
    }
    reviewThreads(first: 40) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...RatchetThreadFields
      }
    }
    commits(last: 1) {
      nodes {
        commit {
          oid
          statusCheckRollup {
            ...RatchetCheckContexts
          }
        }
      }
    }
  }
  ${THREAD_FIELDS_FRAGMENT}
  ${CHECK_CONTEXTS_FRAGMENT}
`;

export const OPEN_PRS_QUERY = /* GraphQL */ `
  query RatchetOpenPullRequests($owner: String!, $name: String!, $cursor: String) {
    rateLimit {
      cost
      remaining
      resetAt
    }
    repository(owner: $owner, name: $name) {
      defaultBranchRef {
        name
        target {
          ... on Commit {
            oid
            statusCheckRollup {
              ...RatchetCheckContexts
            }
          }
        }
      }
      pullRequests(
        states: OPEN
        first: 100
        after: $cursor
        orderBy: { field: UPDATED_AT, direction: DESC }
      ) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          ...RatchetPrFields
        }
      }
    }
  }
  ${PR_FIELDS_FRAGMENT}
`;

export const ONE_PR_QUERY = /* GraphQL */ `
  query RatchetPullRequest($owner: String!, $name: String!, $number: Int!) {
    rateLimit {
      cost
      remaining
      resetAt
    }
    repository(owner: $owner, name: $name) {
      pullRequest(number: $number) {
        ...RatchetPrFields
      }
    }
  }
  ${PR_FIELDS_FRAGMENT}
`;

/** The review threads after `cursor` of one PR, for PRs with more threads than the first page. */
export const REVIEW_THREADS_QUERY = /* GraphQL */ `
  query RatchetReviewThreads($owner: String!, $name: String!, $number: Int!, $cursor: String) {
    rateLimit {
      cost
      remaining
      resetAt
    }
    repository(owner: $owner, name: $name) {
      pullRequest(number: $number) {
        reviewThreads(first: 100, after: $cursor) {
          pageInfo {
            hasNextPage
            endCursor
          }
          nodes {
            ...RatchetThreadFields
          }
        }
      }
    }
  }
  ${THREAD_FIELDS_FRAGMENT}
`;

export const MARK_READY_MUTATION = /* GraphQL */ `
  mutation RatchetMarkReady($id: ID!) {
    markPullRequestReadyForReview(input: { pullRequestId: $id }) {
      pullRequest {
        id
        isDraft
      }
    }
  }
`;

// Enums are parsed as strings here and narrowed by `prSnapshotSchema` after mapping, so a value
// GitHub adds later fails with the field named rather than silently passing.
const gqlActor = z.object({ __typename: z.string(), login: z.string() }).nullable();

export const gqlCheckRun = z.object({
  __typename: z.literal('CheckRun'),
  name: z.string(),
  status: z.string(),
  conclusion: z.string().nullable(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  detailsUrl: z.string().nullable(),
  databaseId: z.number().int().nullable(),
  checkSuite: z
    .object({
      workflowRun: z
        .object({
          databaseId: z.number().int().nullable(),
          workflow: z.object({ name: z.string() }).nullable(),
        })
        .nullable(),
    })
    .nullable(),
});

export const gqlStatusContext = z.object({
  __typename: z.literal('StatusContext'),
  context: z.string(),
  state: z.string(),
  targetUrl: z.string().nullable(),
  createdAt: z.string(),
});

const gqlPageInfo = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() });

const gqlCheckRollup = z.object({
  contexts: z.object({
    // Members are parsed by `__typename` in the mapper (see `gqlCheckRun`), so a bad field is
    // named precisely and an unknown future member type is skipped.
    nodes: z.array(z.looseObject({ __typename: z.string() })),
  }),
});
export type GqlCheckRollup = z.infer<typeof gqlCheckRollup>;

export const gqlReviewThread = z.object({
  id: z.string(),
  isResolved: z.boolean(),
  isOutdated: z.boolean(),
  path: z.string(),
  line: z.number().int().nullable(),
  comments: z.object({
    nodes: z.array(z.object({ body: z.string(), createdAt: z.string(), author: gqlActor })),
  }),
});
export type GqlReviewThread = z.infer<typeof gqlReviewThread>;

const gqlThreadConnection = z.object({ pageInfo: gqlPageInfo, nodes: z.array(gqlReviewThread) });

export const gqlPullRequest = z.object({
  id: z.string(),
  number: z.number().int(),
  url: z.string(),
  title: z.string(),
  state: z.string(),
  isDraft: z.boolean(),
  headRefName: z.string(),
  baseRefName: z.string(),
  headRefOid: z.string(),
  baseRefOid: z.string().nullable(),
  mergeable: z.string(),
  mergeStateStatus: z.string(),
  reviewDecision: z.string().nullable(),
  updatedAt: z.string(),
  latestReviews: z.object({
    nodes: z.array(
      z.object({
        id: z.string(),
        state: z.string(),
        submittedAt: z.string().nullable(),
        body: z.string(),
        author: gqlActor,
      }),
    ),
  }),
  reviewThreads: gqlThreadConnection,
  commits: z.object({
    nodes: z.array(
      z.object({ commit: z.object({ oid: z.string(), statusCheckRollup: gqlCheckRollup.nullable() }) }),
    ),
  }),
});
export type GqlPullRequest = z.infer<typeof gqlPullRequest>;

/** Null for an empty repository (no branch yet). A branch points at a commit, so `oid` is required. */
export const gqlDefaultBranchRef = z
  .object({
    name: z.string(),
    target: z.object({ oid: z.string(), statusCheckRollup: gqlCheckRollup.nullable() }).nullable(),
  })
  .nullable();

const gqlRateLimit = z.object({ cost: z.number(), remaining: z.number(), resetAt: z.string() }).nullable();

export const openPrsResponse = z.object({
  rateLimit: gqlRateLimit,
  repository: z.object({
    defaultBranchRef: gqlDefaultBranchRef,
    pullRequests: z.object({ pageInfo: gqlPageInfo, nodes: z.array(gqlPullRequest) }),
  }),
});

export const onePrResponse = z.object({
  rateLimit: gqlRateLimit,
  repository: z.object({ pullRequest: gqlPullRequest }),
});

export const reviewThreadsResponse = z.object({
  rateLimit: gqlRateLimit,
  repository: z.object({ pullRequest: z.object({ reviewThreads: gqlThreadConnection }) }),
});

export const markReadyResponse = z.object({
  markPullRequestReadyForReview: z.object({
    pullRequest: z.object({ id: z.string(), isDraft: z.boolean() }),
  }),
});
