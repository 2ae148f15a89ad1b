/**
 * ACP runner figures: the per-turn cost of the `acp` runner driving the scripted ACP agent
 * (tests/support/fake-acp-agent.mjs) against a raw round trip to the same fake: the SDK's bare
 * client starting the same agent process, `initialize`, `session/new`, one `session/prompt` of the
 * same script (chunks, a tool call with a permission ask and an fs write, usage) answered with
 * fixed replies and nothing recorded. Both start a process per turn, as the runner does; the
 * difference is what Ratchet adds (watchdog, durable rows, mode and confinement checks).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import * as acp from '@agentclientprotocol/sdk/unstable';
import { createAcpRunner } from '../activities/agents/acp-runner.js';
import { agentConfigSchema } from '../core/agent.js';
import { openDb } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { projects, workspaces } from '../db/schema.js';
import { createTranscript, ensureSession } from '../activities/agents/transcript.js';
import type { AgentTurnRequest, RunnerContext } from '../activities/agents/runner.js';
import { figure, median, type Figure } from './figure.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FAKE = path.join(ROOT, 'tests/support/fake-acp-agent.mjs');
const RUNS = 7;

let n = 0;

/** A worktree directory and a session in a migrated SQLite file (what the worker's activity has). */
export function makeSession() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-bench-acp-ws-'));
  const worktree = path.join(root, 'wt');
  fs.mkdirSync(worktree);
  const dbFile = path.join(root, 'ratchet.db');
  migrateDatabase(dbFile);
  const db = openDb(dbFile);
  const id = `b${++n}`;
  db.insert(projects)
    .values({ id: `p_${id}`, name: 'bench', repoPath: root })
    .run();
  db.insert(workspaces)
    .values({
      id: `w_${id}`,
      projectId: `p_${id}`,
      title: 'bench',
      prompt: 'go',
      branch: 'ratchet/bench',
      baseBranch: 'main',
      worktreePath: worktree,
      status: 'running_agent',
      agentConfig: {},
      workflowId: `workspace/w_${id}`,
    })
    .run();
  ensureSession(db, {
    id: `s_${id}`,
    workspaceId: `w_${id}`,
    purpose: 'implement',
    runner: 'acp',
    mode: 'agent',
  });
  const transcript = createTranscript(db, `s_${id}`);
  const request: AgentTurnRequest = {
    workspaceId: `w_${id}`,
    turn: 1,
    sessionId: `s_${id}`,
    purpose: 'implement',
    worktreePath: worktree,
    prompt: 'go',
    systemPrompt: '',
    config: agentConfigSchema.parse({ runner: 'acp' }),
  };
  const context: RunnerContext = {
    transcript,
    heartbeat: () => {},
    signal: new AbortController().signal,
    attempt: 1,
    resumeFromSeq: 0,
    budget: { remainingUsd: null },
  };
  return {
    db,
    worktree,
    request,
    context,
    read: (f: string) => fs.readFileSync(path.join(worktree, f), 'utf8'),
  };
}

function script(worktree: string) {
  return {
    loadSession: true,
    steps: [
      { say: 'Writing the file now, in ten chunks of text.', chunks: 10 },
      {
        tool: {
          id: 'w',
          title: 'write out.txt',
          kind: 'edit',
          ask: true,
          locations: [{ path: path.join(worktree, 'out.txt') }],
          write: { path: path.join(worktree, 'out.txt'), content: 'x\n' },
        },
      },
      { usage: { costUsd: 0.001, input: 100, output: 10 } },
      { say: 'Done.' },
      { end: 'end_turn' },
    ],
  };
}

function fakeEnv(worktree: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-bench-acp-'));
  const file = path.join(dir, 'script.json');
  fs.writeFileSync(file, JSON.stringify(script(worktree)));
  return { FAKE_ACP_SCRIPT: file, FAKE_ACP_STATE: path.join(dir, 'state') };
}

async function runnerTurn(): Promise<number> {
  const h = makeSession();
  const env = { PATH: process.env.PATH, HOME: os.tmpdir(), ...fakeEnv(h.worktree) };
  const runner = createAcpRunner({
    env,
    agents: {
      fake: {
        command: FAKE,
        args: [],
        passEnv: ['FAKE_ACP_SCRIPT', 'FAKE_ACP_STATE'],
        modes: { agent: 'default' },
        systemPrompt: 'inline',
      },
    },
    defaultAgent: 'fake',
  });
  const t = performance.now();
  const result = await runner.run(h.request, h.context);
  const ms = performance.now() - t;
  if (result.status !== 'completed' || h.read('out.txt') !== 'x\n')
    throw new Error('bench turn did not complete');
  h.db.$client.close();
  return ms;
}

async function rawTurn(): Promise<number> {
  const h = makeSession();
  // The runner's environment (no NODE_OPTIONS loader from tsx), so both start the same process.
  const env = { PATH: process.env.PATH, HOME: os.tmpdir(), ...fakeEnv(h.worktree) };
  const t = performance.now();
  const child = spawn(FAKE, [], {
    cwd: h.worktree,
    env: env as unknown as NodeJS.ProcessEnv,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const app = acp
    .client({ name: 'bench' })
    .onNotification('session/update', () => {})
    .onRequest('session/request_permission', () => ({ outcome: { outcome: 'selected', optionId: 'once' } }))
    .onRequest('fs/write_text_file', async ({ params }) => {
      fs.writeFileSync(params.path, params.content);
      return {};
    });
  const stream = acp.ndJsonStream(
    Writable.toWeb(child.stdin) as WritableStream<Uint8Array>,
    Readable.toWeb(child.stdout) as ReadableStream<Uint8Array>,
  );
  const stop = await app.connectWith(stream, async (agent) => {
    await agent.request('initialize', {
      protocolVersion: acp.PROTOCOL_VERSION,
      clientCapabilities: { fs: { writeTextFile: true } },
    });
    const s = await agent.request('session/new', { cwd: h.worktree, mcpServers: [] });
    return agent.request('session/prompt', {
      sessionId: s.sessionId,
      prompt: [{ type: 'text', text: 'go' }],
    });
  });
  child.kill('SIGKILL');
  const ms = performance.now() - t;
  if (stop.stopReason !== 'end_turn' || h.read('out.txt') !== 'x\n')
    throw new Error('raw turn did not complete');
  h.db.$client.close();
  return ms;
}

export async function benchAcp(): Promise<Figure[]> {
  // Warm-up: module loading and the first process start.
  await runnerTurn();
  await rawTurn();
  const ours: number[] = [];
  const raw: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    ours.push(await runnerTurn());
    raw.push(await rawTurn());
  }
  const o = median(ours);
  const r = median(raw);
  return [
    figure({
      name: `acp runner, one turn against the scripted ACP agent (agent start, initialize, session/new, set_mode, prompt with 11 chunks, a permission ask and an fs write; median of ${RUNS})`,
      value: Number(o.toFixed(1)),
      unit: 'ms',
      baselineName: 'raw round trip: bare SDK client, same agent and script, nothing recorded',
      baseline: Number(r.toFixed(1)),
    }),
    figure({
      name: 'acp runner overhead per turn (runner minus raw round trip)',
      value: Number((o - r).toFixed(1)),
      unit: 'ms',
      baselineName: 'raw round trip: bare SDK client, same agent and script',
      baseline: Number(r.toFixed(1)),
    }),
  ];
}
