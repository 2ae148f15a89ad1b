/**
 * The `acp` runner's per-turn cost with the real agents Ratchet ships presets for and can run
 * here, Gemini CLI (`gemini --acp`) and Codex (`codex-acp`), each against its loopback model API
 * (tests/support/fake-gemini.ts, fake-openai-responses.ts). The baseline is a raw round trip in
 * the same run: the SDK's bare client starting the same agent with the same environment,
 * `initialize`, `session/new`, one `session/prompt` of the same two-call script (a shell command
 * the agent asks about, answered "allow once", then a closing message), nothing recorded. Both
 * start the agent's process group per turn and kill it afterwards, as the runner does.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import * as acp from '@agentclientprotocol/sdk/unstable';
import { acpAgentEnv, createAcpRunner } from '../activities/agents/acp-runner.js';
import { ACP_PRESETS, type AcpAgentConfig } from '../core/acp.js';
import { agentConfigSchema } from '../core/agent.js';
import { FAKE_GEMINI_MODEL, startFakeGemini } from '../tests/support/fake-gemini.js';
import { startFakeResponses, writeCodexHome } from '../tests/support/fake-openai-responses.js';
import { makeSession } from './acp.js';
import { figure, median, type Figure } from './figure.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'node_modules/.bin');
const RUNS = 5;

interface Agent {
  name: 'gemini' | 'codex';
  config: AcpAgentConfig;
  /** A fresh fake model API with the two-call script, and the agent's environment for it. */
  start(worktree: string): Promise<{ env: Record<string, string>; close: () => Promise<void> }>;
}

const home = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

const AGENTS: Agent[] = [
  {
    name: 'gemini',
    config: { ...ACP_PRESETS.gemini!, modes: {} },
    async start() {
      const fake = await startFakeGemini([
        {
          type: 'reply',
          text: 'Writing out.txt.',
          calls: [
            {
              id: 'c1',
              name: 'run_shell_command',
              args: { command: 'echo x > out.txt', description: 'write' },
            },
          ],
        },
        { type: 'reply', text: 'Done.' },
      ]);
      return {
        env: {
          HOME: home('ratchet-bench-gemini-'),
          GEMINI_API_KEY: 'AIzaBenchKey',
          GOOGLE_GEMINI_BASE_URL: fake.url,
          GEMINI_MODEL: FAKE_GEMINI_MODEL,
        },
        close: () => fake.close(),
      };
    },
  },
  {
    name: 'codex',
    // No mode switch: Codex's `auto` / `read-only` presets need bubblewrap, missing here.
    config: { ...ACP_PRESETS.codex!, modes: {} },
    async start(worktree) {
      const fake = await startFakeResponses([
        {
          type: 'reply',
          text: 'Writing out.txt.',
          toolCalls: [
            { callId: 'c1', name: 'exec_command', arguments: { cmd: 'echo x > out.txt', workdir: worktree } },
          ],
        },
        { type: 'reply', text: 'Done.' },
      ]);
      return {
        env: {
          HOME: home('ratchet-bench-codex-'),
          OPENAI_API_KEY: 'sk-bench',
          CODEX_HOME: writeCodexHome(fake.url, home('ratchet-bench-codex-home-')),
        },
        close: () => fake.close(),
      };
    },
  },
];

const PATH = `${BIN}${path.delimiter}${process.env.PATH ?? ''}`;

async function runnerTurn(agent: Agent): Promise<number> {
  const h = makeSession();
  const model = await agent.start(h.worktree);
  const runner = createAcpRunner({ env: { PATH, ...model.env }, agents: { [agent.name]: agent.config } });
  const request = { ...h.request, config: agentConfigSchema.parse({ runner: 'acp', provider: agent.name }) };
  const t = performance.now();
  const result = await runner.run(request, h.context);
  const ms = performance.now() - t;
  await model.close();
  if (result.status !== 'completed' || h.read('out.txt') !== 'x\n')
    throw new Error(`${agent.name}: bench turn did not complete (${result.status})`);
  h.db.$client.close();
  return ms;
}

async function rawTurn(agent: Agent): Promise<number> {
  const h = makeSession();
  const model = await agent.start(h.worktree);
  const env = acpAgentEnv({ PATH, ...model.env }, agent.config);
  const t = performance.now();
  // Its own process group, killed whole: codex-acp's launcher runs the native binary as a child.
  const child = spawn(path.join(BIN, agent.config.command), agent.config.args, {
    cwd: h.worktree,
    env: env as unknown as NodeJS.ProcessEnv,
    detached: true,
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const app = acp
    .client({ name: 'bench' })
    .onNotification('session/update', () => {})
    .onRequest('session/request_permission', ({ params }) => {
      const once = params.options.find((o) => o.kind === 'allow_once');
      return once
        ? { outcome: { outcome: 'selected', optionId: once.optionId } }
        : { outcome: { outcome: 'cancelled' } };
    });
  const stream = acp.ndJsonStream(
    Writable.toWeb(child.stdin) as WritableStream<Uint8Array>,
    Readable.toWeb(child.stdout) as ReadableStream<Uint8Array>,
  );
  try {
    const stop = await app.connectWith(stream, async (conn) => {
      await conn.request('initialize', { protocolVersion: acp.PROTOCOL_VERSION, clientCapabilities: {} });
      const s = await conn.request('session/new', { cwd: h.worktree, mcpServers: [] });
      return conn.request('session/prompt', {
        sessionId: s.sessionId,
        prompt: [{ type: 'text', text: 'go' }],
      });
    });
    const ms = performance.now() - t;
    if (stop.stopReason !== 'end_turn' || h.read('out.txt') !== 'x\n')
      throw new Error(`${agent.name}: raw turn did not complete (${stop.stopReason})`);
    return ms;
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    await model.close();
    h.db.$client.close();
  }
}

async function withTimeout<T>(what: string, p: Promise<T>, ms = 120_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, limit]);
  } finally {
    clearTimeout(timer);
  }
}

export async function benchAcpReal(): Promise<Figure[]> {
  const out: Figure[] = [];
  for (const agent of AGENTS) {
    // Warm-up: module loading, the agent's first start (its caches, the native binary).
    await withTimeout(`${agent.name} warm-up`, runnerTurn(agent));
    await withTimeout(`${agent.name} warm-up`, rawTurn(agent));
    const ours: number[] = [];
    const raw: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      ours.push(await withTimeout(`${agent.name} runner turn`, runnerTurn(agent)));
      raw.push(await withTimeout(`${agent.name} raw turn`, rawTurn(agent)));
    }
    const o = median(ours);
    const r = median(raw);
    const baselineName = `raw round trip: bare SDK client, the same ${agent.name} and model script, nothing recorded`;
    out.push(
      figure({
        name: `acp runner, one turn with the real ${agent.name} (agent start, initialize, session/new, prompt: a shell command asked about and run, a closing message; median of ${RUNS})`,
        value: Number(o.toFixed(1)),
        unit: 'ms',
        baselineName,
        baseline: Number(r.toFixed(1)),
      }),
      figure({
        name: `acp runner overhead per turn with the real ${agent.name} (runner minus raw round trip)`,
        value: Number((o - r).toFixed(1)),
        unit: 'ms',
        baselineName,
        baseline: Number(r.toFixed(1)),
      }),
    );
  }
  return out;
}
