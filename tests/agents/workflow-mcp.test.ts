/**
 * MCP servers through the real workspace workflow and agent activity (time-skipping server,
 * in-process worker, real git, real SQLite, the anthropic runner aimed at a loopback Messages
 * API): a repository whose `.ratchet/config.json` names a stdio MCP server gets no server until the
 * project approves that config; once it does, the next workspace's agent calls the server's tool,
 * and what the tool wrote is committed and pushed with the turn.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import { createAnthropicRunner } from '../../activities/agents/anthropic-runner.js';
import { readMcpConfig } from '../../activities/agents/mcp.js';
import { createToolbox } from '../../activities/agents/tools/index.js';
import { workflowIds } from '../../core/ids.js';
import type { WorkspaceSpec } from '../../core/workspace.js';
import type { Db } from '../../db/client.js';
import { recordScriptTrust } from '../../db/queries/script-trust.js';
import { agentMessages } from '../../db/schema.js';
import { archiveSignal, stateQuery } from '../../workflows/messages.js';
import { createActivities } from '../../worker/activities.js';
import { WORKFLOWS_ENTRY } from '../../worker/bundle.js';
import { loadConfig } from '../../worker/env.js';
import { workerInterceptors } from '../../worker/interceptors.js';
import { startFakeAnthropic, type FakeAnthropicTurn } from '../support/fake-anthropic.js';
import { git, makeRepo, remoteCommits } from '../support/git.js';
import { startTimeSkippingServer } from '../support/temporal.js';
import { addProject, input, makeHome, specFor, waitFor } from '../support/workspace-harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PROBE = path.join(ROOT, 'tests/support/mcp-probe-server.mjs');
const PROBE_KEY = 'probe-secret-in-the-worker-env-0123';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let db: Db;
let home: string;
const taskQueue = `agent-mcp-${process.pid}`;
const probeLog = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-wf-mcp-')), 'probe.log');

beforeAll(async () => {
  env = await startTimeSkippingServer();
  bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY });
  ({ db, home } = makeHome());
  // The worker's environment, where the config's variable NAMES are looked up.
  process.env.PROBE_API_KEY = PROBE_KEY;
  process.env.PROBE_LOG = probeLog;
}, 120_000);

afterAll(async () => {
  delete process.env.PROBE_API_KEY;
  delete process.env.PROBE_LOG;
  await env?.teardown();
});

async function runWorkspace(spec: WorkspaceSpec, script: FakeAnthropicTurn[]) {
  const fake = await startFakeAnthropic(script);
  const anthropic = createAnthropicRunner({
    apiKey: 'sk-ant-test-key',
    baseURL: fake.url,
    makeToolbox: ({ worktree, mode }) => createToolbox({ worktree, mode, env: process.env }),
    env: process.env,
  });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: createActivities({
      db,
      config: loadConfig({ RATCHET_HOME: home }),
      extraRunners: { anthropic },
    }),
    interceptors: workerInterceptors(db),
  });
  try {
    return await worker.runUntil(async () => {
      const handle: WorkflowHandle = await env.client.workflow.start('workspaceWorkflow', {
        workflowId: workflowIds.workspace(spec.workspaceId),
        taskQueue,
        args: [input(spec, { heartbeatTimeoutMs: 10_000 })],
      });
      await waitFor('idle', async () => (await handle.query(stateQuery)).status === 'idle', 90_000);
      await handle.signal(archiveSignal);
      await handle.result();
      return fake.requests.map((r) => r.body as { tools: Array<{ name: string }> });
    });
  } finally {
    await fake.close();
  }
}

const rowsOf = (spec: WorkspaceSpec) =>
  db
    .select()
    .from(agentMessages)
    .where(eq(agentMessages.sessionId, `${spec.workspaceId}-t1-implement`))
    .orderBy(agentMessages.seq)
    .all();

describe('MCP servers in the workspace workflow', () => {
  it('an unapproved config starts nothing; after approval the agent calls the server and its write is pushed', async () => {
    const repo = makeRepo({ prefix: 'ratchet-wf-mcp-repo-' });
    fs.mkdirSync(path.join(repo.repo, '.ratchet'));
    fs.writeFileSync(
      path.join(repo.repo, '.ratchet', 'config.json'),
      JSON.stringify({
        mcpServers: {
          probe: { command: process.execPath, args: [PROBE], env: ['PROBE_API_KEY', 'PROBE_LOG'] },
        },
      }),
    );
    git(repo.repo, 'add', '-A');
    git(repo.repo, 'commit', '--quiet', '-m', 'mcp servers');
    git(repo.repo, 'push', '--quiet', 'origin', 'main');
    const projectId = addProject(db, repo);
    const agent = { runner: 'anthropic' as const, model: 'claude-sonnet-4-6' };

    const first = specFor(repo, projectId, { title: 'Without approval', agent });
    const firstBodies = await runWorkspace(first, [{ type: 'reply', text: 'Nothing recorded.' }]);
    expect(firstBodies[0]!.tools.some((t) => t.name.startsWith('mcp__'))).toBe(false);
    const note = rowsOf(first).find((r) => r.role === 'system')?.content as { kind: string; text: string };
    expect(note.kind).toBe('mcp_not_started');
    expect(note.text).toMatch(/^MCP servers not started \(probe\): .* is not approved for the project/);
    expect(fs.existsSync(probeLog)).toBe(false);

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

    const second = specFor(repo, projectId, { title: 'With approval', agent });
    const bodies = await runWorkspace(second, [
      {
        type: 'reply',
        toolCalls: [{ id: 'toolu_wf_rec', name: 'mcp__probe__record', input: { line: 'wf' } }],
      },
      { type: 'reply', text: 'Recorded through MCP.' },
    ]);
    expect(bodies[0]!.tools.map((t) => t.name)).toEqual(expect.arrayContaining(['mcp__probe__record']));
    const result = rowsOf(second).find((r) => r.role === 'tool_result');
    expect(result).toMatchObject({
      toolName: 'mcp__probe__record',
      content: { ok: true, output: 'recorded wf' },
    });
    expect(rowsOf(second).some((r) => r.role === 'system')).toBe(false);
    expect(remoteCommits(repo.remote, second.branch)).toHaveLength(1);
    expect(git(repo.remote, 'show', `${second.branch}:mcp-record.txt`)).toBe('wf');
    const calls = fs
      .readFileSync(probeLog, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string });
    expect(calls.filter((c) => c.event === 'call')).toHaveLength(1);
    expect(JSON.stringify(rowsOf(second))).not.toContain(PROBE_KEY);
  }, 240_000);
});
