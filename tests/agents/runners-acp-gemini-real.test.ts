/**
 * The acp runner driving the REAL Gemini CLI (`@google/gemini-cli` 0.61.0, `gemini --acp`)
 * against the loopback Gemini API (`tests/support/fake-gemini.ts`) given by
 * `GOOGLE_GEMINI_BASE_URL`. Gemini runs its own file and shell tools; a write or a shell command
 * asks Ratchet first (`session/request_permission`, the command line as the ask's title), answered
 * by the workspace mode. The worktree is untrusted for Gemini (`GEMINI_CLI_TRUST_WORKSPACE=false`),
 * so a repository's `.gemini/settings.json` cannot start an MCP server before the user trusts it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ACP_PRESETS } from '../../core/acp.js';
import { createAcpRunner } from '../../activities/agents/acp-runner.js';
import {
  FAKE_GEMINI_MODEL,
  startFakeGemini,
  type FakeGemini,
  type FakeGeminiTurn,
} from '../support/fake-gemini.js';
import { killMidTurnThenRetry, makeHarness, systemRows as sys } from '../support/runners-harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'node_modules/.bin');
const KEY = 'AIzaFakeGeminiKeyForTheLoopbackTest0001';
const GH = 'ghp_shouldNeverReachTheGeminiAgent0000000000';

const fakes: FakeGemini[] = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.close().catch(() => {});
});

async function setup(script: (worktree: string) => FakeGeminiTurn[], setEnv?: Record<string, string>) {
  const h = makeHarness();
  const fake = await startFakeGemini(script(h.worktree));
  fakes.push(fake);
  const runner = createAcpRunner({
    env: {
      PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ''}`,
      HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-gemini-user-')),
      GEMINI_API_KEY: KEY,
      GOOGLE_GEMINI_BASE_URL: fake.url,
      GEMINI_MODEL: FAKE_GEMINI_MODEL,
      GITHUB_TOKEN: GH,
    },
    agents: { gemini: { ...ACP_PRESETS.gemini!, modes: {}, ...(setEnv ? { setEnv } : {}) } },
    heartbeatMs: 200,
  });
  return { h, fake, runner };
}

const shell = (id: string, command: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: 'run_shell_command',
  args: { command, description: 'a step', ...extra },
});

describe('acp runner with the real Gemini CLI', () => {
  it('reads, writes a new file, runs a command inside the worktree, refuses one writing outside; Gemini keeps its tools in the worktree; tokens as the API sent them', async () => {
    const outsideDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-gemini-outside-'));
    const outside = path.join(outsideDir, 'escape.txt');
    const { h, fake, runner } = await setup(() => [
      {
        type: 'reply',
        text: 'Reading.',
        calls: [{ id: 'r1', name: 'read_file', args: { file_path: 'missing.txt' } }],
        usage: { prompt: 1000, candidates: 40 },
      },
      {
        type: 'reply',
        text: 'Writing.',
        calls: [{ id: 'w1', name: 'write_file', args: { file_path: 'new.txt', content: 'made\n' } }],
        usage: { prompt: 1100, candidates: 50 },
      },
      {
        type: 'reply',
        text: 'Shell.',
        calls: [shell('s1', 'echo hello > hello.txt')],
        usage: { prompt: 1200, candidates: 20 },
      },
      {
        type: 'reply',
        text: 'Outside.',
        calls: [shell('s2', `echo nope > ${outside}`)],
        usage: { prompt: 1300, candidates: 20 },
      },
      {
        type: 'reply',
        text: 'Elsewhere.',
        calls: [
          shell('s3', 'echo nope > escape2.txt', { dir_path: outsideDir }),
          { id: 'w2', name: 'write_file', args: { file_path: path.join(outsideDir, 'w.txt'), content: 'x' } },
        ],
        usage: { prompt: 1400, candidates: 30 },
      },
      { type: 'reply', text: 'Done.', usage: { prompt: 1500, candidates: 10 } },
    ]);
    const result = await runner.run(h.request({ runner: 'acp', provider: 'gemini' }), h.context());
    const rows = h.rows();
    expect(result.status).toBe('completed');
    expect(result.summary).toBe('Done.');
    fake.assertDone();
    expect(h.read('new.txt')).toBe('made\n');
    expect(h.read('hello.txt')).toBe('hello\n');
    expect(fs.readdirSync(outsideDir)).toEqual([]);
    const perms = sys(rows, 'acp_permission').map(
      (r) => r.content as { toolCallId: string; allow: boolean; reason: string },
    );
    // Gemini's ids are `<tool>__<the model's call id>`.
    expect(perms).toEqual([
      { kind: 'acp_permission', toolCallId: 'write_file__w1', allow: true, reason: 'inside the worktree' },
      {
        kind: 'acp_permission',
        toolCallId: 'run_shell_command__s1',
        allow: true,
        reason: 'command inside the worktree',
      },
      {
        kind: 'acp_permission',
        toolCallId: 'run_shell_command__s2',
        allow: false,
        reason: `command names paths outside the worktree: ${outside}`,
      },
    ]);
    // Every result has its card; an asked call's card carries the command it ran.
    const results = rows.filter((r) => r.role === 'tool_result');
    for (const r of results)
      expect(rows.some((c) => c.role === 'tool_call' && c.toolCallId === r.toolCallId)).toBe(true);
    const card = rows.find((r) => r.role === 'tool_call' && r.toolCallId === 'run_shell_command__s1');
    expect(card?.content).toMatchObject({ input: { command: 'echo hello > hello.txt' }, kind: 'execute' });
    const ok = (id: string) =>
      (results.find((r) => r.toolCallId === id)?.content as { ok: boolean } | undefined)?.ok;
    expect([ok('read_file__r1'), ok('write_file__w1'), ok('run_shell_command__s1')]).toEqual([
      false,
      true,
      true,
    ]);
    // The refused command never ran; the calls outside were stopped by Gemini's own workspace check.
    expect(results.some((r) => r.toolCallId === 'run_shell_command__s2')).toBe(false);
    expect([ok('run_shell_command__s3'), ok('write_file__w2')]).toEqual([false, false]);
    expect(JSON.stringify(results.find((r) => r.toolCallId === 'write_file__w2')?.content)).toContain(
      'Path not in workspace',
    );
    // Tokens: Gemini's `_meta.quota` totals, equal to what the fake API sent; no dollars.
    expect(result.usage).toMatchObject({ inputTokens: 7500, outputTokens: 170 });
    expect(result.costUsd).toBe(0);
    // The key reached the API (it had to), GitHub's token did not, and neither is in the transcript.
    expect(fake.requests.every((r) => r.headers['x-goog-api-key'] === KEY)).toBe(true);
    expect(JSON.stringify(fake.requests.map((r) => r.body))).not.toContain(GH);
    expect(JSON.stringify(rows)).not.toContain(KEY);
  }, 180_000);

  it("a repository's .gemini/settings.json does not run: its MCP server starts only where the folder is trusted", async () => {
    const runWith = async (setEnv?: Record<string, string>) => {
      const marks = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-gemini-marks-'));
      const { h, runner } = await setup(() => [{ type: 'reply', text: 'Done.' }], setEnv);
      fs.mkdirSync(path.join(h.worktree, '.gemini'));
      fs.writeFileSync(
        path.join(h.worktree, '.gemini/settings.json'),
        JSON.stringify({
          mcpServers: { repo: { command: 'sh', args: ['-c', `touch ${marks}/ran; sleep 5`] } },
        }),
      );
      const result = await runner.run(h.request({ runner: 'acp', provider: 'gemini' }), h.context());
      expect(result.status).toBe('completed');
      return fs.readdirSync(marks);
    };
    expect(await runWith()).toEqual([]);
    // The same repository in a folder Gemini trusts: its server runs (so the check above can fail).
    expect(await runWith({ GEMINI_CLI_TRUST_WORKSPACE: 'true' })).toEqual(['ran']);
  }, 180_000);

  it('the agent killed mid-turn: the retry replays the transcript (the killed session cannot be loaded) and the command runs once', async () => {
    const { h, fake, runner } = await setup(() => [
      { type: 'reply', text: 'Appending.', calls: [shell('once', 'echo once >> once.txt')] },
      // The killed attempt's next call: answered after the agent is dead, to nobody.
      { type: 'reply', text: 'Too late.', delayMs: 6000 },
      { type: 'reply', text: 'Resumed and done.' },
    ]);
    const req = h.request({ runner: 'acp', provider: 'gemini' });
    const result = await killMidTurnThenRetry({
      h,
      runner,
      req,
      fake,
      beforeKill: () => expect(h.read('once.txt')).toBe('once\n'),
    });
    expect(result.status).toBe('completed');
    expect(result.summary).toBe('Resumed and done.');
    expect(h.read('once.txt')).toBe('once\n');
    const rows = h.rows();
    expect(
      rows.filter((r) => r.role === 'tool_result' && r.toolCallId === 'run_shell_command__once'),
    ).toHaveLength(1);
    // Gemini advertises loadSession, but it saves a turn's messages only as the turn goes on: the
    // killed session holds no reply yet, so loading it fails ("Invalid session identifier") and
    // the retry starts a new session with the transcript replayed as context.
    expect(sys(rows, 'acp_load_failed')).toHaveLength(1);
    expect(sys(rows, 'acp_session')).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 6500));
    expect(fake.requests).toHaveLength(3);
    const resumed = JSON.stringify(fake.requests[2]?.body);
    expect(resumed).toContain('An earlier attempt at this task was interrupted');
    expect(resumed).toContain('echo once');
    fake.assertDone();
  }, 240_000);
});
