/**
 * The claude-code runner inside the real worker process, running the REAL Claude Code CLI against
 * the loopback Messages API. The worker is SIGKILLed while the model call that returns a tool call
 * is in flight: the CLI must die with it (no process left in the worktree), and the retried turn
 * (a new worker, `--resume`) runs the tool exactly once and commits once. The fake answers the
 * killed attempt's call late, so a surviving CLI would run the tool a second time.
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
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';
import { makeRepo, remoteCommits } from '../support/git.js';
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
let fake: FakeAnthropic;
const workers: WorkerProcess[] = [];
const taskQueue = `claude-code-session-${process.pid}`;
const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-claude-config-'));
const append = {
  id: 'toolu_once',
  name: 'Bash',
  input: { command: 'echo once >> count.txt', description: 'append' },
};

async function newWorker(): Promise<WorkerProcess> {
  const w = await startWorkerProcess({
    RATCHET_HOME: home,
    TEMPORAL_ADDRESS: server.address,
    RATCHET_TASK_QUEUE: taskQueue,
    RATCHET_LOG_LEVEL: 'warn',
    ANTHROPIC_API_KEY: 'sk-ant-test-key-real-cli',
    ANTHROPIC_BASE_URL: fake.url,
    PATH: `${path.join(ROOT, 'node_modules/.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
    CLAUDE_CONFIG_DIR: configDir,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
  });
  workers.push(w);
  return w;
}

/** Live processes whose working directory is `dir`. */
function processesIn(dir: string): number[] {
  const real = fs.realpathSync(dir);
  return fs.readdirSync('/proc').flatMap((e) => {
    if (!/^[0-9]+$/.test(e)) return [];
    try {
      const state = fs.readFileSync(`/proc/${e}/stat`, 'utf8').split(') ')[1]?.[0];
      return state !== 'Z' && fs.readlinkSync(`/proc/${e}/cwd`) === real ? [Number(e)] : [];
    } catch {
      return [];
    }
  });
}

beforeAll(async () => {
  ({ db, home } = makeHome());
  fake = await startFakeAnthropic([
    // The first attempt's call: answered after the worker is dead.
    {
      type: 'reply',
      text: 'Appending.',
      toolCalls: [append],
      delayMs: 8000,
      usage: { input_tokens: 900, output_tokens: 60 },
    },
    {
      type: 'reply',
      text: 'Appending.',
      toolCalls: [append],
      usage: { input_tokens: 1000, output_tokens: 70 },
    },
    { type: 'reply', text: 'Appended once.', usage: { input_tokens: 1100, output_tokens: 30 } },
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

describe('claude-code agent session in the workspace workflow (real CLI)', () => {
  it('a worker SIGKILL while the tool call is in flight leaves no CLI, and the retried turn runs the tool once', async () => {
    const repo = makeRepo();
    const spec = specFor(repo, addProject(db, repo), {
      prompt: 'Append "once" to count.txt',
      agent: { runner: 'claude-code', model: 'claude-sonnet-4-6' },
    });
    const sessionId = `${spec.workspaceId}-t1-implement`;
    const rows = () =>
      db
        .select()
        .from(agentMessages)
        .where(eq(agentMessages.sessionId, sessionId))
        .orderBy(agentMessages.seq)
        .all();
    const kinds = () =>
      rows().flatMap((r) => (r.role === 'system' ? [(r.content as { kind: string }).kind] : []));

    let worker = await newWorker();
    const handle = await client.workflow.start('workspaceWorkflow', {
      workflowId: workflowIds.workspace(spec.workspaceId),
      taskQueue,
      args: [input(spec, { heartbeatTimeoutMs: 3000 })],
    });
    await waitFor(
      'the first model request',
      () => fake.requests.length === 1 && kinds().includes('cli_init'),
      90_000,
    );
    expect(processesIn(spec.worktreePath).length).toBeGreaterThan(0);
    await worker.kill();
    await waitFor('the CLI to die with its worker', () => processesIn(spec.worktreePath).length === 0, 5000);
    worker = await newWorker();

    await waitFor(
      'turn 1 to finish',
      async () => (await handle.query(stateQuery)).turnsDone === 1,
      120_000,
      250,
    );
    // Past the late answer to the dead attempt's call: nobody took it.
    await new Promise((r) => setTimeout(r, 9000));
    expect(fake.requests).toHaveLength(3);
    fake.assertDone();
    expect(processesIn(spec.worktreePath)).toEqual([]);
    expect(remoteCommits(repo.remote, spec.branch)).toEqual([spec.title]);
    expect(fs.readFileSync(path.join(spec.worktreePath, 'count.txt'), 'utf8')).toBe('once\n');
    expect(rows().filter((r) => r.role === 'tool_result' && r.toolCallId === 'toolu_once')).toHaveLength(1);
    // The resumed run's figures as the CLI reported them; the killed attempt's call was never answered.
    const session = getSession({ db, id: sessionId });
    expect(session).toMatchObject({ inputTokens: 2100, outputTokens: 100 });
    expect(session?.costUsd).toBeCloseTo((2100 * 3 + 100 * 15) / 1e6, 12);

    await handle.signal(archiveSignal);
    expect((await handle.result()).archived).toBe(true);
  }, 240_000);
});
