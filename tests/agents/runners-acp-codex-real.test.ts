/**
 * The acp runner driving the REAL `@zed-industries/codex-acp` (0.16.0, Codex's Rust core as a
 * native binary from the per-platform optional package), pointed at the loopback fake of the
 * OpenAI Responses API through a custom provider in a throwaway CODEX_HOME (`writeCodexHome`).
 * The model's `exec_command` calls are run by Codex itself; each asks Ratchet first
 * (`session/request_permission`), answered by the workspace mode.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ACP_PRESETS } from '../../core/acp.js';
import { createAcpRunner } from '../../activities/agents/acp-runner.js';
import {
  startFakeResponses,
  writeCodexHome,
  type FakeResponses,
  type FakeResponsesTurn,
} from '../support/fake-openai-responses.js';
import { killMidTurnThenRetry, makeHarness, systemRows as sys } from '../support/runners-harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'node_modules/.bin');
const KEY = 'sk-codex-acp-real-test-key-0001';
const GH = 'ghp_shouldNeverReachTheCodexAgent000000000';

const fakes: FakeResponses[] = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.close();
});

async function setup(script: (worktree: string) => FakeResponsesTurn[]) {
  const h = makeHarness();
  const fake = await startFakeResponses(script(h.worktree));
  fakes.push(fake);
  const codexHome = writeCodexHome(fake.url, fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-codex-home-')));
  const runner = createAcpRunner({
    env: {
      PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ''}`,
      HOME: fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-codex-user-')),
      OPENAI_API_KEY: KEY,
      CODEX_HOME: codexHome,
      GITHUB_TOKEN: GH,
    },
    // No mode switch: Codex's `auto` / `read-only` presets need its bubblewrap sandbox.
    agents: { codex: { ...ACP_PRESETS.codex!, modes: {} } },
    heartbeatMs: 200,
  });
  return { h, fake, runner };
}

const exec = (callId: string, cmd: string, workdir: string) => ({
  callId,
  name: 'exec_command',
  arguments: { cmd, workdir },
});

describe('acp runner with the real codex-acp', () => {
  it('streams text, runs a command inside the worktree, refuses one writing outside (which ends its turn); reports no tokens or dollars', async () => {
    const outsideDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-codex-outside-'));
    const outside = path.join(outsideDir, 'escape.txt');
    const { h, fake, runner } = await setup((wt) => [
      {
        type: 'reply',
        text: 'Creating hello.txt.',
        toolCalls: [exec('call_in', 'echo hello > hello.txt', wt)],
        usage: { input_tokens: 1000, output_tokens: 50, cached_tokens: 200 },
      },
      {
        type: 'reply',
        text: 'Now outside.',
        toolCalls: [exec('call_out', `echo nope > ${outside}`, wt)],
        usage: { input_tokens: 1100, output_tokens: 40 },
      },
    ]);
    const result = await runner.run(h.request({ runner: 'acp', provider: 'codex' }), h.context());
    const rows = h.rows();
    expect(result.status).toBe('completed');
    // Codex's only refusal option is "Abort", which ends its turn: stopReason `cancelled`.
    expect(result.summary).toBe('Now outside.');
    expect(sys(rows, 'acp_result')[0]?.content).toMatchObject({ stopReason: 'cancelled', usage: null });
    expect(h.read('hello.txt')).toBe('hello\n');
    expect(fs.existsSync(outside)).toBe(false);
    fake.assertDone();
    // One assistant row per message, in order, between the tool cards.
    expect(
      rows.filter((r) => r.role === 'assistant').map((r) => (r.content as { text: string }).text),
    ).toEqual(['Creating hello.txt.', 'Now outside.']);
    const perms = sys(rows, 'acp_permission').map(
      (r) => r.content as { toolCallId: string; allow: boolean; reason: string },
    );
    expect(perms.find((p) => p.toolCallId === 'call_in')).toMatchObject({ allow: true });
    expect(perms.find((p) => p.toolCallId === 'call_out')).toMatchObject({ allow: false });
    expect(perms.find((p) => p.toolCallId === 'call_out')?.reason).toContain(outside);
    const inResult = rows.find((r) => r.role === 'tool_result' && r.toolCallId === 'call_in');
    expect((inResult?.content as { ok: boolean }).ok).toBe(true);
    expect(
      rows.some(
        (r) => r.role === 'tool_result' && r.toolCallId === 'call_out' && (r.content as { ok: boolean }).ok,
      ),
    ).toBe(false);
    // The refused call never started: a permission row, no tool card.
    expect(rows.filter((r) => r.toolCallId === 'call_out')).toEqual([]);
    // Codex reports no tokens and no dollars over ACP: the prompt response has no `usage`, and its
    // `usage_update`s carry only the context window (used / size), never `cost`.
    expect(sys(rows, 'acp_cost')).toEqual([]);
    expect(result.usage).toMatchObject({ inputTokens: 0, outputTokens: 0 });
    expect(result.costUsd).toBe(0);
    // The key reached the API (it had to), GitHub's token did not, and neither is in the transcript.
    expect(fake.requests.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(JSON.stringify(fake.requests.map((r) => r.body))).not.toContain(GH);
    expect(JSON.stringify(rows)).not.toContain(KEY);
  }, 180_000);

  it('the agent killed mid-turn: the retry loads the Codex session with session/load and the command runs once', async () => {
    const { h, fake, runner } = await setup((wt) => [
      {
        type: 'reply',
        text: 'Appending.',
        toolCalls: [exec('call_once', 'echo once >> once.txt', wt)],
        usage: { input_tokens: 800, output_tokens: 40 },
      },
      // The killed attempt's next call: answered after the agent is dead, to nobody.
      { type: 'reply', text: 'Too late.', delayMs: 6000 },
      { type: 'reply', text: 'Resumed and done.' },
    ]);
    const req = h.request({ runner: 'acp', provider: 'codex' });
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
    expect(rows.filter((r) => r.role === 'tool_result' && r.toolCallId === 'call_once')).toHaveLength(1);
    // codex-acp advertises loadSession and loads the killed session: one acp_session row, no failure.
    expect(sys(rows, 'acp_load_failed')).toEqual([]);
    expect(sys(rows, 'acp_session')).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 6500));
    expect(fake.requests).toHaveLength(3);
    const resumed = JSON.stringify(fake.requests[2]?.body);
    expect(resumed).toContain('Your previous run was interrupted');
    expect(resumed).toContain('call_once');
    fake.assertDone();
  }, 240_000);
});
