/**
 * The project's ratchet policy reaches the loop, and the loop ends with its workspace. Real parts:
 * a Temporal dev server process, the real worker as a child process, real git with a bare remote
 * the fake GitHub reads PR heads from, the real Octokit client against the loopback fake, SQLite.
 *
 * - A bot review counts only from a login on the project's allowlist (set in `projects.ratchet_policy`,
 *   read by the loop when it starts): another bot's change request dispatches nothing.
 * - Archiving the workspace stops the loop: the running fixer is cancelled, the ratchet workflow
 *   completes, its state reads `stopped`.
 * - With the ratchet off, the PR opens only when asked (`openPr`), once, and no loop starts.
 */
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { workflowIds } from '../../core/ids.js';
import type { Db } from '../../db/client.js';
import { listFixAttempts } from '../../db/queries/fix-attempts.js';
import { projects } from '../../db/schema.js';
import { archiveSignal, openPrSignal } from '../../workflows/messages.js';
import { makeRepo } from '../support/git.js';
import { startFakeGithub, type FakeGithub } from '../support/fake-github/index.js';
import { freePort } from '../support/ports.js';
import { startDevServerProcess, type DevServerProcess } from '../support/temporal.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { addProject, eventKinds, input, makeHome, specFor, waitFor } from '../support/workspace-harness.js';
import { linkRemote, passing, prRow, workspaceRow } from '../support/ratchet-harness.js';

let server: DevServerProcess;
let connection: Connection;
let client: Client;
let db: Db;
let home: string;
let fake: FakeGithub;
let worker: WorkerProcess;
const taskQueue = `ratchet-policy-${process.pid}`;
const REPO = 'acme/widgets';

beforeAll(async () => {
  ({ db, home } = makeHome());
  fake = await startFakeGithub({ tokens: ['test'] });
  fake.addRepo(REPO);
  server = await startDevServerProcess({ dbFile: path.join(home, 'temporal.db'), port: await freePort() });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
  worker = await startWorkerProcess({
    RATCHET_HOME: home,
    TEMPORAL_ADDRESS: server.address,
    RATCHET_TASK_QUEUE: taskQueue,
    RATCHET_LOG_LEVEL: 'warn',
    GITHUB_API_URL: fake.url,
    GITHUB_TOKEN: 'test',
    RATCHET_POLL_INTERVAL_S: '1',
  });
});

afterAll(async () => {
  await worker?.kill();
  await connection?.close();
  await server?.stop();
  await fake?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ratchetStatus(workspaceId: string): Promise<string | null> {
  try {
    return (await client.workflow.getHandle(workflowIds.ratchet(workspaceId)).describe()).status.name;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return null;
    throw err;
  }
}

describe('ratchet policy and lifecycle', () => {
  it("counts a bot's review only from the project's allowlist, and archiving stops the loop and its fixer", async () => {
    const repo = makeRepo();
    linkRemote(fake, REPO, repo.remote, () => [passing('build')]);
    const projectId = addProject(db, repo);
    db.update(projects)
      .set({ ratchetPolicy: { reviewBotAllowlist: ['coderabbitai'], requireApproval: true } })
      .where(eq(projects.id, projectId))
      .run();
    const spec = {
      ...specFor(repo, projectId, {
        agent: { script: [[{ op: 'write' as const, path: 'hello.txt', content: 'hello\n' }]] },
      }),
      github: { owner: 'acme', repo: 'widgets' },
      ratchet: { enabled: true, autoMerge: false },
    };
    await client.workflow.start('workspaceWorkflow', {
      workflowId: workflowIds.workspace(spec.workspaceId),
      taskQueue,
      args: [input(spec)],
    });
    await waitFor(
      'green CI, waiting for a review',
      () => prRow(db, spec.workspaceId)?.ratchetState === 'awaiting_review',
      90_000,
    );
    const number = prRow(db, spec.workspaceId)!.number;

    // A bot that is not on the allowlist asks for changes: the poller sees it, the loop ignores it.
    fake.addReview(REPO, number, {
      author: { login: 'sonarcloud[bot]', isBot: true },
      state: 'CHANGES_REQUESTED',
      body: 'Code smell',
    });
    await waitFor(
      'the snapshot with the ignored review',
      () => JSON.stringify(prRow(db, spec.workspaceId)?.snapshot ?? '').includes('sonarcloud'),
      30_000,
    );
    await sleep(4000); // several 1 s poll cycles and decisions
    expect(listFixAttempts({ db, workspaceId: spec.workspaceId })).toEqual([]);

    // The allowlisted bot asks for changes: a review fixer starts.
    fake.addReview(REPO, number, {
      author: { login: 'coderabbitai[bot]', isBot: true },
      state: 'CHANGES_REQUESTED',
      body: 'Rename hello.txt to greeting.txt',
    });
    await waitFor(
      'a review fixer',
      () => listFixAttempts({ db, workspaceId: spec.workspaceId }).some((f) => f.kind === 'review'),
      60_000,
    );

    // Archive: the loop is told to stop, ends (its fixer cancelled with it), and says so.
    await client.workflow.getHandle(workflowIds.workspace(spec.workspaceId)).signal(archiveSignal);
    await waitFor(
      'the ratchet workflow to close',
      async () => (await ratchetStatus(spec.workspaceId)) === 'COMPLETED',
      60_000,
    );
    await waitFor(
      'the workspace to be archived',
      () => workspaceRow(db, spec.workspaceId)?.status === 'archived',
      60_000,
    );
    expect(prRow(db, spec.workspaceId)?.ratchetState).toBe('stopped');
    expect(eventKinds(db, spec.workspaceId)).toContain('ratchet.stopped');
    const fixes = listFixAttempts({ db, workspaceId: spec.workspaceId });
    expect(fixes.map((f) => f.kind)).toEqual(['review']);
  });

  it('opens the PR of a workspace with the ratchet off only when asked, once, without a loop', async () => {
    const repo = makeRepo();
    linkRemote(fake, REPO, repo.remote, () => [passing('build')]);
    const spec = {
      ...specFor(repo, addProject(db, repo), {
        title: 'Say goodbye',
        agent: { script: [[{ op: 'write' as const, path: 'bye.txt', content: 'bye\n' }]] },
      }),
      github: { owner: 'acme', repo: 'widgets' },
      ratchet: { enabled: false, autoMerge: false },
    };
    const prsBefore = fake.count('POST', '/repos/acme/widgets/pulls');
    const handle = await client.workflow.start('workspaceWorkflow', {
      workflowId: workflowIds.workspace(spec.workspaceId),
      taskQueue,
      args: [input(spec)],
    });
    await waitFor(
      'the first turn to be pushed',
      () => workspaceRow(db, spec.workspaceId)?.status === 'idle',
      60_000,
    );
    expect(prRow(db, spec.workspaceId)).toBeUndefined();

    await handle.signal(openPrSignal);
    await waitFor('the PR row', () => prRow(db, spec.workspaceId), 30_000);
    await waitFor('status pr_open', () => workspaceRow(db, spec.workspaceId)?.status === 'pr_open', 30_000);
    await handle.signal(openPrSignal); // a second click finds the same PR
    await waitFor(
      'the second request to be handled',
      () => eventKinds(db, spec.workspaceId).filter((k) => k === 'status.pr_open').length >= 2,
      30_000,
    );
    expect(fake.count('POST', '/repos/acme/widgets/pulls') - prsBefore).toBe(1);
    expect(fake.pr(REPO, prRow(db, spec.workspaceId)!.number).head).toBe(spec.branch);
    expect(await ratchetStatus(spec.workspaceId)).toBeNull();
    await handle.signal(archiveSignal);
    await waitFor(
      'the workspace to be archived',
      () => workspaceRow(db, spec.workspaceId)?.status === 'archived',
      60_000,
    );
  });
});
