/**
 * MCP stdio servers under the parent-death watchdog: the real worker process runs the anthropic
 * runner (loopback Messages API) with the project's approved stdio MCP server
 * (tests/support/mcp-probe-server.mjs). The model calls the server's `wait` tool, and the worker
 * is SIGKILLed while that call is in flight. The server's pending call keeps it alive after its
 * stdin closes, so only the watchdog can stop it: no process of it may remain (pid probe).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { readMcpConfig } from '../../activities/agents/mcp.js';
import { workflowIds } from '../../core/ids.js';
import type { Db } from '../../db/client.js';
import { recordScriptTrust } from '../../db/queries/script-trust.js';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';
import { processesIn } from '../support/fake-acp.js';
import { git, makeRepo } from '../support/git.js';
import { freePort } from '../support/ports.js';
import { startDevServerProcess, type DevServerProcess } from '../support/temporal.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { addProject, input, makeHome, specFor, waitFor } from '../support/workspace-harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PROBE = path.join(ROOT, 'tests/support/mcp-probe-server.mjs');
let server: DevServerProcess;
let connection: Connection;
let client: Client;
let db: Db;
let home: string;
let fake: FakeAnthropic;
const workers: WorkerProcess[] = [];
const taskQueue = `mcp-watchdog-${process.pid}`;
const probeLog = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-mcp-watchdog-')), 'probe.log');

const probeEntries = () =>
  fs.existsSync(probeLog)
    ? fs
        .readFileSync(probeLog, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { event: string; tool?: string; pid: number })
    : [];
const alive = (pid: number) => {
  try {
    const state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== undefined && state !== 'Z';
  } catch {
    return false;
  }
};

beforeAll(async () => {
  ({ db, home } = makeHome());
  fake = await startFakeAnthropic([
    {
      type: 'reply',
      text: 'Waiting on the server.',
      toolCalls: [{ id: 'toolu_wait', name: 'mcp__probe__wait', input: { seconds: 120 } }],
      usage: { input_tokens: 300, output_tokens: 20 },
    },
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

describe('MCP stdio servers of the built-in tool loop (real worker process)', () => {
  it('a worker SIGKILL while an MCP tool call is in flight leaves no process of the server', async () => {
    const repo = makeRepo({ prefix: 'ratchet-mcp-watchdog-repo-' });
    fs.mkdirSync(path.join(repo.repo, '.ratchet'));
    fs.writeFileSync(
      path.join(repo.repo, '.ratchet', 'config.json'),
      JSON.stringify({
        mcpServers: { probe: { command: process.execPath, args: [PROBE], env: ['PROBE_LOG'] } },
      }),
    );
    git(repo.repo, 'add', '-A');
    git(repo.repo, 'commit', '--quiet', '-m', 'mcp server');
    git(repo.repo, 'push', '--quiet', 'origin', 'main');
    const projectId = addProject(db, repo);
    const cfg = readMcpConfig(repo.repo);
    if (cfg.state !== 'ok') throw new Error(`config ${cfg.state}`);
    recordScriptTrust({
      db,
      row: {
        projectId,
        kind: 'mcp',
        sha256: cfg.sha256,
        script: cfg.text,
        decision: 'approved',
        workspaceId: null,
      },
    });
    const spec = specFor(repo, projectId, {
      prompt: 'Wait on the probe server',
      agent: { runner: 'anthropic', model: 'claude-sonnet-4-6' },
    });

    const worker = await startWorkerProcess({
      RATCHET_HOME: home,
      TEMPORAL_ADDRESS: server.address,
      RATCHET_TASK_QUEUE: taskQueue,
      RATCHET_LOG_LEVEL: 'warn',
      ANTHROPIC_API_KEY: 'sk-ant-test-key-mcp-watchdog',
      ANTHROPIC_BASE_URL: fake.url,
      PROBE_LOG: probeLog,
    });
    workers.push(worker);
    const handle = await client.workflow.start('workspaceWorkflow', {
      workflowId: workflowIds.workspace(spec.workspaceId),
      taskQueue,
      args: [input(spec, { heartbeatTimeoutMs: 3000 })],
    });
    const call = await waitFor(
      'the MCP tool call to be in flight',
      () => probeEntries().find((e) => e.event === 'call' && e.tool === 'wait'),
      90_000,
    );
    const serverPid = call.pid;
    expect(alive(serverPid)).toBe(true);
    // The server runs in the worktree, under its guard (two processes there, both ours).
    expect(processesIn(spec.worktreePath)).toContain(serverPid);

    await worker.kill();
    await waitFor(
      'the MCP server to die with its worker',
      () => !alive(serverPid) && processesIn(spec.worktreePath).length === 0,
      5000,
      50,
    );
    expect(probeEntries().filter((e) => e.event === 'start')).toHaveLength(1);
    await handle.terminate('test done');
  }, 240_000);
});
