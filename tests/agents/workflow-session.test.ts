/**
 * The anthropic runner inside the real worker process, against a loopback Messages API: the worker
 * is SIGKILLed while the model streams its answer to an executed tool call. A new worker retries
 * the agent turn, resumes from the SQLite transcript (the command is not run again), and the
 * workspace commits and pushes once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { workflowIds } from '../../core/ids.js';
import type { Db } from '../../db/client.js';
import { listEvents } from '../../db/queries/workspaces.js';
import { agentMessages } from '../../db/schema.js';
import { archiveSignal, stateQuery } from '../../workflows/messages.js';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';
import { makeRepo, remoteCommits } from '../support/git.js';
import { freePort } from '../support/ports.js';
import { startDevServerProcess, type DevServerProcess } from '../support/temporal.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { addProject, input, makeHome, specFor, waitFor } from '../support/workspace-harness.js';

let server: DevServerProcess;
let connection: Connection;
let client: Client;
let db: Db;
let home: string;
let fake: FakeAnthropic;
const workers: WorkerProcess[] = [];
const taskQueue = `agent-session-${process.pid}`;
const CALL_ID = 'toolu_append_once';

async function newWorker(): Promise<WorkerProcess> {
  const w = await startWorkerProcess({
    RATCHET_HOME: home,
    TEMPORAL_ADDRESS: server.address,
    RATCHET_TASK_QUEUE: taskQueue,
    RATCHET_LOG_LEVEL: 'warn',
    ANTHROPIC_API_KEY: 'sk-ant-test-key',
    ANTHROPIC_BASE_URL: fake.url,
  });
  workers.push(w);
  return w;
}

beforeAll(async () => {
  ({ db, home } = makeHome());
  fake = await startFakeAnthropic([
    {
      type: 'reply',
      text: 'Appending a line.',
      toolCalls: [{ id: CALL_ID, name: 'run_command', input: { command: 'echo line >> appended.txt' } }],
      usage: { input_tokens: 1000, output_tokens: 100 },
    },
    // The answer to the tool result starts streaming and never finishes: the worker dies here.
    { type: 'hang' },
    // The retried attempt's request gets a normal completion.
    { type: 'reply', text: 'Appended the line.', usage: { input_tokens: 1200, output_tokens: 20 } },
  ]);
  server = await startDevServerProcess({ dbFile: path.join(home, 'temporal.db'), port: await freePort() });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
});

afterAll(async () => {
  for (const w of workers) await w.kill();
  await connection?.close();
  await server?.stop();
  await fake?.close();
});

describe('anthropic agent session in the workspace workflow', () => {
  it('survives SIGKILL of the worker mid-stream after a tool ran: resumes from the transcript, one tool run, one commit', async () => {
    const repo = makeRepo();
    const spec = specFor(repo, addProject(db, repo), {
      prompt: 'Append a line to appended.txt',
      agent: { runner: 'anthropic', model: 'claude-sonnet-4-6' },
    });
    const sessionId = `${spec.workspaceId}-t1-implement`;
    const rows = () =>
      db
        .select()
        .from(agentMessages)
        .where(eq(agentMessages.sessionId, sessionId))
        .orderBy(agentMessages.seq)
        .all();

    let worker = await newWorker();
    const handle = await client.workflow.start('workspaceWorkflow', {
      workflowId: workflowIds.workspace(spec.workspaceId),
      taskQueue,
      args: [input(spec, { heartbeatTimeoutMs: 3000 })],
    });

    // The command ran and its result is stored; the second model call is streaming (and stalls).
    await waitFor('the second model request', () => fake.requests.length === 2, 90_000);
    await waitFor('the tool result row', () => rows().some((r) => r.role === 'tool_result'), 10_000);
    expect(fs.readFileSync(path.join(spec.worktreePath, 'appended.txt'), 'utf8')).toBe('line\n');
    await worker.kill();
    worker = await newWorker();

    await waitFor(
      'turn 1 to finish',
      async () => (await handle.query(stateQuery)).turnsDone === 1,
      90_000,
      250,
    );
    expect(fake.requests).toHaveLength(3);
    fake.assertDone();

    // The command ran once; the retried request replays the same conversation the stalled one sent.
    expect(fs.readFileSync(path.join(spec.worktreePath, 'appended.txt'), 'utf8')).toBe('line\n');
    const second = fake.requests[1]?.body as { messages: unknown[] };
    const third = fake.requests[2]?.body as { messages: unknown[] };
    expect(third.messages).toEqual(second.messages);

    const stored = rows();
    expect(stored.map((r) => r.role).join(' ')).toBe('user assistant tool_call tool_result reset assistant');
    expect(stored.filter((r) => r.role === 'tool_result' && r.toolCallId === CALL_ID)).toHaveLength(1);
    expect(stored.find((r) => r.role === 'reset')?.content).toMatchObject({ attempt: 2 });

    const retries = listEvents({ db, workspaceId: spec.workspaceId }).filter(
      (e) => e.kind === 'activity.retry',
    );
    expect(retries.map((e) => e.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Agent turn 1: attempt 2/)]),
    );

    expect(remoteCommits(repo.remote, spec.branch)).toEqual([spec.title]);
    const state = await handle.query(stateQuery);
    expect(state.status).toBe('idle');
    expect(state.lastCommit).toMatch(/^[0-9a-f]{40}$/);

    await handle.signal(archiveSignal);
    expect((await handle.result()).archived).toBe(true);
    expect(remoteCommits(repo.remote, spec.branch)).toEqual([spec.title]);
  }, 240_000);
});
