import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGithubClient, type GithubClient } from '../../activities/github/client.js';
import { toActivityFailure } from '../../activities/github/index.js';
import * as ops from '../../activities/github/operations.js';
import { startFakeGithub, type FakeGithub } from '../support/fake-github/index.js';

let fake: FakeGithub;
let gh: GithubClient;
const R = { owner: 'acme', repo: 'ops' };

beforeAll(async () => {
  fake = await startFakeGithub();
  fake.addRepo('acme/ops');
  gh = createGithubClient({ token: 'test-token', baseUrl: fake.url });
});
afterAll(() => fake.close());

describe('createPullRequest', () => {
  it('is idempotent: twice → one PR, the second call returns the same number', async () => {
    fake.addBranch('acme/ops', 'feature/idem');
    const input = { ...R, head: 'feature/idem', base: 'main', title: 'Idem', body: 'b' };
    const first = await ops.createPullRequest(gh, input);
    const second = await ops.createPullRequest(gh, input);
    expect(first.created).toBe(true);
    expect(second).toMatchObject({ created: false, number: first.number, url: first.url });
    expect(fake.count('POST', '/repos/acme/ops/pulls')).toBe(1);
    expect(
      [...fake.state.mustRepo('acme', 'ops').prs.values()].filter((p) => p.head === 'feature/idem'),
    ).toHaveLength(1);
  });

  it('a PR opened between the look and the act (422 "already exists") is re-read, not duplicated', async () => {
    fake.addBranch('acme/ops', 'feature/race');
    let raced = 0;
    const off = fake.onRequest((r) => {
      if (r.method === 'POST' && r.path === '/repos/acme/ops/pulls' && raced === 0) {
        raced = fake.openPr('acme/ops', { head: 'feature/race', title: 'by someone else' });
      }
    });
    const res = await ops.createPullRequest(gh, {
      ...R,
      head: 'feature/race',
      base: 'main',
      title: 'Race',
      body: '',
    });
    off();
    expect(res).toMatchObject({ created: false, number: raced });
    expect(
      fake.requests
        .filter((r) => r.path === '/repos/acme/ops/pulls')
        .map((r) => `${r.method} ${r.status}`)
        .slice(-3),
    ).toEqual(['GET 200', 'POST 422', 'GET 200']);
  });
});

describe('upsertMarkerComment', () => {
  it('creates once, leaves an identical body alone, updates in place — never a second comment', async () => {
    const n = fake.openPr('acme/ops', { head: 'feature/comment' });
    fake.addComment('acme/ops', n, 'a human comment');
    const base = { ...R, issueNumber: n, key: 'status/ws_1' };
    const a = await ops.upsertMarkerComment(gh, { ...base, body: 'CI is red' });
    const b = await ops.upsertMarkerComment(gh, { ...base, body: 'CI is red' });
    const c = await ops.upsertMarkerComment(gh, { ...base, body: 'CI is green' });
    expect([a.action, b.action, c.action]).toEqual(['created', 'unchanged', 'updated']);
    expect(new Set([a.commentId, b.commentId, c.commentId]).size).toBe(1);
    const ours = fake.comments('acme/ops', n).filter((x) => x.body.includes('<!-- ratchet:status/ws_1 -->'));
    expect(ours).toHaveLength(1);
    expect(ours[0]?.body).toBe('<!-- ratchet:status/ws_1 -->\nCI is green');
    expect(fake.count('POST', `/repos/acme/ops/issues/${n}/comments`)).toBe(1);
  });

  it('refuses a key that could break out of the HTML comment', async () => {
    await expect(
      ops.upsertMarkerComment(gh, { ...R, issueNumber: 1, key: 'x --> <b>', body: 'b' }),
    ).rejects.toThrow(/marker key/);
  });
});

describe('conditional requests', () => {
  it('an unchanged REST GET is answered 304 from the ETag cache and costs no rate limit', async () => {
    const n = fake.addIssue('acme/ops', { title: 'Cached', body: 'body' });
    fake.addComment('acme/ops', n, 'first');
    const first = await ops.getIssue(gh, { ...R, number: n });
    const remaining = fake.coreRemaining;
    const second = await ops.getIssue(gh, { ...R, number: n });
    expect(second).toEqual(first);
    expect(fake.coreRemaining).toBe(remaining);
    const paths = [`/repos/acme/ops/issues/${n}`, `/repos/acme/ops/issues/${n}/comments`];
    for (const p of paths)
      expect(fake.requests.filter((r) => r.path === p).map((r) => r.status)).toEqual([200, 304]);

    fake.addComment('acme/ops', n, 'second');
    const third = await ops.getIssue(gh, { ...R, number: n });
    expect(third.comments.map((c) => c.body)).toEqual(['first', 'second']);
    // The issue's `comments` count changed too, so both answers are fresh (200) and both are charged.
    for (const p of paths)
      expect(fake.requests.filter((r) => r.path === p).map((r) => r.status)).toEqual([200, 304, 200]);
    expect(fake.coreRemaining).toBe(remaining - 2);
  });
});

describe('listIssues', () => {
  it('filters to issues assigned to the token user, by label and text, and drops PRs', async () => {
    fake.addRepo('acme/issues');
    const mine = fake.addIssue('acme/issues', {
      title: 'Crash on save',
      labels: ['bug', 'ratchet'],
      assignees: ['ratchet-bot'],
    });
    fake.addIssue('acme/issues', { title: 'Crash on load', labels: ['bug'], assignees: ['ratchet-bot'] });
    fake.addIssue('acme/issues', {
      title: 'Crash elsewhere',
      labels: ['bug', 'ratchet'],
      assignees: ['someone'],
    });
    fake.addIssue('acme/issues', { title: 'Docs', labels: ['ratchet'], assignees: ['ratchet-bot'] });
    fake.openPr('acme/issues', { head: 'feature/pr' });
    const found = await ops.listIssues(gh, {
      owner: 'acme',
      repo: 'issues',
      labels: ['ratchet'],
      text: 'crash',
    });
    expect(found.map((i) => i.number)).toEqual([mine]);
    const all = await ops.listIssues(gh, { owner: 'acme', repo: 'issues', assignedToMe: false });
    expect(all).toHaveLength(4); // the PR is listed by GitHub but filtered out
  });
});

describe('Actions', () => {
  const log = [
    '2026-01-01T00:00:01.0000000Z ##[group]Run actions/checkout@v4',
    '2026-01-01T00:00:01.1000000Z with:',
    '2026-01-01T00:00:01.2000000Z ##[endgroup]',
    '2026-01-01T00:00:02.0000000Z Fetching the repository SECRET-NOISE-FROM-CHECKOUT',
    '2026-01-01T00:00:03.0000000Z ##[group]Run npm test',
    '2026-01-01T00:00:03.1000000Z npm test',
    '2026-01-01T00:00:03.2000000Z ##[endgroup]',
    '2026-01-01T00:00:04.0000000Z FAIL src/a.test.ts > adds',
    '2026-01-01T00:00:04.1000000Z AssertionError: expected 3 to be 4',
    '2026-01-01T00:00:05.0000000Z ##[error]Process completed with exit code 1.',
    '2026-01-01T00:00:06.0000000Z ##[group]Run actions/upload-artifact@v4',
    '2026-01-01T00:00:06.1000000Z ##[endgroup]',
    '2026-01-01T00:00:07.0000000Z Uploaded UPLOAD-NOISE',
  ].join('\n');

  it('returns only the failing step of each failed job, timestamps stripped', async () => {
    const { runId } = fake.addRun('acme/ops', {
      headSha: 'a'.repeat(40),
      headBranch: 'feature/ci',
      jobs: [
        {
          name: 'build',
          conclusion: 'success',
          steps: [{ name: 'Build', conclusion: 'success' }],
          log: 'all good',
        },
        {
          name: 'test',
          conclusion: 'failure',
          steps: [
            { name: 'Checkout', conclusion: 'success' },
            { name: 'Run tests', conclusion: 'failure' },
          ],
          log,
        },
      ],
    });
    const res = await ops.getFailedJobLogs(gh, { ...R, runId });
    expect(res.jobs).toHaveLength(1);
    const job = res.jobs[0];
    expect(job).toMatchObject({
      name: 'test',
      conclusion: 'failure',
      failedSteps: ['Run tests'],
      truncated: true,
    });
    expect(job?.log).toContain('Run npm test');
    expect(job?.log).toContain('AssertionError: expected 3 to be 4');
    expect(job?.log).toContain('##[error]Process completed with exit code 1.');
    expect(job?.log).not.toContain('SECRET-NOISE-FROM-CHECKOUT');
    expect(job?.log).not.toContain('UPLOAD-NOISE');
    expect(job?.log).not.toMatch(/2026-01-01T/);
  });

  it('caps a huge failing step to its header plus the tail', async () => {
    const noisy = [
      '##[group]Run make',
      ...Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(40)}`),
      '##[error]boom',
    ].join('\n');
    const { runId } = fake.addRun('acme/ops', {
      headSha: 'b'.repeat(40),
      headBranch: 'feature/ci2',
      jobs: [
        { name: 'make', conclusion: 'failure', steps: [{ name: 'make', conclusion: 'failure' }], log: noisy },
      ],
    });
    const res = await ops.getFailedJobLogs(gh, { ...R, runId, maxBytesPerJob: 4000 });
    const text = res.jobs[0]?.log ?? '';
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(4000);
    expect(text.startsWith('##[group]Run make')).toBe(true);
    expect(text.endsWith('##[error]boom')).toBe(true);
  });

  it('reruns failed jobs once; a retry with the same expected attempt does not rerun again', async () => {
    const { runId } = fake.addRun('acme/ops', {
      headSha: 'c'.repeat(40),
      headBranch: 'feature/flaky',
      jobs: [{ name: 'test', conclusion: 'failure', steps: [], log: '##[error]flaky' }],
    });
    const first = await ops.rerunFailedJobs(gh, { ...R, runId, expectedAttempt: 1 });
    const second = await ops.rerunFailedJobs(gh, { ...R, runId, expectedAttempt: 1 });
    expect(first).toEqual({ rerun: true, attempt: 2 });
    expect(second).toEqual({ rerun: false, attempt: 2, reason: 'already_rerun' });
    expect(fake.count('POST', `/repos/acme/ops/actions/runs/${runId}/rerun-failed-jobs`)).toBe(1);
  });
});

describe('merge, ready, re-review, branch', () => {
  it('merges only at the expected head; a repeat reports already merged', async () => {
    const n = fake.openPr('acme/ops', { head: 'feature/merge' });
    const stale = await ops.mergePullRequest(gh, {
      ...R,
      number: n,
      method: 'squash',
      expectedHeadSha: 'f'.repeat(40),
    });
    expect(stale).toEqual({ kind: 'head_changed', headSha: fake.pr('acme/ops', n).headSha });
    const head = fake.pr('acme/ops', n).headSha;
    const merged = await ops.mergePullRequest(gh, {
      ...R,
      number: n,
      method: 'squash',
      expectedHeadSha: head,
    });
    expect(merged).toMatchObject({ kind: 'merged', alreadyMerged: false });
    const again = await ops.mergePullRequest(gh, {
      ...R,
      number: n,
      method: 'squash',
      expectedHeadSha: head,
    });
    expect(again).toMatchObject({ kind: 'merged', alreadyMerged: true });
    expect(fake.count('PUT', `/repos/acme/ops/pulls/${n}/merge`)).toBe(1);
  });

  it('a push between the look and the merge comes back as head_changed (409)', async () => {
    const n = fake.openPr('acme/ops', { head: 'feature/moving' });
    const head = fake.pr('acme/ops', n).headSha;
    const off = fake.onRequest((r) => {
      if (r.method === 'PUT') fake.pushCommit('acme/ops', n);
    });
    const res = await ops.mergePullRequest(gh, { ...R, number: n, method: 'merge', expectedHeadSha: head });
    off();
    expect(res).toEqual({ kind: 'head_changed', headSha: null });
    expect(fake.pr('acme/ops', n).state).toBe('OPEN');
  });

  it('marks a draft ready once (GraphQL mutation), then is a no-op', async () => {
    const n = fake.openPr('acme/ops', { head: 'feature/draft', draft: true });
    expect(await ops.markReadyForReview(gh, { ...R, number: n })).toEqual({ changed: true });
    expect(await ops.markReadyForReview(gh, { ...R, number: n })).toEqual({ changed: false });
    expect(fake.pr('acme/ops', n).isDraft).toBe(false);
    expect(fake.count('POST', '/graphql', 'RatchetMarkReady')).toBe(1);
  });

  it('requests a re-review', async () => {
    const n = fake.openPr('acme/ops', { head: 'feature/review' });
    expect(await ops.requestReReview(gh, { ...R, number: n, reviewers: ['alice'] })).toEqual({
      requested: ['alice'],
    });
  });

  it('a deleted branch throws BranchDeleted, non-retryable through the activity', async () => {
    const sha = fake.addBranch('acme/ops', 'feature/gone');
    expect(await ops.getBranchHead(gh, { ...R, branch: 'feature/gone' })).toEqual({ sha });
    fake.deleteBranch('acme/ops', 'feature/gone');
    await expect(ops.getBranchHead(gh, { ...R, branch: 'feature/gone' })).rejects.toMatchObject({
      type: 'BranchDeleted',
    });
    const err = toActivityFailure(
      await ops.getBranchHead(gh, { ...R, branch: 'feature/gone' }).catch((e: unknown) => e),
      'getBranchHead',
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: 'BranchDeleted', nonRetryable: true });
  });
});
