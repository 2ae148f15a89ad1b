import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGithubClient, resolveGithubToken, type GithubClient } from '../../activities/github/client.js';
import { createGithubActivities } from '../../activities/github/index.js';
import * as ops from '../../activities/github/operations.js';
import { startFakeGithub, type FakeGithub } from '../support/fake-github/index.js';

let fake: FakeGithub;
let gh: GithubClient;
const R = { owner: 'acme', repo: 'limits' };
const branchPath = '/repos/acme/limits/branches/main';

beforeAll(async () => {
  fake = await startFakeGithub();
  fake.addRepo('acme/limits');
  fake.openPr('acme/limits', { head: 'feature/x' });
  // Plugin waits are scaled to 50 ms per "second" so inline retries stay fast.
  gh = createGithubClient({ token: 'test-token', baseUrl: fake.url, retryAfterBaseValue: 50 });
});
afterAll(() => fake.close());

const branchCalls = () => fake.count('GET', branchPath);

describe('rate limits', () => {
  it('a primary 403 (remaining 0, reset in an hour) fails fast as GithubRateLimited with the reset time', async () => {
    fake.failNext(1, { kind: 'rate-limit', status: 403, resetInSeconds: 3600 });
    const before = branchCalls();
    const err = await ops.getBranchHead(gh, { ...R, branch: 'main' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'GithubRateLimited', status: 403 });
    const resetAt = Date.parse((err as { resetAt: string }).resetAt);
    expect(resetAt).toBeGreaterThan(Date.now() + 3500_000);
    expect(resetAt).toBeLessThan(Date.now() + 3700_000);
    expect(branchCalls() - before).toBe(1); // no inline wait for an hour
  });

  it('the activity turns it into a retryable ApplicationFailure whose nextRetryDelay reaches the reset', async () => {
    fake.failNext(1, { kind: 'rate-limit', status: 429, resetInSeconds: 600 });
    const err = await createGithubActivities({ octokit: gh })
      .githubGetIssue({ ...R, number: 1 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    const f = err as ApplicationFailure;
    expect(f.type).toBe('GithubRateLimited');
    expect(f.nonRetryable).toBe(false);
    expect(Number(f.nextRetryDelay)).toBeGreaterThan(590_000);
    expect(f.details?.[0]).toMatchObject({ resetAt: expect.any(String) });
  });

  it('a long secondary limit (429 + retry-after 120) fails fast with retry-after as the wait', async () => {
    fake.failNext(1, { kind: 'secondary-rate-limit', status: 429, retryAfterSeconds: 120 });
    const err = await ops.getBranchHead(gh, { ...R, branch: 'main' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'GithubRateLimited', status: 429, retryAfterMs: 120_000 });
  });

  it('a short secondary limit is retried inline exactly once and then succeeds', async () => {
    fake.failNext(1, { kind: 'secondary-rate-limit', status: 403, retryAfterSeconds: 1 });
    const before = branchCalls();
    await expect(ops.getBranchHead(gh, { ...R, branch: 'main' })).resolves.toMatchObject({
      sha: expect.any(String),
    });
    expect(branchCalls() - before).toBe(2);
  });

  it('gives up after that one inline retry (Temporal owns further retries)', async () => {
    fake.failNext(3, { kind: 'secondary-rate-limit', status: 403, retryAfterSeconds: 1 });
    const before = branchCalls();
    await expect(ops.getBranchHead(gh, { ...R, branch: 'main' })).rejects.toMatchObject({
      type: 'GithubRateLimited',
    });
    expect(branchCalls() - before).toBe(2);
    // Drain the leftover scripted failure so later tests start clean.
    await ops.getBranchHead(gh, { ...R, branch: 'main' }).catch(() => undefined);
  });

  it('a rate-limited GraphQL request maps the same way', async () => {
    fake.failNext(1, { kind: 'rate-limit', resetInSeconds: 900, match: (r) => r.path === '/graphql' });
    await expect(ops.fetchOpenPrSnapshots(gh, R)).rejects.toMatchObject({ type: 'GithubRateLimited' });
  });
});

describe('authentication and health', () => {
  it('a rejected token is GithubAuth and non-retryable', async () => {
    const bad = createGithubClient({ token: 'wrong', baseUrl: fake.url });
    await expect(ops.getBranchHead(bad, { ...R, branch: 'main' })).rejects.toMatchObject({
      type: 'GithubAuth',
      status: 401,
    });
    const acts = createGithubActivities({ octokit: bad });
    await expect(acts.githubGetIssue({ ...R, number: 1 })).rejects.toMatchObject({
      type: 'GithubAuth',
      nonRetryable: true,
    });
  });

  it('without a token, activities fail GithubAuth', async () => {
    const acts = createGithubActivities({ octokit: null });
    await expect(acts.githubListIssues({ ...R })).rejects.toMatchObject({
      type: 'GithubAuth',
      nonRetryable: true,
    });
  });
});

describe('resolveGithubToken', () => {
  let dir: string;
  let empty: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ratchet-gh-'));
    empty = await mkdtemp(path.join(tmpdir(), 'ratchet-nogh-'));
    await writeFile(
      path.join(dir, 'gh'),
      '#!/bin/sh\n[ "$1 $2" = "auth token" ] && echo gho_from_cli && exit 0\nexit 1\n',
    );
    await chmod(path.join(dir, 'gh'), 0o755);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(empty, { recursive: true, force: true });
  });

  it('prefers GITHUB_TOKEN over GH_TOKEN over gh', async () => {
    expect(await resolveGithubToken({ GITHUB_TOKEN: 'a', GH_TOKEN: 'b', PATH: dir })).toEqual({
      token: 'a',
      source: 'GITHUB_TOKEN',
    });
    expect(await resolveGithubToken({ GITHUB_TOKEN: '  ', GH_TOKEN: 'b', PATH: dir })).toEqual({
      token: 'b',
      source: 'GH_TOKEN',
    });
    expect(await resolveGithubToken({ PATH: dir })).toEqual({ token: 'gho_from_cli', source: 'gh' });
  });

  it('returns null when nothing is set and gh is not on PATH', async () => {
    expect(await resolveGithubToken({ PATH: empty })).toBeNull();
    expect(await resolveGithubToken({})).toBeNull();
  });

  it('returns null when gh fails (not logged in)', async () => {
    const failing = await mkdtemp(path.join(tmpdir(), 'ratchet-badgh-'));
    await writeFile(path.join(failing, 'gh'), '#!/bin/sh\necho "not logged in" >&2\nexit 1\n');
    await chmod(path.join(failing, 'gh'), 0o755);
    expect(await resolveGithubToken({ PATH: failing })).toBeNull();
    await rm(failing, { recursive: true, force: true });
  });
});
