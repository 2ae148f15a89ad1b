/**
 * Time from a `poke` to the fixer workflow having started, median of several runs. Real dev
 * server, in-process worker with the real poller/ratchet/GitHub/read-model activities and the
 * real (paced) GitHub client against the loopback fake; the fixer's agent and git steps are
 * no-ops (what is timed ends when the fixer starts). Each run pushes a new red head so the fixer
 * ID (`fix/<ws>/<sha>/ci`) is new. Baseline: the wait without a poke, i.e. the poll interval.
 */
import { performance } from 'node:perf_hooks';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { workflowIds } from '../core/ids.js';
import { workspaceSpecSchema } from '../core/workspace.js';
import { createGithubActivities, createGithubClient } from '../activities/github/index.js';
import { createPollCycleActivities } from '../activities/poll-cycle.js';
import { createStoreActivities } from '../activities/store/index.js';
import { createTemporalActivities, startNotifyDelivery } from '../activities/temporal.js';
import { recordOpenedPullRequest } from '../db/queries/pull-requests.js';
import { projects } from '../db/schema.js';
import { noopFixerActivities } from '../tests/support/noop-fixer-activities.js';
import { WORKFLOWS_ENTRY } from '../worker/bundle.js';
import { pokeSignal } from '../workflows/ratchet-messages.js';
import { startFakeGithub } from '../tests/support/fake-github/index.js';
import { startDevServer } from '../tests/support/temporal.js';
import { makeHome, waitFor } from '../tests/support/workspace-harness.js';
import { seedWorkspace } from '../tests/support/ratchet-harness.js';
import { figure, median, type Figure } from './figure.js';

const RUNS = 7;
const POLL_INTERVAL_MS = 60_000;

export async function benchPokeLatency(): Promise<Figure[]> {
  const fake = await startFakeGithub({ tokens: ['bench'] });
  const env = await startDevServer();
  const { db } = makeHome('ratchet-bench-poke-');
  const octokit = createGithubClient({ token: 'bench', baseUrl: fake.url });
  const taskQueue = `bench-poke-${process.pid}`;
  const repo = 'acme/poke';
  fake.addRepo(repo);
  const number = fake.openPr(repo, { head: 'feat' });
  const red = () =>
    fake.setChecks(repo, number, [
      {
        kind: 'check_run',
        name: 'build',
        status: 'COMPLETED',
        conclusion: 'FAILURE',
        runId: null,
        workflowName: 'CI',
      },
    ]);
  red();
  const ws = `ws-poke-${process.pid}`;
  db.insert(projects).values({ id: 'prj-poke', name: 'poke', repoPath: '/nonexistent/poke' }).run();
  seedWorkspace(db, { id: ws, projectId: 'prj-poke', branch: 'feat' });
  const url = `https://github.com/${repo}/pull/${number}`;
  recordOpenedPullRequest({
    db,
    pr: {
      workspaceId: ws,
      projectId: 'prj-poke',
      number,
      url,
      headBranch: 'feat',
      baseBranch: 'main',
      headSha: null,
      draft: false,
    },
  });
  const spec = workspaceSpecSchema.parse({
    workspaceId: ws,
    projectId: 'prj-poke',
    repoPath: '/x',
    worktreeRoot: '/x',
    worktreePath: '/x/y',
    branch: 'feat',
    baseBranch: 'main',
    title: 'poke',
    prompt: 'poke',
    agent: { runner: 'script' },
    github: { owner: 'acme', repo: 'poke' },
  });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY }),
    activities: {
      ...createStoreActivities({ db, startDelivery: startNotifyDelivery }),
      ...createGithubActivities({ octokit }),
      ...createTemporalActivities({ pollIntervalMs: POLL_INTERVAL_MS }),
      ...createPollCycleActivities({ db, octokit }),
      ...noopFixerActivities({ summary: () => 'nothing to change' }),
    },
  });
  const samples: number[] = [];
  try {
    await worker.runUntil(async () => {
      const ratchet = await env.client.workflow.start('ratchetWorkflow', {
        workflowId: workflowIds.ratchet(ws),
        taskQueue,
        args: [
          {
            spec,
            github: { owner: 'acme', repo: 'poke' },
            pr: { number, url, headBranch: 'feat', baseBranch: 'main' },
          },
        ],
      });
      const poller = env.client.workflow.getHandle(workflowIds.poller('acme', 'poke'));
      const fixerExists = async (sha: string) => {
        try {
          await env.client.workflow.getHandle(workflowIds.fix(ws, sha, 'ci')).describe();
          return true;
        } catch {
          return false;
        }
      };
      // The first head's fixer comes from the watch registration; wait for it to settle.
      await waitFor('the first fixer', () => fixerExists(fake.pr(repo, number).headSha), 60_000, 20);
      for (let i = 0; i < RUNS; i++) {
        await new Promise((r) => setTimeout(r, 1500)); // past the client's 1 s GraphQL pacing
        const sha = fake.pushCommit(repo, number);
        red();
        const t0 = performance.now();
        await poller.signal(pokeSignal, { reason: 'bench' });
        await waitFor('the fixer to start', () => fixerExists(sha), 30_000, 10);
        samples.push(performance.now() - t0);
      }
      await ratchet.terminate('bench done');
      await poller.terminate('bench done');
    });
  } finally {
    await env.teardown();
    await fake.close();
  }
  const p50 = Math.round(median(samples));
  return [
    figure({
      name: `poke → fixer started (median of ${RUNS})`,
      value: p50,
      unit: 'ms',
      baselineName: 'next scheduled poll (interval)',
      baseline: POLL_INTERVAL_MS,
      goal: '≤ 2000 ms',
      met: p50 <= 2000,
    }),
  ];
}
