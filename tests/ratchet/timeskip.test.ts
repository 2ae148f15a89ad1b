/**
 * The ratchet loop on the Java time-skipping test server: hours of backoff and a thousand poll
 * cycles run in seconds. Real parts throughout — the poller, ratchet and fixer workflows, the
 * real poll-cycle, GitHub and read-model activities against the loopback fake GitHub and a real
 * SQLite file — except the fixer's agent and git steps, which are test activities that record the
 * call and change nothing (these suites are about orchestration, not about editing code).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { backoffDelayMs } from '../../core/backoff.js';
import { workflowIds } from '../../core/ids.js';
import { workspaceSpecSchema } from '../../core/workspace.js';
import { createGithubActivities, createGithubClient } from '../../activities/github/index.js';
import type { RunAgentTurnInput } from '../../activities/agents/activities.js';
import { createPollCycleActivities } from '../../activities/poll-cycle.js';
import { createStoreActivities } from '../../activities/store/index.js';
import { createTemporalActivities, startNotifyDelivery } from '../../activities/temporal.js';
import type { Db } from '../../db/client.js';
import { listNotifications } from '../../db/queries/notifications.js';
import { recordOpenedPullRequest } from '../../db/queries/pull-requests.js';
import { listEvents } from '../../db/queries/workspaces.js';
import { projects } from '../../db/schema.js';
import { WORKFLOWS_ENTRY } from '../../worker/bundle.js';
import { DEFAULT_CYCLES_PER_RUN } from '../../workflows/poller.js';
import {
  pokeSignal,
  pollerStateQuery,
  ratchetStateQuery,
  type RatchetInput,
} from '../../workflows/ratchet-messages.js';
import { startFakeGithub, tick, type FakeGithub } from '../support/fake-github/index.js';
import { noopFixerActivities } from '../support/noop-fixer-activities.js';
import { startTimeSkippingServer } from '../support/temporal.js';
import { makeHome } from '../support/workspace-harness.js';
import { failing, passing, prRow, seedWorkspace } from '../support/ratchet-harness.js';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let db: Db;
let fake: FakeGithub;
/**
 * The Java time-skipping server strands a workflow whose task cancels a timer that fired while the
 * task was with the worker: it refuses the completion ("invalid history builder state for action",
 * temporalio/sdk-java#3088) and never times the task out or sends it again. Our loops cancel timers
 * whenever a signal ends a timed wait, and a skip can fire the timer at that moment: about once in
 * 20 runs of this file, one test hung. The real servers (dev server, production) do not do this.
 * So each test is retried once, and each try has its own task queue and names (`queueNo`): nothing
 * a stranded try left behind can reach the next one. afterEach terminates what the try started and,
 * after a failed try, replaces the server with a fresh one: a stranded task blocks skipping for
 * every workflow on that server, and terminating did not release it in an experiment. A test that
 * fails twice fails the run.
 */
let taskQueue = `ratchet-ts-${process.pid}-0`;
let queueNo = 0;
/** What the current try started: ended in afterEach even when the try hung and never got to its own cleanup. */
let started: { workflowIds: string[]; workers: Worker[] } = { workflowIds: [], workers: [] };
beforeEach(() => {
  taskQueue = `ratchet-ts-${process.pid}-${++queueNo}`;
  started = { workflowIds: [], workers: [] };
});
afterEach(async (ctx) => {
  for (const id of started.workflowIds)
    await env.client.workflow
      .getHandle(id)
      .terminate('test over')
      .catch(() => undefined);
  for (const w of started.workers) if (w.getState() === 'RUNNING') w.shutdown();
  if (ctx.task.result?.state === 'pass') return;
  // A failed try may have stranded the server (see above): its retry gets a fresh one.
  const deadline = Date.now() + 15_000;
  while (
    started.workers.some((w) => w.getState() !== 'STOPPED' && w.getState() !== 'FAILED') &&
    Date.now() < deadline
  ) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const old = env;
  env = await startTimeSkippingServer();
  await old.teardown().catch(() => undefined);
});
const PROJECT = `prj-ts-${process.pid}`;
const agentCalls: RunAgentTurnInput[] = [];
/** What the fixer's agent says, per workspace (default: it found nothing). */
const agentSummaries = new Map<string, string>();

beforeAll(async () => {
  env = await startTimeSkippingServer();
  bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY });
  ({ db } = makeHome());
  fake = await startFakeGithub({ tokens: ['test'] });
});

afterAll(async () => {
  await env?.teardown();
  await fake?.close();
});

function activities() {
  // No client-side pacing here: a thousand time-skipped cycles must not wait 1 s of real time each.
  const octokit = createGithubClient({ token: 'test', baseUrl: fake.url, throttle: false });
  return {
    ...createStoreActivities({ db, startDelivery: startNotifyDelivery }),
    ...createGithubActivities({ octokit }),
    ...createTemporalActivities({ pollIntervalMs: 60_000 }),
    ...createPollCycleActivities({ db, octokit }),
    // The fixer's agent tries and changes nothing: every attempt ends `no_change`.
    ...noopFixerActivities({
      onAgent: (input) => agentCalls.push(input),
      summary: (input) => agentSummaries.get(input.spec.workspaceId) ?? 'could not find the cause',
    }),
  };
}

/** Runs `fn` with a worker; afterwards (pass or fail) terminates `cleanup` workflows so no loop outlives its test. */
async function withWorker<T>(fn: () => Promise<T>, cleanup: string[] = []): Promise<T> {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: activities(),
  });
  started.workers.push(worker);
  try {
    return await worker.runUntil(fn);
  } finally {
    for (const id of cleanup)
      await env.client.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined);
  }
}

/**
 * A fake repo with one open PR on `feat`, its workspace and PR rows, and the ratchet's input. Names
 * carry the test's queue number, so a retried test starts from nothing its first try left behind.
 */
function setup(base: string, checks = [failing('build')], settings: RatchetInput['settings'] = {}) {
  const name = `${base}-${queueNo}`;
  const repo = `acme/${name}`;
  fake.addRepo(repo);
  const number = fake.openPr(repo, { head: 'feat', title: name });
  fake.setChecks(repo, number, checks);
  const ws = `ws-${name}-${process.pid}`;
  // One project per repository (a PR number is unique within a project).
  const projectId = `${PROJECT}-${name}`;
  db.insert(projects)
    .values({ id: projectId, name, repoPath: `/nonexistent/${projectId}` })
    .run();
  seedWorkspace(db, { id: ws, projectId, branch: 'feat' });
  const url = `https://github.com/${repo}/pull/${number}`;
  recordOpenedPullRequest({
    db,
    pr: {
      workspaceId: ws,
      projectId,
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
    projectId,
    repoPath: '/nonexistent/repo',
    worktreeRoot: '/nonexistent/wt',
    worktreePath: `/nonexistent/wt/${ws}`,
    branch: 'feat',
    baseBranch: 'main',
    title: name,
    prompt: name,
    agent: { runner: 'script' },
    github: { owner: 'acme', repo: name },
  });
  const input: RatchetInput = {
    spec,
    github: { owner: 'acme', repo: name },
    pr: { number, url, headBranch: 'feat', baseBranch: 'main' },
    settings,
  };
  const start = () =>
    env.client.workflow.start('ratchetWorkflow', {
      workflowId: workflowIds.ratchet(ws),
      taskQueue,
      args: [input],
    });
  started.workflowIds.push(workflowIds.ratchet(ws), workflowIds.poller('acme', name));
  return {
    name,
    repo,
    number,
    ws,
    projectId,
    start,
    poller: () => env.client.workflow.getHandle(workflowIds.poller('acme', name)),
  };
}

const toMs = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

async function childStarts(handle: { fetchHistory: () => Promise<{ events?: unknown[] | null }> }) {
  const history = await handle.fetchHistory();
  type Ev = {
    eventTime?: { seconds?: unknown; nanos?: number | null } | null;
    startChildWorkflowExecutionInitiatedEventAttributes?: { workflowId?: string | null } | null;
  };
  return ((history.events ?? []) as Ev[])
    .filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)
    .map((e) => ({
      at: toMs(e.eventTime),
      workflowId: e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? '',
    }));
}

async function sleepUntil<T>(
  what: string,
  step: string,
  max: number,
  fn: () => Promise<T | null | undefined | false>,
): Promise<T> {
  const mine = queueNo;
  for (let i = 0; i < max; i++) {
    // A try that timed out must not go on skipping time under its retry.
    if (queueNo !== mine) throw new Error(`${what}: superseded by a retry`);
    // Not there yet, or not started yet (a query before the workflow exists): look again later.
    const v = await fn().catch(() => null);
    if (v) return v;
    await env.sleep(step);
  }
  throw new Error(`${what}: not reached after ${max} × ${step}`);
}

describe('ratchet loop (time-skipping)', { retry: 1 }, () => {
  it('backs off 1, 2, 4 … min between attempts, capped at 30 min, stalls at the cap, and resumes when the PR changes', async () => {
    const t = setup('backoff', [failing('build')], { maxAttemptsPerKey: 8, maxAttemptsPerPr: 20 });
    const handle = await t.start();
    await withWorker(async () => {
      const stalled = await sleepUntil('stalled', '5 minutes', 60, async () => {
        const s = await handle.query(ratchetStateQuery);
        return s.state === 'stalled' ? s : null;
      });
      const starts = await childStarts(handle);
      expect(starts).toHaveLength(8);
      // Same head SHA, same kind: every attempt reused the one fixer ID after the previous closed.
      expect(new Set(starts.map((s) => s.workflowId)).size).toBe(1);
      const key = Object.keys(stalled.memory.attempts)[0] ?? '';
      const gaps = starts.slice(1).map((s, i) => s.at - (starts[i]?.at ?? 0));
      gaps.forEach((gap, i) => {
        const expected = backoffDelayMs(i + 1, {
          baseMs: 60_000,
          capMs: 1_800_000,
          jitter: 0.2,
          seed: `${handle.workflowId}|${key}`,
        });
        expect(gap).toBeGreaterThanOrEqual(expected - 2_000);
        expect(gap).toBeLessThanOrEqual(expected + 10_000);
      });
      // 1 min ±20 % first; never above the 30 min cap, and the cap is reached.
      expect(gaps[0]).toBeGreaterThanOrEqual(48_000);
      expect(gaps[0]).toBeLessThanOrEqual(72_000 + 10_000);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(1_800_000 + 10_000);
      expect(gaps.at(-1)).toBeGreaterThanOrEqual(1_800_000 * 0.8 - 2_000);

      // Stalled stays stalled (no new attempt, one notification) while the PR does not change.
      await env.sleep('2 hours');
      expect((await childStarts(handle)).length).toBe(8);
      expect((await handle.query(ratchetStateQuery)).state).toBe('stalled');
      expect(listNotifications({ db, workspaceId: t.ws })).toHaveLength(1);
      expect(listEvents({ db, workspaceId: t.ws }).filter((e) => e.kind === 'ratchet.stalled')).toHaveLength(
        1,
      );
      expect(prRow(db, t.ws)).toMatchObject({ ratchetState: 'stalled', kanbanColumn: 'waiting' });

      // A new push (new head, still red) is a new snapshot key: the loop dispatches again at once.
      const pushedAt = await env.currentTimeMs();
      const newHead = fake.pushCommit(t.repo, t.number);
      fake.setChecks(t.repo, t.number, [failing('build')]);
      // At once: the first poll after the push (≤ 1 min) dispatches; later attempts on the new head
      // follow after their backoff, so look for at least one.
      const after = await sleepUntil('a fixer on the new head', '1 minute', 3, async () => {
        const starts = await childStarts(handle);
        return starts.length >= 9 ? starts : null;
      });
      expect(after[8]?.workflowId).toBe(workflowIds.fix(t.ws, newHead, 'ci'));
      expect(after[8]!.at - pushedAt).toBeLessThanOrEqual(60_000 + 10_000);
    }, [handle.workflowId, t.poller().workflowId]);
  });

  it('reports a check that is also red on the base branch once, never dispatches a fixer for it, and fixes once base is green', async () => {
    const t = setup('basered', [failing('build')]);
    const baseSha = fake.pr(t.repo, t.number).baseSha;
    fake.setCommitChecks(t.repo, baseSha, [failing('build')]);
    const handle = await t.start();
    const before = agentCalls.length;
    await withWorker(async () => {
      await sleepUntil(
        'base_red',
        '1 minute',
        5,
        async () => (await handle.query(ratchetStateQuery)).state === 'base_red',
      );
      // Another change to the PR that keeps the same facts: no second comment, still no fixer.
      fake.setChecks(t.repo, t.number, [failing('build'), passing('lint')]);
      await env.sleep('5 minutes');
      expect((await handle.query(ratchetStateQuery)).state).toBe('base_red');
      expect(await childStarts(handle)).toHaveLength(0);
      expect(agentCalls.length).toBe(before);
      const comments = fake
        .comments(t.repo, t.number)
        .filter((c) => c.body.includes('<!-- ratchet:base-red/'));
      expect(comments).toHaveLength(1);
      expect(comments[0]?.body).toContain('build');
      expect(prRow(db, t.ws)).toMatchObject({ ratchetState: 'base_red', kanbanColumn: 'waiting' });

      // Base moves to a green commit: the failure is now the PR's own, and a fixer takes it.
      const green = fake.addBranch(t.repo, 'main', 'b'.repeat(40));
      fake.setCommitChecks(t.repo, green, [passing('build')]);
      const pr = fake.pr(t.repo, t.number);
      pr.baseSha = green;
      pr.updatedAt = tick();
      // The agent here never fixes anything, so the first fixer is followed a minute later by the
      // next attempt: wait for at least one, and check the first one is the PR's own CI fix.
      const fixers = await sleepUntil('a CI fixer', '1 minute', 15, async () => {
        const starts = await childStarts(handle);
        return starts.length >= 1 ? starts : null;
      });
      expect(fixers[0]?.workflowId).toBe(workflowIds.fix(t.ws, pr.headSha, 'ci'));
      expect((await handle.query(ratchetStateQuery)).state).not.toBe('base_red');
    }, [handle.workflowId, t.poller().workflowId]);
  });

  it('a fixer that asks a question stops the attempts: the question goes to the PR and a notification, until the PR changes', async () => {
    const t = setup('ask', [failing('build')]);
    agentSummaries.set(
      t.ws,
      'Two fixes are possible.\nRATCHET_ASK_HUMAN: Should `build` target Node 18 or Node 20?',
    );
    const handle = await t.start();
    await withWorker(async () => {
      const asked = await sleepUntil('awaiting_human', '1 minute', 10, async () => {
        const s = await handle.query(ratchetStateQuery);
        return s.state === 'awaiting_human' ? s : null;
      });
      expect(asked.reason).toBe('the CI fixer asked: Should `build` target Node 18 or Node 20?');
      // Hours pass and the PR does not change: no second attempt, one comment, one notification.
      await env.sleep('3 hours');
      expect(await childStarts(handle)).toHaveLength(1);
      expect((await handle.query(ratchetStateQuery)).state).toBe('awaiting_human');
      const comments = fake.comments(t.repo, t.number).filter((c) => c.body.includes('<!-- ratchet:ask/'));
      expect(comments).toHaveLength(1);
      expect(comments[0]?.body).toContain('Should `build` target Node 18 or Node 20?');
      expect(listNotifications({ db, workspaceId: t.ws })).toHaveLength(1);
      expect(prRow(db, t.ws)).toMatchObject({ ratchetState: 'awaiting_human', kanbanColumn: 'waiting' });

      // A person pushes an answer: a new snapshot key, and the loop takes it from there.
      agentSummaries.delete(t.ws);
      const newHead = fake.pushCommit(t.repo, t.number);
      fake.setChecks(t.repo, t.number, [failing('build')]);
      const starts = await sleepUntil('a fixer on the new head', '1 minute', 3, async () => {
        const s = await childStarts(handle);
        return s.length >= 2 ? s : null;
      });
      expect(starts[1]?.workflowId).toBe(workflowIds.fix(t.ws, newHead, 'ci'));
    }, [handle.workflowId, t.poller().workflowId]);
  });

  it(
    'keeps the poller and ratchet histories bounded over 1,000 poll cycles, at one GitHub request per cycle',
    { timeout: 300_000 },
    async () => {
      const t = setup('quiet', [
        {
          kind: 'check_run',
          name: 'build',
          status: 'IN_PROGRESS',
          conclusion: null,
          runId: null,
          workflowName: 'CI',
        },
      ]);
      const handle = await t.start();
      await withWorker(async () => {
        await sleepUntil(
          'waiting for CI',
          '1 minute',
          5,
          async () => (await handle.query(ratchetStateQuery)).state === 'waiting_ci',
        );
        const graphqlBefore = fake.count('POST', '/graphql', 'RatchetOpenPullRequests');
        const cyclesBefore = (await t.poller().query(pollerStateQuery)).cyclesTotal;
        for (let i = 0; i < 10; i++) await env.sleep('100 minutes');
        // The 1,000th cycle's timer fires at the last skipped minute; on a loaded machine its
        // workflow task can still be running when the sleep returns, so give it up to 3 more minutes.
        await sleepUntil(
          'the 1,000th poll cycle',
          '1 minute',
          3,
          async () => (await t.poller().query(pollerStateQuery)).cyclesTotal - cyclesBefore >= 1000,
        );
        const state = await t.poller().query(pollerStateQuery);
        const cycles = state.cyclesTotal - cyclesBefore;
        expect(cycles).toBeGreaterThanOrEqual(1000);
        // The current run holds only the cycles since its last continue-as-new.
        expect(state.cyclesThisRun).toBeLessThanOrEqual(DEFAULT_CYCLES_PER_RUN);
        expect(fake.count('POST', '/graphql', 'RatchetOpenPullRequests') - graphqlBefore).toBe(cycles);
        const pollerEvents = (await t.poller().fetchHistory()).events?.length ?? 0;
        expect(pollerEvents).toBeLessThanOrEqual(DEFAULT_CYCLES_PER_RUN * 10 + 100);
        // Unchanged snapshots are not delivered: the ratchet's history did not grow with the cycles.
        const ratchetEvents = (await handle.fetchHistory()).events?.length ?? 0;
        expect(ratchetEvents).toBeLessThan(100);
        process.stderr.write(
          `[ratchet timeskip] ${cycles} cycles; poller run history ${pollerEvents} events; ratchet ${ratchetEvents}\n`,
        );
      }, [handle.workflowId, t.poller().workflowId]);
    },
  );
});

describe('ratchet loop on bad GitHub input (time-skipping)', { retry: 1 }, () => {
  it('records a malformed answer (naming the missing field) and recovers on the next cycle without a crash loop', async () => {
    const t = setup('malformed', [passing('build')]);
    const handle = await t.start();
    await withWorker(async () => {
      await sleepUntil(
        'first snapshot',
        '1 minute',
        5,
        async () => (await handle.query(ratchetStateQuery)).headSha !== null,
      );
      fake.corruptNextGraphql((data) => {
        const repo = data.repository as { pullRequests: { nodes: Record<string, unknown>[] } };
        delete repo.pullRequests.nodes[0]?.headRefOid;
      });
      await t.poller().signal(pokeSignal, { reason: 'test' });
      const failed = await sleepUntil('poll failure recorded', '1 minute', 5, async () =>
        listEvents({ db, workspaceId: t.ws }).find((e) => e.kind === 'github.poll_failed'),
      );
      expect(failed.message).toMatch(/GithubMalformed/);
      expect(failed.message).toContain('headRefOid');
      await sleepUntil('recovery recorded', '1 minute', 5, async () =>
        listEvents({ db, workspaceId: t.ws }).some((e) => e.kind === 'github.poll_recovered'),
      );
      expect((await t.poller().query(pollerStateQuery)).error).toBeNull();
    }, [handle.workflowId, t.poller().workflowId]);
  });

  it('waits for the rate-limit reset on a 429 (pokes included), shows it, and resumes after the reset', async () => {
    const t = setup('ratelimit', [passing('build')]);
    const handle = await t.start();
    await withWorker(async () => {
      await sleepUntil(
        'first snapshot',
        '1 minute',
        5,
        async () => (await handle.query(ratchetStateQuery)).headSha !== null,
      );
      fake.failNext(1, {
        kind: 'rate-limit',
        status: 429,
        resetInSeconds: 600,
        match: (r) => r.operation === 'RatchetOpenPullRequests',
      });
      await sleepUntil(
        'rate limit seen',
        '1 minute',
        3,
        async () => (await t.poller().query(pollerStateQuery)).error?.type === 'GithubRateLimited',
      );
      const after = fake.count('POST', '/graphql', 'RatchetOpenPullRequests');
      await t.poller().signal(pokeSignal, { reason: 'impatient user' });
      await env.sleep('8 minutes');
      expect(fake.count('POST', '/graphql', 'RatchetOpenPullRequests')).toBe(after);
      expect(
        listEvents({ db, workspaceId: t.ws }).filter((e) => e.kind === 'github.rate_limited'),
      ).toHaveLength(1);
      await env.sleep('4 minutes');
      expect(fake.count('POST', '/graphql', 'RatchetOpenPullRequests')).toBeGreaterThan(after);
      expect((await t.poller().query(pollerStateQuery)).error).toBeNull();
    }, [handle.workflowId, t.poller().workflowId]);
  });

  it('backs off on a repository GitHub answers 404 for: requests stay bounded over an hour', async () => {
    const t = setup('ghost-src', [passing('build')]);
    // The ratchet points at a repository the fake does not have.
    const input: RatchetInput = {
      spec: workspaceSpecSchema.parse({
        workspaceId: t.ws,
        projectId: t.projectId,
        repoPath: '/x',
        worktreeRoot: '/x',
        worktreePath: '/x/y',
        branch: 'feat',
        baseBranch: 'main',
        title: 'ghost',
        prompt: 'ghost',
        agent: { runner: 'script' },
      }),
      github: { owner: 'acme', repo: `ghost-${queueNo}` },
      pr: {
        number: 1,
        url: `https://github.com/acme/ghost-${queueNo}/pull/1`,
        headBranch: 'feat',
        baseBranch: 'main',
      },
    };
    const handle = await env.client.workflow.start('ratchetWorkflow', {
      workflowId: workflowIds.ratchet(t.ws),
      taskQueue,
      args: [input],
    });
    const poller = env.client.workflow.getHandle(workflowIds.poller('acme', `ghost-${queueNo}`));
    started.workflowIds.push(poller.workflowId);
    await withWorker(async () => {
      await sleepUntil(
        'poll failure',
        '1 minute',
        3,
        async () => (await poller.query(pollerStateQuery)).error?.type === 'GithubNotFound',
      );
      const before = fake.count('POST', '/graphql', 'RatchetOpenPullRequests');
      await env.sleep('60 minutes');
      const during = fake.count('POST', '/graphql', 'RatchetOpenPullRequests') - before;
      // 60 at the normal interval; exponential backoff (1, 2, 4, 8, 15 min cap) keeps it to a handful.
      expect(during).toBeLessThanOrEqual(7);
      expect(during).toBeGreaterThanOrEqual(3);
      expect(
        listEvents({ db, workspaceId: t.ws }).filter((e) => e.kind === 'github.poll_failed'),
      ).toHaveLength(1);
    }, [handle.workflowId, poller.workflowId]);
  });

  it('ends with a clear "closed" state when the PR is closed and its branch deleted', async () => {
    const t = setup('deleted', [passing('build')]);
    const handle = await t.start();
    await withWorker(async () => {
      await sleepUntil(
        'first snapshot',
        '1 minute',
        5,
        async () => (await handle.query(ratchetStateQuery)).headSha !== null,
      );
      fake.closePr(t.repo, t.number);
      fake.deleteBranch(t.repo, 'feat');
      const final = await handle.result();
      expect(final).toMatchObject({ state: 'closed', done: true });
      // The ratchet unwatched: with nothing left to watch, the poller ends by itself.
      await sleepUntil(
        'the poller to end',
        '1 minute',
        3,
        async () => (await t.poller().describe()).status.name === 'COMPLETED',
      );
    }, [t.poller().workflowId]);
    expect(prRow(db, t.ws)).toMatchObject({ state: 'closed', ratchetState: 'closed', kanbanColumn: 'done' });
    expect(
      listEvents({ db, workspaceId: t.ws }).some(
        (e) => e.kind === 'ratchet.done' && /closed/.test(e.message),
      ),
    ).toBe(true);
  });
});
