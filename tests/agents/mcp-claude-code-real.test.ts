/**
 * MCP servers through the Claude Code runner with the REAL Claude Code CLI (2.1.328) against the
 * loopback Anthropic API: the approved server reaches the CLI by `--mcp-config` (a 0600 file in a
 * private directory, gone after the run), the CLI offers its tools to the model, the fake API
 * makes the model call them, and the calls land in the transcript as tool cards.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeCodeArgs, writeMcpConfigFile } from '../../activities/agents/claude-code-cli.js';
import { createClaudeCodeRunner } from '../../activities/agents/claude-code-runner.js';
import type { ResolvedMcpServer } from '../../core/mcp.js';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';
import { makeHarness } from '../support/runners-harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLAUDE = path.join(ROOT, 'node_modules/.bin/claude');
const PROBE = path.join(ROOT, 'tests/support/mcp-probe-server.mjs');
const PROBE_KEY = 'probe-secret-for-the-cli-0123456789';
const GH = 'ghp_shouldNeverReachTheCli0000000000';

const fakes: FakeAnthropic[] = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.close();
});

function probeServer(log: string): ResolvedMcpServer {
  return {
    name: 'probe',
    type: 'stdio',
    command: process.execPath,
    args: [PROBE],
    env: { PROBE_API_KEY: PROBE_KEY, PROBE_LOG: log },
  };
}

/** `--mcp-config` files still on disk that name this test's probe log. */
function leftConfigs(log: string): string[] {
  return fs.readdirSync(os.tmpdir()).flatMap((d) => {
    if (!d.startsWith('ratchet-mcp-')) return [];
    const f = path.join(os.tmpdir(), d, 'mcp.json');
    try {
      return fs.readFileSync(f, 'utf8').includes(log) ? [f] : [];
    } catch {
      return [];
    }
  });
}

describe('MCP servers through the claude-code runner (real CLI)', () => {
  it('the config file is private and removable; plan mode passes no servers', () => {
    const f = writeMcpConfigFile([probeServer('/tmp/x.log')]);
    expect(fs.statSync(f.file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(f.file)).mode & 0o777).toBe(0o700);
    const args = (mode: 'agent' | 'plan') =>
      claudeCodeArgs({ model: 'm', maxTurns: 3, mode, mcp: { file: f.file, servers: ['probe'] } });
    expect(args('agent')).toEqual(expect.arrayContaining(['--strict-mcp-config', '--mcp-config', f.file]));
    expect(args('agent').join(' ')).toMatch(/--allowedTools .*,mcp__probe(,|$)/);
    expect(args('plan')).not.toContain('--mcp-config');
    expect(args('plan').join(' ')).not.toContain('mcp__probe');
    f.remove();
    f.remove();
    expect(fs.existsSync(path.dirname(f.file))).toBe(false);
  });

  it('the real CLI starts the approved server, the model calls its tools, and the calls are tool cards', async () => {
    const h = makeHarness();
    const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-mcp-cli-')), 'probe.log');
    const fake = await startFakeAnthropic([
      {
        type: 'reply',
        text: 'Asking the probe.',
        toolCalls: [{ id: 'toolu_look', name: 'mcp__probe__lookup', input: { key: 'answer' } }],
        usage: { input_tokens: 500, output_tokens: 20 },
      },
      {
        type: 'reply',
        toolCalls: [{ id: 'toolu_rec', name: 'mcp__probe__record', input: { line: 'from-cli' } }],
        usage: { input_tokens: 600, output_tokens: 20 },
      },
      { type: 'reply', text: 'The probe says 42.', usage: { input_tokens: 700, output_tokens: 10 } },
    ]);
    fakes.push(fake);
    const runner = createClaudeCodeRunner({
      apiKey: 'sk-ant-real-cli-mcp-0001',
      baseURL: fake.url,
      claudeBin: CLAUDE,
      heartbeatMs: 100,
      env: {
        PATH: process.env.PATH,
        HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-claude-home-')),
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_TELEMETRY: '1',
        CLAUDE_CODE_MAX_RETRIES: '0',
        GITHUB_TOKEN: GH,
      },
    });
    const result = await runner.run(
      { ...h.request({ runner: 'claude-code' }), mcpServers: [probeServer(log)] },
      h.context(),
    );
    expect(result).toMatchObject({ status: 'completed', summary: 'The probe says 42.' });
    fake.assertDone();
    // The CLI offers MCP tools as deferred tools (ToolSearch): their names are in the first call.
    const first = JSON.stringify(fake.requests[0]?.body);
    expect(first).toContain('mcp__probe__lookup');
    expect(first).toContain('mcp__probe__record');

    const rows = h.rows();
    const calls = rows.filter((r) => r.role === 'tool_call').map((r) => r.toolName);
    expect(calls).toEqual(['mcp__probe__lookup', 'mcp__probe__record']);
    const results = rows.filter((r) => r.role === 'tool_result');
    expect(JSON.stringify(results[0]?.content)).toContain('value of answer: 42 (key ok)');
    expect(JSON.stringify(results[1]?.content)).toContain('recorded from-cli');
    expect(h.read('mcp-record.txt')).toBe('from-cli\n');

    const entries = fs
      .readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; tool?: string; secretNames?: string[] });
    expect(entries.filter((e) => e.event === 'call').map((e) => e.tool)).toEqual(['lookup', 'record']);
    // The server got its own key and not the worker's GitHub token or the CLI's API key (the CLI
    // adds only its own per-process CLAUDE_CODE_MESSAGING_TOKEN to what it starts).
    const starts = entries.filter((e) => e.event === 'start');
    expect(starts.length).toBeGreaterThan(0);
    for (const start of starts)
      expect(start.secretNames?.filter((n) => n !== 'CLAUDE_CODE_MESSAGING_TOKEN')).toEqual([
        'PROBE_API_KEY',
      ]);
    expect(JSON.stringify(rows)).not.toContain(PROBE_KEY);
    expect(leftConfigs(log)).toEqual([]);
  }, 120_000);
});
