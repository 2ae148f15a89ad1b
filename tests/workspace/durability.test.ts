/**
 * Proof of durability with real processes: the worker is a child process killed with SIGKILL, the
 * Temporal dev server is a child process killed and restarted on the same db file, the git remote
 * is a real bare repository. The workspace must complete with exactly one commit per turn.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { and, eq } from 'drizzle-orm';
import { workflowIds } from '../../core/ids.js';
import type { Db } from '../../db/client.js';
import { listEvents } from '../../db/queries/workspaces.js';
import { agentMessages, agentSessions } from '../../db/schema.js';
import { archiveSignal, stateQuery } from '../../workflows/messages.js';
import { makeRepo, remoteCommits, slowFirstPush } from '../support/git.js';
import { freePort } from '../support/ports.js';
import { startDevServerProcess, type DevServerProcess } from '../support/temporal.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { addProject, input, makeHome, specFor, waitFor } from '../support/workspace-harness.js';

let server: DevServerProcess;
let connection: Connection;
let client: Client;
let db: Db;
let home: string;
let workerEnv: Record<string, string>;
const workers: WorkerProcess[] = [];
const taskQueue = `durable-${process.pid}`;

async function newWorker(): Promise<WorkerProcess> {
  const w = await startWorkerProcess(workerEnv);
  workers.push(w);
  return w;
}

beforeAll(async () => {
  ({ db, home } = makeHome());
  server = await startDevServerProcess({ dbFile: path.join(home, 'temporal.db'), port: await freePort() });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
  workerEnv = {
    RATCHET_HOME: home,
    TEMPORAL_ADDRESS: server.address,
    RATCHET_TASK_QUEUE: taskQueue,
    RATCHET_LOG_LEVEL: 'warn',
    RATCHET_TEST_KILL_POINTS: '1',
  };
});

afterAll(async () => {
  for (const w of workers) await w.kill();
  await connection?.close();
  await server?.stop();
});

function toolRows(sessionLike: string, toolName: string, role: 'tool_call' | 'tool_result') {
  return db
    .select()
    .from(agentMessages)
    .where(and(eq(agentMessages.toolName, toolName), eq(agentMessages.role, role)))
    .all()
    .filter((m) => m.sessionId.startsWith(sessionLike));
}

describe('workspace durability', () => {
  it('survives SIGKILL of the worker mid-agent-step and mid-push: one commit per turn, retries in the timeline', async () => {
    const repo = makeRepo();
    const pushMarker = slowFirstPush(repo.remote, 6);
    const spec = specFor(repo, addProject(db, repo), {
      agent: {
        script: [
          [
            { op: 'write', path: 'a.txt', content: 'a\n' },
            { op: 'append', path: 'log.txt', line: 'before sleep' },
            { op: 'sleep', ms: 5000 },
            { op: 'append', path: 'log.txt', line: 'after sleep' },
          ],
        ],
      },
    });
    let worker = await newWorker();
    const handle = await client.workflow.start('workspaceWorkflow', {
      workflowId: workflowIds.workspace(spec.workspaceId),
      taskQueue,
      args: [input(spec, { heartbeatTimeoutMs: 3000 })],
    });

    // 1. Kill the worker while the agent step sleeps between two edits.
    await waitFor(
      'the agent to reach its sleep step',
      () => toolRows(spec.workspaceId, 'sleep', 'tool_call').length === 1,
      90_000,
    );
    await worker.kill();
    worker = await newWorker();

    // 2. Kill the next worker while `git push` is inside the remote's slow pre-receive hook.
    await waitFor('the push to start', () => fs.existsSync(pushMarker), 90_000);
    await worker.kill();
    worker = await newWorker();

    await waitFor('turn 1 to finish', async () => (await handle.query(stateQuery)).turnsDone === 1, 90_000);
    expect(remoteCommits(repo.remote, spec.branch)).toEqual([spec.title]);
    // Steps that ran before the kill were not run again.
    expect(fs.readFileSync(path.join(spec.worktreePath, 'log.txt'), 'utf8')).toBe(
      'before sleep\nafter sleep\n',
    );
    expect(toolRows(spec.workspaceId, 'append', 'tool_result')).toHaveLength(2);

    const retries = listEvents({ db, workspaceId: spec.workspaceId }).filter(
      (e) => e.kind === 'activity.retry',
    );
    expect(retries.map((e) => e.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Agent turn 1: attempt 2/),
        expect.stringMatching(/^Push: attempt 2/),
      ]),
    );
    await handle.signal(archiveSignal);
    expect((await handle.result()).archived).toBe(true);
  });

  it('a worker killed between applying an append and recording it appends once; the script session closes like a model one', async () => {
    const repo = makeRepo();
    const spec = specFor(repo, addProject(db, repo), {
      agent: {
        script: [
          [
            { op: 'append', path: 'log.txt', line: 'one' },
            { op: 'append', path: 'log.txt', line: 'two', killWorkerAfterApply: true },
            { op: 'say', text: 'Logged twice' },
          ],
        ],
      },
    });
    const alive = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
    const worker = alive[0] ?? (await newWorker());
    const died = new Promise<void>((resolve) => worker.child.once('exit', () => resolve()));
    const handle = await client.workflow.start('workspaceWorkflow', {
      workflowId: workflowIds.workspace(spec.workspaceId),
      taskQueue,
      args: [input(spec, { heartbeatTimeoutMs: 3000 })],
    });
    // The worker dies by SIGKILL inside the step: the line is in the file, its result row is not.
    await Promise.race([
      died,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('the worker did not die at the kill point')), 60_000),
      ),
    ]);
    expect(worker.child.signalCode).toBe('SIGKILL');
    expect(fs.readFileSync(path.join(spec.worktreePath, 'log.txt'), 'utf8')).toBe('one\ntwo\n');
    expect(toolRows(spec.workspaceId, 'append', 'tool_result')).toHaveLength(1);
    await newWorker();
    await waitFor('turn 1 to finish', async () => (await handle.query(stateQuery)).turnsDone === 1, 90_000);
    expect(fs.readFileSync(path.join(spec.worktreePath, 'log.txt'), 'utf8')).toBe('one\ntwo\n');
    // One call and one result per step: the retry reused the recorded call.
    expect(toolRows(spec.workspaceId, 'append', 'tool_call')).toHaveLength(2);
    expect(toolRows(spec.workspaceId, 'append', 'tool_result')).toHaveLength(2);
    const session = db
      .select()
      .from(agentSessions)
      .where(eq(agentSessions.workspaceId, spec.workspaceId))
      .get();
    expect(session).toMatchObject({ status: 'completed', runner: 'script' });
    expect(session?.endedAt).toBeGreaterThan(0);
    await handle.signal(archiveSignal);
    expect((await handle.result()).archived).toBe(true);
  });

  it('a turn interrupted by more worker SIGKILLs than its failure limit still completes: worker loss spends no retry budget', async () => {
    const repo = makeRepo();
    const spec = specFor(repo, addProject(db, repo), {
      agent: {
        script: [
          [
            { op: 'write', path: 'a.txt', content: 'a\n' },
            { op: 'sleep', ms: 8000 },
            { op: 'write', path: 'b.txt', content: 'b\n' },
          ],
        ],
      },
    });
    const alive = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
    let worker = alive[0] ?? (await newWorker());
    const handle = await client.workflow.start('workspaceWorkflow', {
      workflowId: workflowIds.workspace(spec.workspaceId),
      taskQueue,
      args: [input(spec, { heartbeatTimeoutMs: 2000, agentRetryBaseMs: 500 })],
    });
    const session = `${spec.workspaceId}-t1-implement`;
    const resets = () =>
      db
        .select()
        .from(agentMessages)
        .where(and(eq(agentMessages.sessionId, session), eq(agentMessages.role, 'reset')))
        .all().length;
    const kills = 9; // more than the 8 attempts a turn had before
    for (let attempt = 1; attempt <= kills; attempt++) {
      // Attempt n is running (its reset row is written) and inside the sleep: kill its worker.
      await waitFor(
        `attempt ${attempt} to run`,
        () => toolRows(spec.workspaceId, 'sleep', 'tool_call').length === 1 && resets() === attempt - 1,
        90_000,
        50,
      );
      await worker.kill();
      process.stderr.write(`[durability] killed the worker during agent attempt ${attempt}\n`);
      worker = await newWorker();
    }
    await waitFor('turn 1 to finish', async () => (await handle.query(stateQuery)).turnsDone === 1, 120_000);
    expect(remoteCommits(repo.remote, spec.branch)).toEqual([spec.title]);
    expect(fs.readFileSync(path.join(spec.worktreePath, 'b.txt'), 'utf8')).toBe('b\n');
    const events = listEvents({ db, workspaceId: spec.workspaceId });
    expect(events.filter((e) => e.kind === 'agent.attempt_failed')).toEqual([]);
    expect(
      events.filter((e) => e.kind === 'activity.retry' && e.message.startsWith('Agent turn 1:')),
    ).toHaveLength(kills);
    await handle.signal(archiveSignal);
    expect((await handle.result()).archived).toBe(true);
  }, 420_000);

  it('completes when the Temporal dev server is restarted on the same db file mid-run', async () => {
    const repo = makeRepo();
    const spec = specFor(repo, addProject(db, repo), {
      agent: {
        script: [
          [
            { op: 'write', path: 'x.txt', content: 'x\n' },
            { op: 'sleep', ms: 4000 },
            { op: 'write', path: 'y.txt', content: 'y\n' },
          ],
        ],
      },
    });
    if (workers.every((w) => w.child.exitCode !== null || w.child.signalCode !== null)) await newWorker();
    const handle = await client.workflow.start('workspaceWorkflow', {
      workflowId: workflowIds.workspace(spec.workspaceId),
      taskQueue,
      args: [input(spec, { heartbeatTimeoutMs: 5000 })],
    });
    await waitFor(
      'the agent to reach its sleep step',
      () => toolRows(spec.workspaceId, 'sleep', 'tool_call').length === 1,
      90_000,
    );
    await server.restart();
    await waitFor(
      'turn 1 to finish',
      async () => (await handle.query(stateQuery)).turnsDone === 1,
      120_000,
      500,
    );
    expect(remoteCommits(repo.remote, spec.branch)).toEqual([spec.title]);
    expect(fs.readFileSync(path.join(spec.worktreePath, 'y.txt'), 'utf8')).toBe('y\n');
    await handle.signal(archiveSignal);
    expect((await handle.result()).archived).toBe(true);
  });
});
