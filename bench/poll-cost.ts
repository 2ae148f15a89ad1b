/**
 * GitHub requests per poll cycle for 1, 10 and 100 open PRs, all watched, measured against the
 * loopback fake GitHub with the real client. Every request counts: the GraphQL listing (100 PRs a
 * page), review-thread follow-ups (none here: no PR has more than 40 threads) and REST reads of a
 * base commit's checks. Half of the PRs have a red check, so each needs its base attributed; they
 * are based on the default branch's head, which the listing already carries, so that costs no
 * request (a PR on another base would add one REST read per new base SHA, cached after).
 * Also the GraphQL rate-limit points of the 100-PR cycle, as GitHub computes them from the
 * document (the fake reports them; arithmetic in activities/github/snapshot-query.ts).
 * Baseline, performed in the same run: polling one PR at a time the way factory-factory does
 * (three calls per PR per cycle: the PR, its comments, its review threads).
 */
import { createGithubClient } from '../activities/github/index.js';
import { fetchPrSnapshot } from '../activities/github/snapshots.js';
import { createPollCycleActivities } from '../activities/poll-cycle.js';
import {
  startFakeGithub,
  type FakeGithub,
  type RecordedRequest,
} from '../tests/support/fake-github/index.js';
import { makeHome } from '../tests/support/workspace-harness.js';
import { figure, type Figure } from './figure.js';

const SIZES = [1, 10, 100] as const;

/** GraphQL points GitHub charges for these requests (REST calls count against another limit). */
const points = (requests: readonly RecordedRequest[]) =>
  requests.reduce((sum, r) => sum + (r.points ?? 0), 0);

function seedRepo(fake: FakeGithub, name: string, prs: number): Record<string, string> {
  const repo = `acme/${name}`;
  fake.addRepo(repo);
  const watch: Record<string, string> = {};
  for (let i = 0; i < prs; i++) {
    const n = fake.openPr(repo, { head: `feat-${i}` });
    const red = i % 2 === 0;
    fake.setChecks(repo, n, [
      {
        kind: 'check_run',
        name: 'build',
        status: 'COMPLETED',
        conclusion: red ? 'FAILURE' : 'SUCCESS',
        runId: null,
        workflowName: 'CI',
      },
    ]);
    watch[String(n)] = `ws-${name}-${n}`;
  }
  return watch;
}

export async function benchPollCost(): Promise<Figure[]> {
  const fake = await startFakeGithub({ tokens: ['bench'] });
  const { db } = makeHome('ratchet-bench-poll-');
  // Pacing off: this benchmark counts requests; it does not time them.
  const octokit = createGithubClient({ token: 'bench', baseUrl: fake.url, throttle: false });
  let delivered = 0;
  const poll = createPollCycleActivities({
    db,
    octokit,
    deliver: async () => {
      delivered++;
      return 'ok';
    },
  });
  const figures: Figure[] = [];
  try {
    for (const size of SIZES) {
      const name = `poll-${size}`;
      const watch = seedRepo(fake, name, size);
      // Ratchet: one poll cycle.
      const before = fake.requests.length;
      const res = await poll.ratchetPollCycle({ owner: 'acme', repo: name, watch, digests: {} });
      if (!res.ok) throw new Error(`poll cycle failed: ${res.error.message}`);
      const ours = fake.requests.length - before;
      if (res.requests !== ours)
        throw new Error(`the cycle reported ${res.requests} requests; the fake saw ${ours}`);
      const ourPoints = points(fake.requests.slice(before));
      // A second cycle, nothing changed: still the listing alone (the base checks came with it, so
      // there is no REST cache to warm, unlike PRs on another base).
      const steadyBefore = fake.requests.length;
      const again = await poll.ratchetPollCycle({ owner: 'acme', repo: name, watch, digests: res.digests });
      if (!again.ok) throw new Error(`poll cycle failed: ${again.error.message}`);
      const steady = fake.requests.length - steadyBefore;
      // Baseline: the same PRs polled one at a time, three calls each.
      const baseBefore = fake.requests.length;
      for (const n of Object.keys(watch).map(Number)) {
        await octokit.rest.pulls.get({ owner: 'acme', repo: name, pull_number: n });
        await octokit.rest.issues.listComments({ owner: 'acme', repo: name, issue_number: n, per_page: 100 });
        await fetchPrSnapshot(octokit, { owner: 'acme', repo: name, number: n });
      }
      const baseline = fake.requests.length - baseBefore;
      const baselinePoints = points(fake.requests.slice(baseBefore));
      figures.push(
        figure({
          name: `GitHub requests per poll cycle, ${size} open PR${size === 1 ? '' : 's'}`,
          value: ours,
          unit: 'requests',
          baselineName: 'one PR at a time, 3 calls each',
          baseline,
          ...(size === 100 ? { goal: '≥ 100x fewer at 100 PRs', met: baseline / ours >= 100 } : {}),
        }),
      );
      if (size === 100) {
        figures.push(
          figure({
            name: 'GitHub requests per poll cycle, 100 open PRs, next cycle',
            value: steady,
            unit: 'requests',
            baselineName: 'one PR at a time, 3 calls each',
            baseline,
          }),
        );
        figures.push(
          figure({
            name: 'GraphQL rate-limit points per poll cycle, 100 open PRs',
            value: ourPoints,
            unit: 'points',
            baselineName: 'one PR at a time, GraphQL part only',
            baseline: baselinePoints,
            goal: '≤ 52 points (one page of the former 50-PR listing)',
            met: ourPoints <= 52,
          }),
        );
      }
    }
  } finally {
    await fake.close();
  }
  if (delivered === 0) throw new Error('no snapshot was delivered: the benchmark did not exercise the cycle');
  return figures;
}
