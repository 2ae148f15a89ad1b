import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGithubClient, type GithubClient } from '../../activities/github/client.js';
import { GithubError } from '../../activities/github/errors.js';
import { createGithubActivities } from '../../activities/github/index.js';
import { fetchOpenPrSnapshots, fetchPrSnapshot } from '../../activities/github/snapshots.js';
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
    [100, 2],
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
    expect(new Set(result.prs.map((p) => p.number)).size).toBe(n);
    expect(result.prs.some((p) => p.number === closed)).toBe(false);
    expect(result.pages).toBe(pages);
    expect(made.map((r) => `${r.method} ${r.path} ${r.operation ?? ''}`)).toEqual(
      Array.from({ length: pages }, () => 'POST /graphql RatchetOpenPullRequests'),
    );
  });

  it('maps reviews, unresolved threads, check runs and commit statuses onto PrSnapshot', async () => {
    fake.addRepo('acme/rich');
    const n = fake.openPr('acme/rich', { head: 'feature/rich', title: 'Rich PR' });
    fake.setChecks('acme/rich', n, [
      { kind: 'check_run', name: 'test', status: 'COMPLETED', conclusion: 'FAILURE', runId: 77, databaseId: 701, workflowName: 'CI', startedAt: '2026-01-01T00:00:00Z', completedAt: '2026-01-01T00:03:00Z' },
      { kind: 'check_run', name: 'lint', status: 'IN_PROGRESS', conclusion: null, runId: 77, databaseId: 702, workflowName: 'CI' },
      { kind: 'status', context: 'ci/legacy', state: 'SUCCESS', targetUrl: 'https://ci.example/1' },
    ]);
    fake.addReview('acme/rich', n, { author: { login: 'coderabbitai[bot]' }, state: 'COMMENTED', body: 'nit' });
    fake.addReview('acme/rich', n, { author: { login: 'alice' }, state: 'CHANGES_REQUESTED', body: 'please fix' });
    fake.addThread('acme/rich', n, { path: 'src/a.ts', line: 3, comments: [{ author: { login: 'alice' }, body: 'why?', createdAt: '2026-01-01T00:00:09Z' }] });
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
    expect(pr?.unresolvedThreads[0]).toMatchObject({ path: 'src/a.ts', line: 3, comments: [{ body: 'why?' }] });
    expect(pr?.checks).toEqual([
      expect.objectContaining({ kind: 'check_run', name: 'test', conclusion: 'FAILURE', runId: 77, databaseId: 701, workflowName: 'CI' }),
      expect.objectContaining({ kind: 'check_run', name: 'lint', status: 'IN_PROGRESS', conclusion: null }),
      { kind: 'status', context: 'ci/legacy', state: 'SUCCESS', targetUrl: 'https://ci.example/1', createdAt: expect.any(String) },
    ]);
  });
});

describe('fetchPrSnapshot', () => {
  it('reports a merged PR (which the open listing no longer shows)', async () => {
    fake.addRepo('acme/one');
    const n = fake.openPr('acme/one', { head: 'feature/one' });
    fake.pr('acme/one', n).state = 'MERGED';
    const pr = await fetchPrSnapshot(gh, { owner: 'acme', repo: 'one', number: n });
    expect(pr.state).toBe('MERGED');
    expect(fake.count('POST', '/graphql', 'RatchetPullRequest')).toBe(1);
  });

  it('throws GithubNotFound for a PR number that does not exist', async () => {
    await expect(fetchPrSnapshot(gh, { owner: 'acme', repo: 'one', number: 999 })).rejects.toMatchObject({ type: 'GithubNotFound' });
  });
});

describe('malformed GraphQL answers', () => {
  it('an unknown enum value throws GithubMalformed naming the GraphQL field', async () => {
    fake.addRepo('acme/bad');
    fake.openPr('acme/bad', { head: 'feature/bad' });
    fake.corruptNextGraphql((data) => {
      const nodes = (data.repository as { pullRequests: { nodes: Record<string, unknown>[] } }).pullRequests.nodes;
      if (nodes[0]) nodes[0].mergeable = 'SOMETIMES';
    });
    const err = await fetchOpenPrSnapshots(gh, { owner: 'acme', repo: 'bad' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GithubError);
    expect(err).toMatchObject({ type: 'GithubMalformed', field: 'repository.pullRequests.nodes.0.mergeable' });
  });

  it('a missing field throws GithubMalformed naming it, and the activity makes it non-retryable', async () => {
    fake.corruptNextGraphql((data) => {
      const nodes = (data.repository as { pullRequests: { nodes: Record<string, unknown>[] } }).pullRequests.nodes;
      delete nodes[0]?.headRefOid;
    });
    const activities = createGithubActivities({ octokit: gh });
    const err = await activities.githubListOpenPrSnapshots({ owner: 'acme', repo: 'bad' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    const failure = err as ApplicationFailure;
    expect(failure.type).toBe('GithubMalformed');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('repository.pullRequests.nodes.0.headRefOid');
  });

  it('a malformed check run inside the rollup names its index', async () => {
    fake.corruptNextGraphql((data) => {
      const pr = (data.repository as { pullRequests: { nodes: Record<string, unknown>[] } }).pullRequests.nodes[0];
      if (pr) {
        pr.commits = { nodes: [{ commit: { oid: 'abc', statusCheckRollup: { contexts: { nodes: [{ __typename: 'CheckRun', name: 7 }] } } } }] };
      }
    });
    await expect(fetchOpenPrSnapshots(gh, { owner: 'acme', repo: 'bad' })).rejects.toMatchObject({
      type: 'GithubMalformed',
      field: expect.stringMatching(/^repository\.pullRequests\.nodes\.0\.commits\.nodes\.0\.commit\.statusCheckRollup\.contexts\.nodes\.0\.name$/),
    });
  });
});
