/**
 * The acp runner inside the real worker process, driving the REAL Gemini CLI (`gemini --acp`,
 * the shipped preset unchanged, modes included) against the loopback Gemini API: a workspace turn
 * whose model streams text and makes a `run_shell_command` call, which Gemini runs in the worktree
 * after Ratchet's permission answer; the turn's change is committed and pushed, with the tokens
 * Gemini reported.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import { workflowIds } from '../../core/ids.js';
import type { Db } from '../../db/client.js';
import { getSession } from '../../db/queries/agent-sessions.js';
import { agentMessages } from '../../db/schema.js';
import { archiveSignal, stateQuery } from '../../workflows/messages.js';
import { FAKE_GEMINI_MODEL, startFakeGemini, type FakeGemini } from '../support/fake-gemini.js';
import { git, makeRepo, remoteCommits } from '../support/git.js';
import { freePort } from '../support/ports.js';
import { startDevServerProcess, type DevServerProcess } from '../support/temporal.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { addProject, input, makeHome, specFor, waitFor } from '../support/workspace-harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let server: DevServerProcess;
let connection: Connection;
let client: Client;
let db: Db;
let home: string;
let fake: FakeGemini;
let worker: WorkerProcess | undefined;
const taskQueue = `acp-gemini-${process.pid}`;

beforeAll(async () => {
  ({ db, home } = makeHome());
  server = await startDevServerProcess({ dbFile: path.join(home, 'temporal.db'), port: await freePort() });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
});

afterAll(async () => {
  await worker?.kill();
  await connection?.close();
  await server?.stop();
  await fake?.close();
});

describe('Gemini CLI in the workspace workflow (real worker, real agent)', () => {
  it('streams text, runs a shell command in the worktree and the change is committed', async () => {
    const repo = makeRepo({ prefix: 'ratchet-gemini-wf-repo-' });
    const spec = specFor(repo, addProject(db, repo), {
      prompt: 'Create hello.txt',
      agent: { runner: 'acp', provider: 'gemini' },
    });
    fake = await startFakeGemini([
      {
        type: 'reply',
        text: 'Creating hello.txt.',
        calls: [
          {
            id: 'wf',
            name: 'run_shell_command',
            args: { command: 'echo hello > hello.txt', description: 'write' },
          },
        ],
        usage: { prompt: 900, candidates: 40 },
      },
      { type: 'reply', text: 'Created hello.txt.', usage: { prompt: 1000, candidates: 10 } },
    ]);
    worker = await startWorkerProcess({
      RATCHET_HOME: home,
      TEMPORAL_ADDRESS: server.address,
      RATCHET_TASK_QUEUE: taskQueue,
      RATCHET_LOG_LEVEL: 'warn',
      PATH: `${path.join(ROOT, 'node_modules/.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
      HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-gemini-wf-user-')),
      GEMINI_API_KEY: 'AIzaGeminiWorkflowTestKey0001',
      GOOGLE_GEMINI_BASE_URL: fake.url,
      GEMINI_MODEL: FAKE_GEMINI_MODEL,
    });
    const handle = await client.workflow.start('workspaceWorkflow', {
      workflowId: workflowIds.workspace(spec.workspaceId),
      taskQueue,
      args: [input(spec, { heartbeatTimeoutMs: 10_000 })],
    });
    await waitFor(
      'turn 1 to finish',
      async () => (await handle.query(stateQuery)).turnsDone === 1,
      120_000,
      250,
    );
    fake.assertDone();
    const sessionId = `${spec.workspaceId}-t1-implement`;
    const rows = db
      .select()
      .from(agentMessages)
      .where(eq(agentMessages.sessionId, sessionId))
      .orderBy(agentMessages.seq)
      .all();
    expect(
      rows.filter((r) => r.role === 'assistant').map((r) => (r.content as { text: string }).text),
    ).toEqual(['Creating hello.txt.', 'Created hello.txt.']);
    expect(rows.filter((r) => r.role === 'tool_call').map((r) => r.toolCallId)).toEqual([
      'run_shell_command__wf',
    ]);
    const result = rows.find((r) => r.role === 'tool_result' && r.toolCallId === 'run_shell_command__wf');
    expect((result?.content as { ok: boolean }).ok).toBe(true);
    expect(remoteCommits(repo.remote, spec.branch)).toEqual([spec.title]);
    expect(git(repo.remote, 'show', `${spec.branch}:hello.txt`)).toBe('hello');
    // Gemini reports the turn's tokens (its `_meta.quota`), no dollars.
    expect(getSession({ db, id: sessionId })).toMatchObject({
      runner: 'acp',
      provider: 'google',
      inputTokens: 1900,
      outputTokens: 50,
      costUsd: 0,
    });

    await handle.signal(archiveSignal);
    expect((await handle.result()).archived).toBe(true);
  }, 240_000);
});
