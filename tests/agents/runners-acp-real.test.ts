/**
 * The acp runner driving the REAL `@zed-industries/claude-agent-acp` (0.23.1, over the Claude Agent
 * SDK and its bundled Claude Code), pointed at the loopback fake Anthropic Messages API through
 * ANTHROPIC_BASE_URL, with a throwaway HOME and nonessential traffic off. The model's tool calls
 * are run by Claude Code; every one that is not pre-allowed comes back to Ratchet as a
 * `session/request_permission`, answered by the workspace mode.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ACP_PRESETS } from '../../core/acp.js';
import { createAcpRunner } from '../../activities/agents/acp-runner.js';
import { startFakeAnthropic, type FakeAnthropic, type FakeAnthropicTurn } from '../support/fake-anthropic.js';
import { killMidTurnThenRetry, makeHarness, systemRows as sys } from '../support/runners-harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'node_modules/.bin');
const KEY = 'sk-ant-acp-real-test-key-0001';
const GH = 'ghp_shouldNeverReachTheAcpAgent0000000000';

const fakes: FakeAnthropic[] = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.close();
});

async function setup(script: (worktree: string) => FakeAnthropicTurn[]) {
  const h = makeHarness();
  const fake = await startFakeAnthropic(script(h.worktree));
  fakes.push(fake);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-acp-home-'));
  const runner = createAcpRunner({
    env: {
      PATH: `${BIN}${path.delimiter}${process.env.PATH ?? ''}`,
      HOME: home,
      ANTHROPIC_API_KEY: KEY,
      ANTHROPIC_BASE_URL: fake.url,
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_TELEMETRY: '1',
      GITHUB_TOKEN: GH,
    },
    agents: { claude: ACP_PRESETS.claude! },
    heartbeatMs: 200,
  });
  return { h, fake, runner };
}

describe('acp runner with the real claude-agent-acp', () => {
  it('runs a turn end to end: a write inside the worktree is allowed, one outside refused, tokens and dollars as reported', async () => {
    const outsideDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-acp-outside-'));
    const outside = path.join(outsideDir, 'escape.txt');
    const { h, fake, runner } = await setup((wt) => [
      {
        type: 'reply',
        text: 'Writing the file.',
        toolCalls: [
          {
            id: 'toolu_in',
            name: 'Write',
            input: { file_path: path.join(wt, 'hello.txt'), content: 'hello\n' },
          },
        ],
        usage: { input_tokens: 1000, output_tokens: 50 },
      },
      {
        type: 'reply',
        text: 'Now outside.',
        toolCalls: [{ id: 'toolu_out', name: 'Write', input: { file_path: outside, content: 'nope\n' } }],
        usage: { input_tokens: 1100, output_tokens: 40 },
      },
      { type: 'reply', text: 'All done.', usage: { input_tokens: 1200, output_tokens: 10 } },
    ]);
    const result = await runner.run(
      h.request({ runner: 'acp', provider: 'claude', model: 'claude-sonnet-4-6' }),
      h.context(),
    );
    const rows = h.rows();
    expect(result.status).toBe('completed');
    expect(result.summary).toContain('All done.');
    expect(h.read('hello.txt')).toBe('hello\n');
    expect(fs.existsSync(outside)).toBe(false);
    const perms = sys(rows, 'acp_permission').map(
      (r) => r.content as { toolCallId: string; allow: boolean; reason: string },
    );
    expect(perms.find((p) => p.toolCallId === 'toolu_in')).toMatchObject({ allow: true });
    expect(perms.find((p) => p.toolCallId === 'toolu_out')).toMatchObject({ allow: false });
    expect(rows.filter((r) => r.role === 'tool_call').map((r) => r.toolCallId)).toEqual([
      'toolu_in',
      'toolu_out',
    ]);
    const results = rows.filter((r) => r.role === 'tool_result');
    expect(results.map((r) => [r.toolCallId, (r.content as { ok: boolean }).ok])).toEqual([
      ['toolu_in', true],
      ['toolu_out', false],
    ]);
    fake.assertDone();
    // Tokens: the prompt response's usage, the sum of what the fake API sent.
    expect(result.usage).toMatchObject({ inputTokens: 3300, outputTokens: 100 });
    // Dollars: claude-agent-acp's usage_update cost (the SDK's total_cost_usd), Sonnet list prices.
    expect(result.costUsd).toBeCloseTo((3300 * 3 + 100 * 15) / 1e6, 9);
    // The key reached the agent (it had to); no other secret did, and none is in the transcript.
    expect(JSON.stringify(rows)).not.toContain(KEY);
    expect(fake.requests.every((r) => JSON.stringify(r.body).includes(GH) === false)).toBe(true);
  }, 180_000);

  it('plan mode: the agent runs in its plan mode and a write is refused', async () => {
    const { h, runner } = await setup((wt) => [
      {
        type: 'reply',
        text: 'Trying to write.',
        toolCalls: [
          {
            id: 'toolu_plan',
            name: 'Write',
            input: { file_path: path.join(wt, 'plan.txt'), content: 'x\n' },
          },
        ],
        usage: { input_tokens: 500, output_tokens: 20 },
      },
      { type: 'reply', text: 'The plan: write plan.txt.', usage: { input_tokens: 600, output_tokens: 20 } },
    ]);
    const result = await runner.run(
      h.request({ runner: 'acp', provider: 'claude', mode: 'plan' }),
      h.context(),
    );
    expect(result.status).toBe('completed');
    expect(fs.existsSync(path.join(h.worktree, 'plan.txt'))).toBe(false);
    const r = h.rows().find((x) => x.role === 'tool_result' && x.toolCallId === 'toolu_plan');
    expect((r?.content as { ok: boolean }).ok).toBe(false);
  }, 180_000);

  it('the agent killed mid-turn (as with its worker): the retry resumes the Claude session and the write runs once', async () => {
    const { h, fake, runner } = await setup((wt) => [
      {
        type: 'reply',
        text: 'Writing.',
        toolCalls: [
          {
            id: 'toolu_once',
            name: 'Write',
            input: { file_path: path.join(wt, 'once.txt'), content: 'once\n' },
          },
        ],
        usage: { input_tokens: 800, output_tokens: 40 },
      },
      // The killed attempt's next call: answered after the agent is dead, to nobody.
      { type: 'reply', text: 'Too late.', delayMs: 6000, usage: { input_tokens: 900, output_tokens: 5 } },
      { type: 'reply', text: 'Resumed and done.', usage: { input_tokens: 1000, output_tokens: 10 } },
    ]);
    const req = h.request({ runner: 'acp', provider: 'claude', model: 'claude-sonnet-4-6' });
    const result = await killMidTurnThenRetry({
      h,
      runner,
      req,
      fake,
      beforeKill: () => expect(h.read('once.txt')).toBe('once\n'),
    });
    expect(result.status).toBe('completed');
    expect(result.summary).toContain('Resumed and done.');
    expect(h.read('once.txt')).toBe('once\n');
    const rows = h.rows();
    expect(rows.filter((r) => r.role === 'tool_result' && r.toolCallId === 'toolu_once')).toHaveLength(1);
    const loaded = sys(rows, 'acp_load_failed').length === 0;
    // claude-agent-acp supports session/load: the same ACP session, one acp_session row.
    expect(loaded).toBe(true);
    expect(sys(rows, 'acp_session')).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 6500));
    expect(fake.requests).toHaveLength(3);
    // The loaded Claude session had lost the killed turn's tool call (only "Writing." survives in it);
    // the resume prompt lists it from Ratchet's transcript, so the model is told it already ran.
    const resumed = JSON.stringify(fake.requests[2]?.body);
    expect(resumed).toContain('toolu_once');
    expect(resumed).toContain('Your previous run was interrupted');
    fake.assertDone();
  }, 240_000);
});
