/**
 * MCP servers through the built-in tool loop: a real stdio MCP server (tests/support/
 * mcp-probe-server.mjs, the SDK's server side) started by the SDK's client, its tools offered to
 * the loopback Anthropic API as `mcp__probe__*`, called, and recorded as tool cards. The trust
 * gate and the secret rules are checked against real SQLite and the server's own log.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createAnthropicRunner } from '../../activities/agents/anthropic-runner.js';
import { mcpServersForTurn, readMcpConfig } from '../../activities/agents/mcp.js';
import { recordScriptTrust } from '../../db/queries/script-trust.js';
import { projects } from '../../db/schema.js';
import { startFakeAnthropic, type FakeAnthropic, type FakeAnthropicTurn } from '../support/fake-anthropic.js';
import { makeHarness, roles, type Harness } from '../support/runners-harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PROBE = path.join(ROOT, 'tests/support/mcp-probe-server.mjs');
const PROBE_KEY = 'probe-secret-value-0123456789abcdef';
const GH = 'ghp_neverForTheMcpServer00000000000000000';

let fake: FakeAnthropic | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

interface Body {
  tools: Array<{ name: string }>;
  messages: Array<{ role: string; content: unknown }>;
}

function writeConfig(h: Harness, servers: Record<string, unknown>) {
  fs.mkdirSync(path.join(h.worktree, '.ratchet'), { recursive: true });
  fs.writeFileSync(path.join(h.worktree, '.ratchet', 'config.json'), JSON.stringify({ mcpServers: servers }));
}

async function setup(script: FakeAnthropicTurn[]) {
  fake = await startFakeAnthropic(script);
  const h = makeHarness();
  const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-mcp-probe-')), 'probe.log');
  const env = {
    PATH: process.env.PATH,
    HOME: os.tmpdir(),
    PROBE_API_KEY: PROBE_KEY,
    PROBE_LOG: log,
    GITHUB_TOKEN: GH,
    ANTHROPIC_API_KEY: 'sk-ant-test-key',
  };
  writeConfig(h, {
    probe: { command: process.execPath, args: [PROBE], env: ['PROBE_API_KEY', 'PROBE_LOG'] },
  });
  const projectId = h.db.select().from(projects).get()!.id;
  const approve = () => {
    const cfg = readMcpConfig(h.worktree);
    if (cfg.state !== 'ok') throw new Error(cfg.state);
    recordScriptTrust({
      db: h.db,
      row: {
        projectId,
        kind: 'mcp',
        sha256: cfg.sha256,
        script: cfg.text,
        decision: 'approved',
        workspaceId: null,
      },
    });
  };
  const forTurn = (mode: 'agent' | 'plan' = 'agent') =>
    mcpServersForTurn({ db: h.db, projectId, worktreePath: h.worktree, mode, env });
  const runner = createAnthropicRunner({
    apiKey: 'sk-ant-test-key',
    baseURL: fake.url,
    makeToolbox: h.makeToolbox,
    env,
  });
  const probeLog = () =>
    fs.existsSync(log)
      ? fs
          .readFileSync(log, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { event: string; tool?: string; secretNames?: string[]; cwd?: string })
      : [];
  return { h, runner, fake, approve, forTurn, probeLog };
}

describe('MCP servers through the built-in tool loop', () => {
  it('an untrusted config starts nothing; once approved the model calls the server tools and the results are tool cards', async () => {
    const s = await setup([
      {
        type: 'reply',
        text: 'Looking it up.',
        toolCalls: [{ id: 'toolu_look', name: 'mcp__probe__lookup', input: { key: 'answer' } }],
        usage: { input_tokens: 100, output_tokens: 10 },
      },
      {
        type: 'reply',
        toolCalls: [{ id: 'toolu_rec', name: 'mcp__probe__record', input: { line: 'once' } }],
        usage: { input_tokens: 120, output_tokens: 10 },
      },
      { type: 'reply', text: 'Done: 42.', usage: { input_tokens: 130, output_tokens: 5 } },
    ]);
    // Not approved: no server, and the reason names the servers and the hash, nothing else.
    const before = s.forTurn();
    expect(before.servers).toEqual([]);
    expect(before.notes).toHaveLength(1);
    expect(before.notes[0]).toMatch(/MCP servers not started \(probe\): .* is not approved/);
    expect(before.notes[0]).not.toContain(PROBE_KEY);
    expect(s.probeLog()).toEqual([]);

    s.approve();
    const turn = s.forTurn();
    expect(turn.notes).toEqual([]);
    expect(turn.servers.map((m) => m.name)).toEqual(['probe']);
    const result = await s.runner.run({ ...s.h.request(), mcpServers: turn.servers }, s.h.context());
    expect(result.status).toBe('completed');
    expect(result.summary).toBe('Done: 42.');

    const offered = (s.fake.requests[0]?.body as Body).tools.map((t) => t.name);
    expect(offered).toEqual(
      expect.arrayContaining(['read_file', 'mcp__probe__lookup', 'mcp__probe__record', 'mcp__probe__leak']),
    );
    const rows = s.h.rows();
    expect(roles(rows)).toBe(
      'user assistant tool_call tool_result assistant tool_call tool_result assistant',
    );
    const results = rows.filter((r) => r.role === 'tool_result');
    expect(results.map((r) => [r.toolName, r.content])).toEqual([
      ['mcp__probe__lookup', { ok: true, output: 'value of answer: 42 (key ok)' }],
      ['mcp__probe__record', { ok: true, output: 'recorded once' }],
    ]);
    // The model got the result back in the next call.
    expect(JSON.stringify((s.fake.requests[1]?.body as Body).messages)).toContain('value of answer: 42');
    // The server ran in the worktree, once, and received only the variables it names.
    expect(s.h.read('mcp-record.txt')).toBe('once\n');
    const log = s.probeLog();
    expect(log.filter((e) => e.event === 'call').map((e) => e.tool)).toEqual(['lookup', 'record']);
    const start = log.find((e) => e.event === 'start')!;
    expect(fs.realpathSync(start.cwd!)).toBe(fs.realpathSync(s.h.worktree));
    expect(start.secretNames).toEqual(['PROBE_API_KEY']);
    // The key is nowhere in the transcript.
    expect(JSON.stringify(rows)).not.toContain(PROBE_KEY);
  });

  it('plan mode offers only the tools the server marks read-only', async () => {
    const s = await setup([{ type: 'reply', text: 'Plan: nothing to change.' }]);
    s.approve();
    const result = await s.runner.run(
      { ...s.h.request({ mode: 'plan' }), mcpServers: s.forTurn('plan').servers },
      s.h.context(),
    );
    expect(result.status).toBe('completed');
    const offered = (s.fake.requests[0]?.body as Body).tools
      .map((t) => t.name)
      .filter((n) => n.startsWith('mcp__'));
    expect(offered.sort()).toEqual(['mcp__probe__leak', 'mcp__probe__lookup']);
  });

  it('a server that echoes its key gets it redacted before the transcript and the model see it', async () => {
    const s = await setup([
      { type: 'reply', toolCalls: [{ id: 'toolu_leak', name: 'mcp__probe__leak', input: {} }] },
      { type: 'reply', text: 'ok' },
    ]);
    s.approve();
    await s.runner.run({ ...s.h.request(), mcpServers: s.forTurn().servers }, s.h.context());
    const out = s.h.rows().find((r) => r.role === 'tool_result')!.content as { output: string };
    expect(out.output).toMatch(/^my key is /);
    expect(out.output).not.toContain(PROBE_KEY);
    expect(JSON.stringify(s.fake.requests.map((r) => r.body))).not.toContain(PROBE_KEY);
  });

  it('a changed config asks again; a missing variable or a server that cannot start is named and the turn goes on', async () => {
    const s = await setup([{ type: 'reply', text: 'fine without it' }]);
    s.approve();
    writeConfig(s.h, {
      probe: {
        command: process.execPath,
        args: [PROBE],
        env: ['PROBE_API_KEY', 'PROBE_LOG', 'NOT_SET_ANYWHERE'],
      },
    });
    expect(s.forTurn().notes[0]).toMatch(/not approved/);
    s.approve();
    expect(s.forTurn()).toEqual({
      servers: [],
      notes: ['MCP server "probe" not started: NOT_SET_ANYWHERE not set on the worker'],
    });

    writeConfig(s.h, { broken: { command: path.join(s.h.worktree, 'no-such-server') } });
    s.approve();
    const servers = s.forTurn().servers;
    expect(servers.map((m) => m.name)).toEqual(['broken']);
    const result = await s.runner.run({ ...s.h.request(), mcpServers: servers }, s.h.context());
    expect(result.status).toBe('completed');
    const note = s.h.rows().find((r) => r.role === 'system')!.content as { kind: string; text: string };
    expect(note.kind).toBe('mcp_unavailable');
    expect(note.text).toMatch(/^MCP server "broken" unavailable: /);
  });
});
