import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGithubClient, type GithubClient } from '../../activities/github/client.js';
import { GithubError } from '../../activities/github/errors.js';
import { toActivityFailure } from '../../activities/github/index.js';
import { fetchOpenPrSnapshots, fetchPrSnapshot } from '../../activities/github/snapshots.js';
import {
  ONE_PR_QUERY,
  OPEN_PRS_QUERY,
  REVIEW_THREADS_QUERY,
} from '../../activities/github/snapshot-query.js';
import { NODE_LIMIT, queryCost } from '../support/fake-github/cost.js';
import { startFakeGithub, type FakeGithub } from '../support/fake-github/index.js';

let fake: FakeGithub;
let gh: GithubClient;

beforeAll(async () => {
  fake = await startFakeGithub();
  gh = createGithubClient({ token: 'test-token', baseUrl: fake.url });
});
afterAll(() => fake.close());

describe('fetchOpenPrSnapshots', () => {
  it.each([
    [1, 1],
    [10, 1],
    [100, 1],
    [101, 2],
  ])('lists %i open PRs with %i GraphQL request(s) and no REST calls', async (n, pages) => {
    const repo = `acme/many-${n}`;
    fake.addRepo(repo);
    for (let i = 0; i < n; i++) fake.openPr(repo, { head: `feature/${i}` });
    const closed = fake.openPr(repo, { head: 'feature/closed' });
    fake.closePr(repo, closed);
    const before = fake.requests.length;

    const result = await fetchOpenPrSnapshots(gh, { owner: 'acme', repo: `many-${n}` });

    const made = fake.requests.slice(before);
    expect(result.prs).toHaveLength(n);
    expect(result.openPrs).toBe(n);
    expect(new Set(result.prs.map((p) => p.number)).size).toBe(n);
    expect(result.prs.some((p) => p.number === closed)).toBe(false);
    expect(result.requests).toBe(pages);
    expect(made.map((r) => `${r.method} ${r.path} ${r.operation ?? ''}`)).toEqual(
      Array.from({ length: pages }, () => 'POST /graphql RatchetOpenPullRequests'),
    );
    // GitHub's cost of the listing, as the fake computes it from the document (see snapshot-query.ts).
    expect(made.map((r) => r.points)).toEqual(Array.from({ length: pages }, () => 44));
    expect(result.rateLimit?.cost).toBe(44);
  });

  it('costs no more rate-limit points than the 50-PR listing it replaced, within the node limit', () => {
    const listing = queryCost(OPEN_PRS_QUERY);
    expect(listing).toMatchObject({ requests: 4402, points: 44, nodes: 224_300, excessive: null });
    expect(listing.points).toBeLessThanOrEqual(52);
    expect(listing.nodes).toBeLessThanOrEqual(NODE_LIMIT);
    expect(listing.pages.get('pullRequests')).toBe(100);
    expect(queryCost(REVIEW_THREADS_QUERY, { cursor: 'x' })).toMatchObject({
      requests: 101,
      points: 1,
      nodes: 5100,
    });
    expect(queryCost(ONE_PR_QUERY)).toMatchObject({ points: 1, excessive: null });
  });

  it('returns only the PRs asked for, still counting every open PR', async () => {
    fake.addRepo('acme/only');
    const wanted = fake.openPr('acme/only', { head: 'feature/a' });
    fake.openPr('acme/only', { head: 'feature/b' });
    const result = await fetchOpenPrSnapshots(
      gh,
      { owner: 'acme', repo: 'only' },
      { only: new Set([wanted]) },
    );
    expect(result.prs.map((p) => p.number)).toEqual([wanted]);
    expect(result.openPrs).toBe(2);
  });

  it('maps reviews, unresolved threads, check runs and commit statuses onto PrSnapshot', async () => {
    fake.addRepo('acme/rich');
    const n = fake.openPr('acme/rich', { head: 'feature/rich', title: 'Rich PR' });
    fake.setChecks('acme/rich', n, [
      {
        kind: 'check_run',
        name: 'test',
        status: 'COMPLETED',
        conclusion: 'FAILURE',
        runId: 77,
        databaseId: 701,
        workflowName: 'CI',
        startedAt: '2026-01-01T00:00:00Z',
        completedAt: '2026-01-01T00:03:00Z',
      },
      {
        kind: 'check_run',
        name: 'lint',
        status: 'IN_PROGRESS',
        conclusion: null,
        runId: 77,
        databaseId: 702,
        workflowName: 'CI',
      },
      { kind: 'status', context: 'ci/legacy', state: 'SUCCESS', targetUrl: 'https://ci.example/1' },
    ]);
    fake.addReview('acme/rich', n, {
      author: { login: 'coderabbitai[bot]' },
      state: 'COMMENTED',
      body: 'nit',
    });
    fake.addReview('acme/rich', n, {
      author: { login: 'alice' },
      state: 'CHANGES_REQUESTED',
      body: 'please fix',
    });
    fake.addThread('acme/rich', n, {
      path: 'src/a.ts',
      line: 3,
      comments: [{ author: { login: 'alice' }, body: 'why?', createdAt: '2026-01-01T00:00:09Z' }],
    });
    fake.addThread('acme/rich', n, { path: 'src/b.ts', line: 9, isResolved: true, comments: [] });
    fake.setMergeable('acme/rich', n, 'CONFLICTING');

    const { prs } = await fetchOpenPrSnapshots(gh, { owner: 'acme', repo: 'rich' });
    const pr = prs[0];
    expect(pr).toMatchObject({
      repo: { owner: 'acme', name: 'rich' },
      number: n,
      title: 'Rich PR',
      state: 'OPEN',
      headRefName: 'feature/rich',
      headSha: fake.pr('acme/rich', n).headSha,
      mergeable: 'CONFLICTING',
      mergeStateStatus: 'DIRTY',
      reviewDecision: 'CHANGES_REQUESTED',
    });
    expect(pr?.reviews.map((r) => [r.author.login, r.author.isBot, r.state])).toEqual([
      ['coderabbitai[bot]', true, 'COMMENTED'],
      ['alice', false, 'CHANGES_REQUESTED'],
    ]);
    expect(pr?.unresolvedThreads).toHaveLength(1);
    expect(pr?.unresolvedThreads[0]).toMatchObject({
      path: 'src/a.ts',
      line: 3,
      comments: [{ body: 'why?' }],
    });
    expect(pr?.checks).toEqual([
      expect.objectContaining({
        kind: 'check_run',
        name: 'test',
        conclusion: 'FAILURE',
        runId: 77,
        databaseId: 701,
        workflowName: 'CI',
      }),
      expect.objectContaining({ kind: 'check_run', name: 'lint', status: 'IN_PROGRESS', conclusion: null }),
      {
        kind: 'status',
        context: 'ci/legacy',
        state: 'SUCCESS',
        targetUrl: 'https://ci.example/1',
        createdAt: expect.any(String),
      },
    ]);
  });
});

describe('review threads beyond the first page', () => {
  /** 120 threads; every third resolved; the last one unresolved so the tail must be fetched. */
  function manyThreads(repo: string, number: number): string[] {
    const unresolved: string[] = [];
    for (let i = 0; i < 120; i++) {
      const isResolved = i % 3 === 1;
      const id = fake.addThread(repo, number, {
        path: `src/f${i}.ts`,
        line: i + 1,
        isResolved,
        comments: [{ author: { login: 'alice' }, body: `thread ${i}`, createdAt: '2026-01-01T00:00:00Z' }],
      });
      if (!isResolved) unresolved.push(id);
    }
    return unresolved;
  }

  let busy = 0;
  let quiet = 0;

  it('the listing returns every unresolved thread of a PR with 120 threads, the follow-up counted', async () => {
    fake.addRepo('acme/threads');
    busy = fake.openPr('acme/threads', { head: 'feature/busy' });
    quiet = fake.openPr('acme/threads', { head: 'feature/quiet' });
    const unresolved = manyThreads('acme/threads', busy);
    fake.addThread('acme/threads', quiet, { path: 'a.ts', line: 1, comments: [] });
    const before = fake.requests.length;

    const result = await fetchOpenPrSnapshots(gh, { owner: 'acme', repo: 'threads' });

    const made = fake.requests.slice(before).map((r) => r.operation);
    expect(made).toEqual(['RatchetOpenPullRequests', 'RatchetReviewThreads']);
    expect(result.requests).toBe(2);
    const pr = result.prs.find((p) => p.number === busy);
    expect(pr?.unresolvedThreads.map((t) => t.id)).toEqual(unresolved);
    expect(unresolved).toHaveLength(80);
    expect(pr?.unresolvedThreads.at(-1)).toMatchObject({
      path: 'src/f119.ts',
      comments: [{ body: 'thread 119' }],
    });
    expect(result.prs.find((p) => p.number === quiet)?.unresolvedThreads).toHaveLength(1);
  });

  it('no follow-up for a PR left out by `only`', async () => {
    const before = fake.requests.length;
    const result = await fetchOpenPrSnapshots(
      gh,
      { owner: 'acme', repo: 'threads' },
      { only: new Set([quiet]) },
    );
    expect(fake.requests.slice(before).map((r) => r.operation)).toEqual(['RatchetOpenPullRequests']);
    expect(result.requests).toBe(1);
  });

  it('fetchPrSnapshot follows the same rule', async () => {
    const before = fake.requests.length;
    const counter = { requests: 0 };
    const pr = await fetchPrSnapshot(gh, { owner: 'acme', repo: 'threads', number: busy }, { counter });
    expect(fake.requests.slice(before).map((r) => r.operation)).toEqual([
      'RatchetPullRequest',
      'RatchetReviewThreads',
    ]);
    expect(counter.requests).toBe(2);
    expect(pr.unresolvedThreads).toHaveLength(80);
  });

  it('a follow-up page whose cursor does not move is malformed, not an endless loop', async () => {
    fake.corruptNextGraphql(() => undefined); // the listing page passes untouched
    fake.corruptNextGraphql((data) => {
      const threads = (
        data.repository as {
          pullRequest: { reviewThreads: { pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
        }
      ).pullRequest.reviewThreads;
      threads.pageInfo = { hasNextPage: true, endCursor: Buffer.from('thread:40').toString('base64') };
    });
    await expect(fetchOpenPrSnapshots(gh, { owner: 'acme', repo: 'threads' })).rejects.toMatchObject({
      type: 'GithubMalformed',
      field: 'repository.pullRequest.reviewThreads.pageInfo.endCursor',
    });
  });
});

describe('the default branch head in the listing', () => {
  it('carries the default branch head commit with its check runs and statuses', async () => {
    fake.addRepo('acme/base');
    fake.openPr('acme/base', { head: 'feature/x' });
    const head = fake.state.mustRepo('acme', 'base').branches.get('main') ?? '';
    fake.setCommitChecks('acme/base', head, [
      {
        kind: 'check_run',
        name: 'build',
        status: 'COMPLETED',
        conclusion: 'FAILURE',
        runId: 5,
        databaseId: 51,
        workflowName: 'CI',
      },
      {
        kind: 'status',
        context: 'ci/legacy',
        state: 'ERROR',
        targetUrl: null,
        createdAt: '2026-01-01T00:00:00Z',
      },
    ]);
    const { defaultBranch } = await fetchOpenPrSnapshots(gh, { owner: 'acme', repo: 'base' });
    expect(defaultBranch).toEqual({
      name: 'main',
      sha: head,
      checks: [
        expect.objectContaining({
          kind: 'check_run',
          name: 'build',
          conclusion: 'FAILURE',
          workflowName: 'CI',
          runId: 5,
        }),
        {
          kind: 'status',
          context: 'ci/legacy',
          state: 'ERROR',
          targetUrl: null,
          createdAt: '2026-01-01T00:00:00Z',
        },
      ],
    });
  });

  it('is null for an empty repository', async () => {
    fake.addRepo('acme/empty');
    fake.deleteBranch('acme/empty', 'main');
    const result = await fetchOpenPrSnapshots(gh, { owner: 'acme', repo: 'empty' });
    expect(result).toMatchObject({ prs: [], openPrs: 0, defaultBranch: null });
  });

  it('a malformed defaultBranchRef throws GithubMalformed naming its field', async () => {
    fake.corruptNextGraphql((data) => {
      const ref = (data.repository as { defaultBranchRef: { target: Record<string, unknown> } })
        .defaultBranchRef;
      ref.target.oid = 42;
    });
    await expect(fetchOpenPrSnapshots(gh, { owner: 'acme', repo: 'base' })).rejects.toMatchObject({
      type: 'GithubMalformed',
      field: 'repository.defaultBranchRef.target.oid',
    });
  });

  it('an unknown conclusion on the default branch head names its check', async () => {
    fake.corruptNextGraphql((data) => {
      const ref = (
        data.repository as {
          defaultBranchRef: {
            target: { statusCheckRollup: { contexts: { nodes: Record<string, unknown>[] } } };
          };
        }
      ).defaultBranchRef;
      const first = ref.target.statusCheckRollup.contexts.nodes[0];
      if (first) first.conclusion = 'EXPLODED';
    });
    await expect(fetchOpenPrSnapshots(gh, { owner: 'acme', repo: 'base' })).rejects.toMatchObject({
      type: 'GithubMalformed',
      field: 'repository.defaultBranchRef.target.statusCheckRollup.contexts.nodes.0.conclusion',
    });
  });
});

describe('fetchPrSnapshot', () => {
  it('reports a merged PR (which the open listing no longer shows)', async () => {
    fake.addRepo('acme/one');
    const n = fake.openPr('acme/one', { head: 'feature/one' });
    fake.pr('acme/one', n).state = 'MERGED';
    const before = fake.count('POST', '/graphql', 'RatchetPullRequest');
    const pr = await fetchPrSnapshot(gh, { owner: 'acme', repo: 'one', number: n });
    expect(pr.state).toBe('MERGED');
    expect(fake.count('POST', '/graphql', 'RatchetPullRequest') - before).toBe(1);
  });

  it('throws GithubNotFound for a PR number that does not exist', async () => {
    await expect(fetchPrSnapshot(gh, { owner: 'acme', repo: 'one', number: 999 })).rejects.toMatchObject({
      type: 'GithubNotFound',
    });
  });
});

describe('malformed GraphQL answers', () => {
  it('an unknown enum value throws GithubMalformed naming the GraphQL field', async () => {
    fake.addRepo('acme/bad');
    fake.openPr('acme/bad', { head: 'feature/bad' });
    fake.corruptNextGraphql((data) => {
      const nodes = (data.repository as { pullRequests: { nodes: Record<string, unknown>[] } }).pullRequests
        .nodes;
      if (nodes[0]) nodes[0].mergeable = 'SOMETIMES';
    });
    const err = await fetchOpenPrSnapshots(gh, { owner: 'acme', repo: 'bad' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GithubError);
    expect(err).toMatchObject({
      type: 'GithubMalformed',
      field: 'repository.pullRequests.nodes.0.mergeable',
    });
  });

  it('a missing field throws GithubMalformed naming it, and the activity makes it non-retryable', async () => {
    fake.corruptNextGraphql((data) => {
      const nodes = (data.repository as { pullRequests: { nodes: Record<string, unknown>[] } }).pullRequests
        .nodes;
      delete nodes[0]?.headRefOid;
    });
    const err = toActivityFailure(
      await fetchOpenPrSnapshots(gh, { owner: 'acme', repo: 'bad' }).catch((e: unknown) => e),
      'fetchOpenPrSnapshots',
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    const failure = err as ApplicationFailure;
    expect(failure.type).toBe('GithubMalformed');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('repository.pullRequests.nodes.0.headRefOid');
  });

  it('a malformed check run inside the rollup names its index', async () => {
    fake.corruptNextGraphql((data) => {
      const pr = (data.repository as { pullRequests: { nodes: Record<string, unknown>[] } }).pullRequests
        .nodes[0];
      if (pr) {
        pr.commits = {
          nodes: [
            {
              commit: {
                oid: 'abc',
                statusCheckRollup: { contexts: { nodes: [{ __typename: 'CheckRun', name: 7 }] } },
              },
            },
          ],
        };
      }
    });
    await expect(fetchOpenPrSnapshots(gh, { owner: 'acme', repo: 'bad' })).rejects.toMatchObject({
      type: 'GithubMalformed',
      field: expect.stringMatching(
        /^repository\.pullRequests\.nodes\.0\.commits\.nodes\.0\.commit\.statusCheckRollup\.contexts\.nodes\.0\.name$/,
      ),
    });
  });
});
