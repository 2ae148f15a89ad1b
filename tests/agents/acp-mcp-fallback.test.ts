/**
 * The acp runner with MCP servers, budgets and the fallback runner, against the scripted ACP agent
 * (tests/support/fake-acp-agent.mjs, the SDK's agent side over stdio):
 * - the approved MCP servers reach `session/new` (and `session/load` on a retry) as `mcpServers`;
 *   the agent starts the real stdio MCP server from them and calls its tool; plan mode sends none;
 * - the budget is checked before the prompt turn and on every usage update, and a stop sends
 *   `session/cancel`;
 * - an acp agent whose command fails is served by the fallback runner after N failed attempts,
 *   built by the worker's own registry exactly as for the other runners.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApplicationFailure } from '@temporalio/common';
import { afterEach, describe, expect, it } from 'vitest';
import { createAcpRunner } from '../../activities/agents/acp-runner.js';
import { createRunners } from '../../activities/agents/registry.js';
import type { AcpAgentConfig } from '../../core/acp.js';
import { parseEnv, resolveConfig } from '../../core/config.js';
import type { ResolvedMcpServer } from '../../core/mcp.js';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';
import { makeHarness } from '../support/runners-harness.js';
import { fakeAcpAgentConfig } from '../support/fake-acp.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PROBE = path.join(ROOT, 'tests/support/mcp-probe-server.mjs');
const PROBE_KEY = 'probe-secret-for-acp-0123456789abcd';

type Step = Record<string, unknown>;
type Call = Record<string, unknown> & { method: string };

const fakes: FakeAnthropic[] = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.close();
});

function setup(steps: Step[], opts: { loadSession?: boolean } = {}) {
  const h = makeHarness();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-acp-mcp-'));
  const scriptFile = path.join(dir, 'script.json');
  fs.writeFileSync(scriptFile, JSON.stringify({ loadSession: opts.loadSession ?? false, steps }));
  const state = path.join(dir, 'state');
  const probeLog = path.join(dir, 'probe.log');
  const agent: AcpAgentConfig = fakeAcpAgentConfig();
  const env = {
    PATH: process.env.PATH,
    HOME: os.tmpdir(),
    FAKE_ACP_SCRIPT: scriptFile,
    FAKE_ACP_STATE: state,
  };
  const runner = createAcpRunner({
    env,
    agents: { fake: agent },
    defaultAgent: 'fake',
    heartbeatMs: 50,
    cancelGraceMs: 2000,
  });
  const calls = (): Call[] =>
    fs.existsSync(path.join(state, 'calls.log'))
      ? fs
          .readFileSync(path.join(state, 'calls.log'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Call)
      : [];
  const probe: ResolvedMcpServer = {
    name: 'probe',
    type: 'stdio',
    command: process.execPath,
    args: [PROBE],
    env: { PROBE_API_KEY: PROBE_KEY, PROBE_LOG: probeLog },
  };
  return { h, runner, calls, probe, probeLog, agent, env };
}

describe('acp runner: MCP servers', () => {
  it('passes the approved servers in session/new and session/load; the agent starts one and calls its tool', async () => {
    const s = setup(
      [
        { say: 'Asking the probe.' },
        {
          tool: {
            id: 'call_mcp',
            title: 'probe lookup',
            kind: 'fetch',
            mcp: { server: 'probe', tool: 'lookup', arguments: { key: 'acp' } },
          },
        },
        { crash: true },
        { say: 'The probe says 42.' },
        { end: 'end_turn' },
      ],
      { loadSession: true },
    );
    const req = { ...s.h.request({ runner: 'acp' }), mcpServers: [s.probe] };
    const err = await s.runner.run(req, s.h.context()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    const result = await s.runner.run(req, s.h.context({ attempt: 2 }));
    expect(result).toMatchObject({ status: 'completed', summary: 'The probe says 42.' });

    const expected = [
      { name: 'probe', type: 'stdio', command: process.execPath, envNames: ['PROBE_API_KEY', 'PROBE_LOG'] },
    ];
    const sessionCalls = s.calls().filter((c) => c.method === 'session/new' || c.method === 'session/load');
    expect(sessionCalls.map((c) => [c.method, c.mcpServers])).toEqual([
      ['session/new', expected],
      ['session/load', expected],
    ]);
    const card = s.h.rows().find((r) => r.role === 'tool_result' && r.toolCallId === 'call_mcp');
    expect(JSON.stringify(card?.content)).toContain('value of acp: 42 (key ok)');
    const probeCalls = fs
      .readFileSync(s.probeLog, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; cwd?: string });
    expect(probeCalls.filter((e) => e.event === 'call')).toHaveLength(1);
    expect(fs.realpathSync(probeCalls[0]!.cwd!)).toBe(fs.realpathSync(s.h.worktree));
    expect(JSON.stringify(s.h.rows())).not.toContain(PROBE_KEY);
  });

  it('plan mode sends no MCP servers', async () => {
    const s = setup([{ say: 'Plan.' }, { end: 'end_turn' }]);
    await s.runner.run(
      { ...s.h.request({ runner: 'acp', mode: 'plan' }), mcpServers: [s.probe] },
      s.h.context(),
    );
    expect(s.calls().find((c) => c.method === 'session/new')?.mcpServers).toEqual([]);
  });

  it('an http server is not passed to an agent without mcpCapabilities.http, and the transcript says so', async () => {
    const s = setup([{ end: 'end_turn' }]);
    const web: ResolvedMcpServer = {
      name: 'web',
      type: 'http',
      url: 'http://127.0.0.1:9/mcp',
      headers: { Authorization: 'Bearer x-secret-value' },
    };
    await s.runner.run({ ...s.h.request({ runner: 'acp' }), mcpServers: [s.probe, web] }, s.h.context());
    expect(
      (s.calls().find((c) => c.method === 'session/new')?.mcpServers as Array<{ name: string }>).map(
        (m) => m.name,
      ),
    ).toEqual(['probe']);
    const note = s.h
      .rows()
      .find((r) => r.role === 'system' && (r.content as { kind: string }).kind === 'mcp_unavailable');
    expect((note?.content as { text: string }).text).toBe(
      'MCP servers not passed (the agent takes no http servers): web',
    );
  });
});

describe('acp runner: budget', () => {
  it('a spent budget stops before the prompt turn: no agent process, no prompt', async () => {
    const s = setup([{ say: 'never' }, { end: 'end_turn' }]);
    s.h.budgetCapUsd = 0;
    const result = await s.runner.run(s.h.request({ runner: 'acp' }), s.h.context());
    expect(result.status).toBe('awaiting_budget');
    expect(s.calls()).toEqual([]);
  });

  it('every usage update is checked: the update that crosses the cap cancels the session, later steps never run', async () => {
    const s = setup([
      { usage: { costUsd: 0.1, input: 10, output: 1 } },
      { say: 'still under' },
      { usage: { costUsd: 0.1, input: 10, output: 1 } },
      { usage: { costUsd: 0.2, input: 10, output: 1 } },
      { sleep: 30_000 },
      { say: 'after the cap' },
      { end: 'end_turn' },
    ]);
    s.h.budgetCapUsd = 0.35;
    const result = await s.runner.run(s.h.request({ runner: 'acp' }), s.h.context());
    expect(result.status).toBe('awaiting_budget');
    expect(result.costUsd).toBeCloseTo(0.4, 12);
    expect(s.calls().filter((c) => c.method === 'session/cancel')).toHaveLength(1);
    const said = s.h
      .rows()
      .filter((r) => r.role === 'assistant')
      .map((r) => (r.content as { text: string }).text);
    expect(said).toEqual(['still under']);
  });
});

describe('acp runner: fallback', () => {
  it('an acp agent whose command fails is served by the fallback runner after N failed attempts', async () => {
    const fake = await startFakeAnthropic([{ type: 'reply', text: 'Served by the fallback.' }]);
    fakes.push(fake);
    const s = setup([]);
    const failing = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-acp-fail-')), 'broken-agent');
    fs.writeFileSync(failing, '#!/bin/sh\necho "broken agent: cannot start" >&2\nexit 7\n', { mode: 0o755 });
    const env = { ...s.env, ANTHROPIC_API_KEY: 'sk-ant-fallback-0001', ANTHROPIC_BASE_URL: fake.url };
    const config = resolveConfig(
      parseEnv(env),
      {
        agents: {
          fallbackRunner: 'anthropic',
          fallbackAfterAttempts: 2,
          acp: { broken: { command: failing, args: [], passEnv: [], modes: {}, systemPrompt: 'inline' } },
          defaultAcpAgent: 'broken',
        },
      },
      os.tmpdir(),
    );
    const runner = createRunners(config, env).acp!;
    const req = s.h.request({ runner: 'acp' });
    for (const attempt of [1, 2]) {
      const err = await runner.run(req, s.h.context({ attempt })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect((err as ApplicationFailure).nonRetryable).toBe(false);
      expect((err as ApplicationFailure).message).toContain('exited with code 7');
      expect((err as ApplicationFailure).message).toContain('broken agent: cannot start');
    }
    expect(fake.requests).toHaveLength(0);
    const result = await runner.run(req, s.h.context({ attempt: 3 }));
    expect(result).toMatchObject({
      status: 'completed',
      summary: 'Served by the fallback.',
      fellBackTo: 'anthropic',
    });
    expect(fake.requests).toHaveLength(1);
    // The fallback continued the same transcript: one user row, then its reply.
    expect(s.h.rows().filter((r) => r.role === 'user')).toHaveLength(1);
  });
});
