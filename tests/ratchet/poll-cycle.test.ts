/**
 * One poll cycle (`ratchetPollCycle`, activities/poll-cycle.ts) and "update branch"
 * (`ratchetUpdateBranch`, a GitHub activity) against the loopback fake GitHub with the real client
 * and a real SQLite file: what a cycle costs in GitHub requests, and where "is this failure also
 * red on the base?" is answered from. Deliveries are captured instead of signalled (no Temporal
 * server needed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGithubClient, type GithubClient } from '../../activities/github/client.js';
import { createGithubActivities } from '../../activities/github/index.js';
import { fetchOpenPrSnapshots } from '../../activities/github/snapshots.js';
import { createPollCycleActivities, type PollCycleInput } from '../../activities/poll-cycle.js';
import type { Db } from '../../db/client.js';
import type { SnapshotDelivery } from '../../workflows/ratchet-messages.js';
import { startFakeGithub, type FakeCheck, type FakeGithub } from '../support/fake-github/index.js';
import { makeHome } from '../support/workspace-harness.js';
import { failing, passing } from '../support/ratchet-harness.js';

let fake: FakeGithub;
let gh: GithubClient;
let db: Db;

beforeAll(async () => {
  fake = await startFakeGithub({ tokens: ['test'] });
  // Pacing off: these tests count requests; they do not time them.
  gh = createGithubClient({ token: 'test', baseUrl: fake.url, throttle: false });
  ({ db } = makeHome('ratchet-poll-cycle-'));
});
afterAll(() => fake.close());

/** Poll activities whose deliveries land in `delivered`, by workspace id (plus update-branch). */
function poller() {
  const delivered = new Map<string, SnapshotDelivery>();
  const activities = createPollCycleActivities({
    db,
    octokit: gh,
    deliver: async (workspaceId, delivery) => {
      delivered.set(workspaceId, delivery);
      return 'ok';
    },
  });
  const { ratchetUpdateBranch } = createGithubActivities({ octokit: gh });
  return { ...activities, ratchetUpdateBranch, delivered };
}

function baseFailingOf(delivered: Map<string, SnapshotDelivery>, ws: string): string[] {
  const d = delivered.get(ws);
  if (d?.kind !== 'snapshot') throw new Error(`no snapshot delivered to ${ws}`);
  return d.baseFailing;
}

/** A repository with `n` open PRs on `main`, all watched, every other one red. */
function seed(name: string, n: number): PollCycleInput {
  const repo = `acme/${name}`;
  fake.addRepo(repo);
  const watch: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    const number = fake.openPr(repo, { head: `feat-${i}` });
    fake.setChecks(repo, number, [i % 2 === 0 ? failing('build') : passing('build')]);
    watch[String(number)] = `ws-${name}-${number}`;
  }
  return { owner: 'acme', repo: name, watch, digests: {} };
}

const made = (since: number) => fake.requests.slice(since).map((r) => `${r.method} ${r.operation ?? r.path}`);

describe('ratchetPollCycle: GitHub requests per cycle', () => {
  it.each([
    [1, 1],
    [10, 1],
    [100, 1],
    [101, 2],
  ])('%i open PRs, all watched, half of them red: %i request(s)', async (n, expected) => {
    const input = seed(`cost-${n}`, n);
    const poll = poller();
    const before = fake.requests.length;
    const res = await poll.ratchetPollCycle(input);
    expect(res).toMatchObject({ ok: true, openPrs: n, requests: expected, delivered: n });
    expect(made(before)).toEqual(Array.from({ length: expected }, () => 'POST RatchetOpenPullRequests'));
  });

  it('counts a watched PR’s review-thread follow-up, and makes none for an unwatched PR', async () => {
    const input = seed('threads', 2);
    const [watched = 0, unwatched = 0] = Object.keys(input.watch).map(Number);
    for (const number of [watched, unwatched]) {
      for (let i = 0; i < 45; i++)
        fake.addThread('acme/threads', number, {
          path: `f${i}.ts`,
          line: 1,
          comments: [{ author: { login: 'alice' }, body: 'why?', createdAt: '2026-01-01T00:00:00Z' }],
        });
    }
    const poll = poller();
    const before = fake.requests.length;
    const res = await poll.ratchetPollCycle({ ...input, watch: { [watched]: `ws-threads-${watched}` } });
    expect(res).toMatchObject({ ok: true, openPrs: 2, requests: 2 });
    expect(made(before)).toEqual(['POST RatchetOpenPullRequests', 'POST RatchetReviewThreads']);
    const d = poll.delivered.get(`ws-threads-${watched}`);
    expect(d?.kind === 'snapshot' && d.pr.unresolvedThreads.length).toBe(45);
  });

  it('a cycle that fails on a follow-up reports every request it made, the failed one included', async () => {
    const poll = poller();
    const input = { owner: 'acme', repo: 'threads', watch: { '1': 'ws-threads-1' }, digests: {} };
    fake.failNext(1, { kind: 'bad-credentials', match: (r) => r.operation === 'RatchetReviewThreads' });
    const before = fake.requests.length;
    const res = await poll.ratchetPollCycle(input);
    expect(res).toMatchObject({ ok: false, requests: 2, error: { type: 'GithubAuth' } });
    expect(fake.requests.length - before).toBe(2);
  });
});

describe('ratchetPollCycle: is the failure also red on the base?', () => {
  it('a check red on the PR and on the default branch head is attributed from the listing: zero REST calls', async () => {
    fake.addRepo('acme/red-main');
    const number = fake.openPr('acme/red-main', { head: 'feat' });
    fake.setChecks('acme/red-main', number, [failing('build', 41), failing('lint', 41)]);
    const mainHead = fake.state.mustRepo('acme', 'red-main').branches.get('main') ?? '';
    const legacy: FakeCheck = {
      kind: 'status',
      context: 'ci/legacy',
      state: 'FAILURE',
      createdAt: '2026-01-01T00:00:00Z',
    };
    // An Actions run on main: its checks' keys carry the workflow name.
    fake.setCommitChecks('acme/red-main', mainHead, [failing('build', 40), passing('lint'), legacy]);
    const poll = poller();
    const rest = fake.count('GET', /\/check-runs$/);

    const res = await poll.ratchetPollCycle({
      owner: 'acme',
      repo: 'red-main',
      watch: { [number]: 'ws-red-main' },
      digests: {},
    });

    expect(res).toMatchObject({ ok: true, requests: 1 });
    expect(fake.count('GET', /\/check-runs$/)).toBe(rest);
    // Keys and names both, as the decision matches either (`CI / build` is the key, `build` the name).
    expect(baseFailingOf(poll.delivered, 'ws-red-main')).toEqual(['CI / build', 'build', 'ci/legacy']);
  });

  it('a green PR looks at no base checks, even with the default branch red', async () => {
    fake.addRepo('acme/green-pr');
    const number = fake.openPr('acme/green-pr', { head: 'feat' });
    fake.setChecks('acme/green-pr', number, [passing('build')]);
    fake.setCommitChecks(
      'acme/green-pr',
      fake.state.mustRepo('acme', 'green-pr').branches.get('main') ?? '',
      [failing('build')],
    );
    const poll = poller();
    const res = await poll.ratchetPollCycle({
      owner: 'acme',
      repo: 'green-pr',
      watch: { [number]: 'ws-green-pr' },
      digests: {},
    });
    expect(res).toMatchObject({ ok: true, requests: 1 });
    expect(baseFailingOf(poll.delivered, 'ws-green-pr')).toEqual([]);
  });

  it('a PR based on another branch reads its base commit over REST once, then from the cache', async () => {
    fake.addRepo('acme/release');
    const releaseHead = fake.addBranch('acme/release', 'release/1.x');
    fake.setCommitChecks('acme/release', releaseHead, [failing('build')]);
    const number = fake.openPr('acme/release', { head: 'fix', base: 'release/1.x' });
    fake.setChecks('acme/release', number, [failing('build')]);
    const poll = poller();
    const input = { owner: 'acme', repo: 'release', watch: { [number]: 'ws-release' }, digests: {} };

    const before = fake.requests.length;
    const first = await poll.ratchetPollCycle(input);
    expect(first).toMatchObject({ ok: true, requests: 3 });
    expect(made(before)).toEqual([
      'POST RatchetOpenPullRequests',
      `GET /repos/acme/release/commits/${releaseHead}/check-runs`,
      `GET /repos/acme/release/commits/${releaseHead}/status`,
    ]);
    expect(baseFailingOf(poll.delivered, 'ws-release')).toEqual(['build']);

    const again = fake.requests.length;
    const second = await poll.ratchetPollCycle({ ...input, digests: first.ok ? first.digests : {} });
    expect(second).toMatchObject({ ok: true, requests: 1, delivered: 0 });
    expect(made(again)).toEqual(['POST RatchetOpenPullRequests']);
  });

  it('a PR whose base commit is no longer the default branch head also takes the REST path', async () => {
    fake.addRepo('acme/moved');
    const number = fake.openPr('acme/moved', { head: 'feat' });
    fake.setChecks('acme/moved', number, [failing('build')]);
    const oldBase = fake.pr('acme/moved', number).baseSha;
    fake.setCommitChecks('acme/moved', oldBase, [failing('build')]);
    const newHead = fake.addBranch('acme/moved', 'main', 'c'.repeat(40));
    fake.setCommitChecks('acme/moved', newHead, [passing('build')]);
    const poll = poller();
    const res = await poll.ratchetPollCycle({
      owner: 'acme',
      repo: 'moved',
      watch: { [number]: 'ws-moved' },
      digests: {},
    });
    expect(res).toMatchObject({ ok: true, requests: 3 });
    expect(fake.count('GET', `/repos/acme/moved/commits/${oldBase}/check-runs`)).toBe(1);
    expect(baseFailingOf(poll.delivered, 'ws-moved')).toEqual(['build']);
  });

  it('the REST path counts failing commit statuses too, and does not cache a base whose status is still pending', async () => {
    fake.addRepo('acme/legacy');
    const head = fake.addBranch('acme/legacy', 'release/2.x');
    fake.setCommitChecks('acme/legacy', head, [
      { kind: 'status', context: 'ci/jenkins', state: 'FAILURE' },
      { kind: 'status', context: 'ci/lint', state: 'PENDING' },
    ]);
    const number = fake.openPr('acme/legacy', { head: 'fix', base: 'release/2.x' });
    fake.setChecks('acme/legacy', number, [{ kind: 'status', context: 'ci/jenkins', state: 'FAILURE' }]);
    const poll = poller();
    const input = { owner: 'acme', repo: 'legacy', watch: { [number]: 'ws-legacy' }, digests: {} };
    const first = await poll.ratchetPollCycle(input);
    expect(first).toMatchObject({ ok: true, requests: 3 });
    expect(baseFailingOf(poll.delivered, 'ws-legacy')).toEqual(['ci/jenkins']);
    // ci/lint may still fail on the base: the next cycle asks again.
    const second = await poll.ratchetPollCycle({ ...input, digests: first.ok ? first.digests : {} });
    expect(second).toMatchObject({ ok: true, requests: 3 });
  });
});

describe('ratchetUpdateBranch', () => {
  it('merges the base into the head on GitHub: a new head with no checks yet, no longer behind', async () => {
    fake.addRepo('acme/update');
    const number = fake.openPr('acme/update', { head: 'feat' });
    fake.setChecks('acme/update', number, [passing('build')]);
    const newBase = fake.addBranch('acme/update', 'main', 'd'.repeat(40));
    fake.setMergeable('acme/update', number, 'MERGEABLE', 'BEHIND');
    const before = fake.pr('acme/update', number);
    const { headSha: oldHead, updatedAt } = before;
    const poll = poller();

    const res = await poll.ratchetUpdateBranch({
      owner: 'acme',
      repo: 'update',
      number,
      expectedHeadSha: oldHead,
    });

    expect(res).toEqual({ updated: true, message: 'update requested' });
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'PUT',
      path: `/repos/acme/update/pulls/${number}/update-branch`,
      status: 202,
    });
    const after = fake.pr('acme/update', number);
    expect(after.headSha).not.toBe(oldHead);
    expect(after.baseSha).toBe(newBase);
    expect(after.updatedAt > updatedAt).toBe(true);
    expect(after).toMatchObject({ checks: [], mergeable: 'MERGEABLE', mergeStateStatus: 'CLEAN' });
    expect(fake.state.mustRepo('acme', 'update').branches.get('feat')).toBe(after.headSha);
    // The next listing sees the new head.
    const { prs } = await fetchOpenPrSnapshots(gh, { owner: 'acme', repo: 'update' });
    expect(prs[0]).toMatchObject({
      headSha: after.headSha,
      baseSha: newBase,
      mergeStateStatus: 'CLEAN',
      checks: [],
    });
  });

  it('a head that moved since the ratchet looked is a result (422), not an error', async () => {
    fake.addRepo('acme/moved-head');
    const number = fake.openPr('acme/moved-head', { head: 'feat' });
    const seen = fake.pr('acme/moved-head', number).headSha;
    fake.addBranch('acme/moved-head', 'main', 'e'.repeat(40));
    const pushed = fake.pushCommit('acme/moved-head', number);
    const poll = poller();

    const res = await poll.ratchetUpdateBranch({
      owner: 'acme',
      repo: 'moved-head',
      number,
      expectedHeadSha: seen,
    });

    expect(res.updated).toBe(false);
    expect(res.message).toContain("expected head sha didn't match current head ref");
    expect(fake.requests.at(-1)).toMatchObject({ method: 'PUT', status: 422 });
    expect(fake.pr('acme/moved-head', number).headSha).toBe(pushed);
  });

  it('a branch already up to date is a result too', async () => {
    fake.addRepo('acme/current');
    const number = fake.openPr('acme/current', { head: 'feat' });
    const head = fake.pr('acme/current', number).headSha;
    const res = await poller().ratchetUpdateBranch({
      owner: 'acme',
      repo: 'current',
      number,
      expectedHeadSha: head,
    });
    expect(res).toMatchObject({
      updated: false,
      message: expect.stringContaining('There are no new commits on the base branch'),
    });
    expect(fake.pr('acme/current', number).headSha).toBe(head);
  });
});
