/**
 * The GraphQL documents behind PR snapshots, using api.github.com's real field names, and the zod
 * schemas their answers are parsed with. One `RatchetOpenPullRequests` request returns up to 50
 * open PRs with everything the ratchet decides on (state, draft, mergeability, review decision,
 * latest reviews, review threads, and the head commit's check rollup).
 *
 * Inner connections are capped (100 reviews, 100 threads × 50 comments, 100 checks); a PR beyond
 * those caps is rare and the ratchet only needs "is anything failing / unresolved".
 */
import { z } from 'zod';

export const PR_FIELDS_FRAGMENT = /* GraphQL */ `
fragment RatchetPrFields on PullRequest {
  id number url title state isDraft headRefName baseRefName headRefOid baseRefOid
  mergeable mergeStateStatus reviewDecision updatedAt
  latestReviews(first: 100) {
    nodes { id state submittedAt body author { __typename login } }
  }
  reviewThreads(first: 100) {
    nodes {
      id isResolved isOutdated path line
      comments(first: 50) { nodes { body createdAt author { __typename login } } }
    }
  }
  commits(last: 1) {
    nodes {
      commit {
        oid
        statusCheckRollup {
          contexts(first: 100) {
            nodes {
              __typename
              ... on CheckRun {
                name status conclusion startedAt completedAt detailsUrl databaseId
                checkSuite { workflowRun { databaseId workflow { name } } }
              }
              ... on StatusContext { context state targetUrl createdAt }
            }
          }
        }
      }
    }
  }
}`;

export const OPEN_PRS_QUERY = /* GraphQL */ `
query RatchetOpenPullRequests($owner: String!, $name: String!, $cursor: String) {
  rateLimit { cost remaining resetAt }
  repository(owner: $owner, name: $name) {
    pullRequests(states: OPEN, first: 50, after: $cursor, orderBy: { field: UPDATED_AT, direction: DESC }) {
      pageInfo { hasNextPage endCursor }
      nodes { ...RatchetPrFields }
    }
  }
}
${PR_FIELDS_FRAGMENT}`;

export const ONE_PR_QUERY = /* GraphQL */ `
query RatchetPullRequest($owner: String!, $name: String!, $number: Int!) {
  rateLimit { cost remaining resetAt }
  repository(owner: $owner, name: $name) {
    pullRequest(number: $number) { ...RatchetPrFields }
  }
}
${PR_FIELDS_FRAGMENT}`;

export const MARK_READY_MUTATION = /* GraphQL */ `
mutation RatchetMarkReady($id: ID!) {
  markPullRequestReadyForReview(input: { pullRequestId: $id }) {
    pullRequest { id isDraft }
  }
}`;

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
        .object({ databaseId: z.number().int().nullable(), workflow: z.object({ name: z.string() }).nullable() })
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
      z.object({ id: z.string(), state: z.string(), submittedAt: z.string().nullable(), body: z.string(), author: gqlActor }),
    ),
  }),
  reviewThreads: z.object({
    nodes: z.array(
      z.object({
        id: z.string(),
        isResolved: z.boolean(),
        isOutdated: z.boolean(),
        path: z.string(),
        line: z.number().int().nullable(),
        comments: z.object({ nodes: z.array(z.object({ body: z.string(), createdAt: z.string(), author: gqlActor })) }),
      }),
    ),
  }),
  commits: z.object({
    nodes: z.array(
      z.object({
        commit: z.object({
          oid: z.string(),
          statusCheckRollup: z
            .object({
              contexts: z.object({
                // Members are parsed by `__typename` in the mapper (see `gqlCheckRun`), so a bad
                // field is named precisely and an unknown future member type is skipped.
                nodes: z.array(z.looseObject({ __typename: z.string() })),
              }),
            })
            .nullable(),
        }),
      }),
    ),
  }),
});
export type GqlPullRequest = z.infer<typeof gqlPullRequest>;

const gqlRateLimit = z.object({ cost: z.number(), remaining: z.number(), resetAt: z.string() }).nullable();

export const openPrsResponse = z.object({
  rateLimit: gqlRateLimit,
  repository: z.object({
    pullRequests: z.object({
      pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
      nodes: z.array(gqlPullRequest),
    }),
  }),
});

export const onePrResponse = z.object({
  rateLimit: gqlRateLimit,
  repository: z.object({ pullRequest: gqlPullRequest }),
});

export const markReadyResponse = z.object({
  markPullRequestReadyForReview: z.object({ pullRequest: z.object({ id: z.string(), isDraft: z.boolean() }) }),
});
