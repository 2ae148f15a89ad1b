/**
 * The acp runner inside the real worker process, driving the scripted ACP agent
 * (tests/support/fake-acp-agent.mjs, the SDK's agent side over stdio) configured by command line
 * in the config file. The worker is SIGKILLed mid-stream, after the agent's tool call ran and
 * while the agent is still streaming: the agent dies with it (watchdog), and the retried turn (a
 * new worker) resumes the agent's session with `session/load`, so the tool runs exactly once and
 * the turn commits once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { workflowIds } from '../../core/ids.js';
import type { Db } from '../../db/client.js';
import { getSession } from '../../db/queries/agent-sessions.js';
import { agentMessages } from '../../db/schema.js';
import { archiveSignal, stateQuery } from '../../workflows/messages.js';
import { makeRepo, remoteCommits } from '../support/git.js';
import { freePort } from '../support/ports.js';
import { startDevServerProcess, type DevServerProcess } from '../support/temporal.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { addProject, input, makeHome, specFor, waitFor } from '../support/workspace-harness.js';
import { fakeAcpCalls, processesIn, writeFakeAcpWorkerConfig } from '../support/fake-acp.js';

let server: DevServerProcess;
let connection: Connection;
let client: Client;
let db: Db;
let home: string;
const workers: WorkerProcess[] = [];
const taskQueue = `acp-session-${process.pid}`;
const fakeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-acp-worker-'));
const scriptFile = path.join(fakeDir, 'script.json');
const stateDir = path.join(fakeDir, 'state');

async function newWorker(): Promise<WorkerProcess> {
  const w = await startWorkerProcess({
    RATCHET_HOME: home,
    TEMPORAL_ADDRESS: server.address,
    RATCHET_TASK_QUEUE: taskQueue,
    RATCHET_LOG_LEVEL: 'warn',
    FAKE_ACP_SCRIPT: scriptFile,
    FAKE_ACP_STATE: stateDir,
  });
  workers.push(w);
  return w;
}

const calls = () => fakeAcpCalls(stateDir);

beforeAll(async () => {
  ({ db, home } = makeHome());
  writeFakeAcpWorkerConfig(home);
  server = await startDevServerProcess({ dbFile: path.join(home, 'temporal.db'), port: await freePort() });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
});

afterAll(async () => {
  for (const w of workers) await w.kill();
  await connection?.close();
  await server?.stop();
});

describe('acp agent session in the workspace workflow (real worker, scripted ACP agent)', () => {
  it('a worker SIGKILL mid-stream kills the agent, and the retried turn loads the session and runs the tool once', async () => {
    const repo = makeRepo();
    const spec = specFor(repo, addProject(db, repo), {
      prompt: 'Append "once" to count.txt',
      agent: { runner: 'acp', provider: 'fake' },
    });
    fs.writeFileSync(
      scriptFile,
      JSON.stringify({
        loadSession: true,
        steps: [
          { say: 'Appending.' },
          {
            tool: {
              id: 'call_once',
              title: 'append once',
              kind: 'execute',
              ask: true,
              rawInput: { command: 'sh -c "echo once >> count.txt"' },
              run: { command: 'sh', args: ['-c', 'echo once >> count.txt'] },
            },
          },
          { say: 'Still streaming', chunks: 3 },
          { sleep: 60_000 },
          { usage: { costUsd: 0.004, input: 700, output: 30 } },
          { say: 'Appended once.' },
          { end: 'end_turn' },
        ],
      }),
    );
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
    await waitFor(
      'the tool result, then the agent still streaming',
      () => rows().some((r) => r.role === 'tool_result') && calls().some((c) => c.method === 'tool'),
      90_000,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(processesIn(spec.worktreePath).length).toBeGreaterThan(0);
    await worker.kill();
    await waitFor(
      'the agent to die with its worker',
      () => processesIn(spec.worktreePath).length === 0,
      5000,
    );
    // The script would sleep 60 s: only a loaded session that skips on can finish in time.
    fs.writeFileSync(scriptFile, fs.readFileSync(scriptFile, 'utf8').replace('"sleep":60000', '"sleep":1'));
    worker = await newWorker();

    await waitFor(
      'turn 1 to finish',
      async () => (await handle.query(stateQuery)).turnsDone === 1,
      120_000,
      250,
    );
    expect(processesIn(spec.worktreePath)).toEqual([]);
    expect(fs.readFileSync(path.join(spec.worktreePath, 'count.txt'), 'utf8')).toBe('once\n');
    expect(calls().filter((c) => c.method === 'tool')).toHaveLength(1);
    expect(calls().filter((c) => c.method === 'session/load')).toHaveLength(1);
    expect(
      new Set(
        calls()
          .filter((c) => c.method === 'initialize')
          .map((c) => c.pid),
      ).size,
    ).toBe(2);
    expect(remoteCommits(repo.remote, spec.branch)).toEqual([spec.title]);
    const all = rows();
    expect(all.filter((r) => r.role === 'tool_result' && r.toolCallId === 'call_once')).toHaveLength(1);
    expect(all.filter((r) => r.role === 'reset')).toHaveLength(1);
    // The message being streamed when the worker died is the one thing lost (its chunks were not a
    // whole message yet); the loaded session's replay of the history is not recorded again.
    expect(
      all.filter((r) => r.role === 'assistant').map((r) => (r.content as { text: string }).text),
    ).toEqual(['Appending.', 'Appended once.']);
    const session = getSession({ db, id: sessionId });
    expect(session).toMatchObject({
      runner: 'acp',
      provider: 'fake-acp',
      inputTokens: 700,
      outputTokens: 30,
    });
    expect(session?.costUsd).toBeCloseTo(0.004, 12);

    await handle.signal(archiveSignal);
    expect((await handle.result()).archived).toBe(true);
  }, 240_000);
});
