/**
 * The whole loop with real parts: a Temporal dev server process, the real worker as a child
 * process (SIGKILLed mid-fix), real git repositories with a bare remote the fake GitHub reads PR
 * heads from, the real Octokit client against the loopback fake, and the real SQLite read model.
 *
 * Workspace → PR opened once → CI red → one CI fixer (worker killed mid-push, retried) → CI green →
 * changes requested → one review fixer → approval → auto-merge → workspace archived.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { workflowIds } from '../../core/ids.js';
import type { Db } from '../../db/client.js';
import { listFixAttempts } from '../../db/queries/fix-attempts.js';
import { listEvents } from '../../db/queries/workspaces.js';
import { makeRepo, remoteCommits } from '../support/git.js';
import { startFakeGithub, tick, type FakeGithub } from '../support/fake-github/index.js';
import { freePort } from '../support/ports.js';
import { startDevServerProcess, type DevServerProcess } from '../support/temporal.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { addProject, input, makeHome, specFor, waitFor } from '../support/workspace-harness.js';
import {
  failing,
  linkRemote,
  passing,
  prRow,
  slowNthPush,
  workspaceRow,
} from '../support/ratchet-harness.js';

let server: DevServerProcess;
let connection: Connection;
let client: Client;
let db: Db;
let home: string;
let fake: FakeGithub;
let workerEnv: Record<string, string>;
const workers: WorkerProcess[] = [];
const taskQueue = `ratchet-e2e-${process.pid}`;
const REPO = 'acme/widgets';

async function newWorker(): Promise<WorkerProcess> {
  const w = await startWorkerProcess(workerEnv);
  workers.push(w);
  return w;
}

beforeAll(async () => {
  ({ db, home } = makeHome());
  fake = await startFakeGithub({ tokens: ['test'] });
  fake.addRepo(REPO);
  server = await startDevServerProcess({ dbFile: path.join(home, 'temporal.db'), port: await freePort() });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
  workerEnv = {
    RATCHET_HOME: home,
    TEMPORAL_ADDRESS: server.address,
    RATCHET_TASK_QUEUE: taskQueue,
    RATCHET_LOG_LEVEL: 'warn',
    GITHUB_API_URL: fake.url,
    GITHUB_TOKEN: 'test',
    RATCHET_POLL_INTERVAL_S: '1',
  };
});

afterAll(async () => {
  for (const w of workers) await w.kill();
  await connection?.close();
  await server?.stop();
  await fake?.close();
});

describe('ratchet loop end to end', () => {
  it('takes a workspace from PR to merge through one CI fix and one review fix, surviving a worker SIGKILL mid-fix', async () => {
    const repo = makeRepo();
    // The 2nd push that updates a ref is the CI fixer's: it sleeps long enough to be killed.
    const slowSeen = slowNthPush(repo.remote, 2, 8);
    const { runId } = fake.addRun(REPO, {
      headSha: 'x',
      headBranch: 'x',
      jobs: [
        {
          name: 'build',
          conclusion: 'failure',
          steps: [{ name: 'test', conclusion: 'failure' }],
          log: '2026-01-01T00:00:00Z Error: expected greeting to be "hello"',
        },
      ],
    });
    linkRemote(fake, REPO, repo.remote, (_pr, nth) =>
      nth === 1 ? [failing('build', runId)] : [passing('build')],
    );

    const spec = {
      ...specFor(repo, addProject(db, repo), {
        agent: { script: [[{ op: 'write' as const, path: 'hello.txt', content: 'hello\n' }]] },
      }),
      github: { owner: 'acme', repo: 'widgets' },
      ratchet: { enabled: true, autoMerge: true },
    };
    let worker = await newWorker();
    const started = Date.now();
    await client.workflow.start('workspaceWorkflow', {
      workflowId: workflowIds.workspace(spec.workspaceId),
      taskQueue,
      args: [input(spec, { heartbeatTimeoutMs: 3000 })],
    });

    // CI fixer dispatched on the red head; kill the worker while its push sleeps in the hook.
    await waitFor('the CI fixer push to start', () => fs.existsSync(slowSeen), 90_000);
    expect(listFixAttempts({ db, workspaceId: spec.workspaceId }).map((f) => [f.kind, f.status])).toEqual([
      ['ci', 'running'],
    ]);
    await worker.kill();
    worker = await newWorker();

    await waitFor(
      'the CI fix to be pushed',
      () =>
        listFixAttempts({ db, workspaceId: spec.workspaceId }).some(
          (f) => f.kind === 'ci' && f.status === 'pushed',
        ),
      90_000,
    );
    await waitFor(
      'green CI, waiting for a review',
      () => prRow(db, spec.workspaceId)?.ratchetState === 'awaiting_review',
      60_000,
    );

    // A reviewer asks for a change, with one inline thread.
    fake.addReview(REPO, 1, {
      author: { login: 'alice' },
      state: 'CHANGES_REQUESTED',
      body: 'Please say hello to the world',
    });
    fake.addThread(REPO, 1, {
      path: 'hello.txt',
      line: 1,
      comments: [{ author: { login: 'alice' }, body: 'hello → hello world', createdAt: tick() }],
    });
    await waitFor(
      'the review fix to be pushed',
      () =>
        listFixAttempts({ db, workspaceId: spec.workspaceId }).some(
          (f) => f.kind === 'review' && f.status === 'pushed',
        ),
      90_000,
    );
    await waitFor('a re-review request', () => fake.pr(REPO, 1).requestedReviewers.includes('alice'), 30_000);

    // Approval (thread resolved) → merge-ready → auto-merge → workspace archived.
    const pr = fake.pr(REPO, 1);
    for (const t of pr.threads) t.isResolved = true;
    fake.addReview(REPO, 1, { author: { login: 'alice' }, state: 'APPROVED', body: 'LGTM' });
    await waitFor(
      'the workspace to be archived',
      () => workspaceRow(db, spec.workspaceId)?.status === 'archived',
      90_000,
    );
    const elapsed = Date.now() - started;

    // GitHub saw exactly one of each write.
    expect(fake.count('POST', '/repos/acme/widgets/pulls')).toBe(1);
    expect(fake.count('PUT', '/repos/acme/widgets/pulls/1/merge')).toBe(1);
    expect(fake.count('POST', /\/actions\/runs\/\d+\/rerun-failed-jobs$/)).toBe(0);
    expect(fake.count('POST', '/repos/acme/widgets/issues/1/comments')).toBe(1);
    expect(fake.comments(REPO, 1).filter((c) => c.body.includes('<!-- ratchet:review-fix/'))).toHaveLength(1);
    expect(fake.pr(REPO, 1).state).toBe('MERGED');

    // One fixer run per kind, each settled once; one commit per fix on the remote.
    const fixes = listFixAttempts({ db, workspaceId: spec.workspaceId });
    expect(fixes.map((f) => [f.kind, f.status, f.attempt])).toEqual([
      ['ci', 'pushed', 1],
      ['review', 'pushed', 1],
    ]);
    expect(new Set(fixes.map((f) => f.workflowId)).size).toBe(2);
    const commits = remoteCommits(repo.remote, spec.branch);
    expect(commits.filter((c) => c.startsWith('Fix the failing CI checks'))).toHaveLength(1);
    expect(commits.filter((c) => c.startsWith('Address the review feedback'))).toHaveLength(1);

    // The read model ends in "done: merged"; the timeline shows the story and the retried push.
    const row = prRow(db, spec.workspaceId);
    expect(row).toMatchObject({ state: 'merged', ratchetState: 'merged', kanbanColumn: 'done' });
    const kinds = listEvents({ db, workspaceId: spec.workspaceId }).map((e) => e.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'pr.opened',
        'ratchet.fix_ci',
        'ratchet.fix_review',
        'ratchet.merge',
        'ratchet.done',
        'status.archived',
      ]),
    );
    expect(
      listEvents({ db, workspaceId: spec.workspaceId }).some(
        (e) => e.kind === 'activity.retry' && /^Push: attempt 2/.test(e.message),
      ),
    ).toBe(true);
    process.stderr.write(`[ratchet e2e] workspace → merged in ${elapsed} ms\n`);
  });
});
