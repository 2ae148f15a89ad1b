/** The Claude Code runner with a fake `claude` executable on PATH speaking stream-json. */
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createClaudeCodeRunner, isClaudeCliAvailable } from '../../activities/agents/claude-code-runner.js';
import { getSession } from '../../db/queries/agent-sessions.js';
import { FAKE_CLAUDE_DIR, stream, writeFakeClaudeScript, type FakeClaudeStep } from '../support/fake-claude-cli/script.js';
import { makeHarness, roles } from './runners-harness.js';

const env = { ...process.env, PATH: `${FAKE_CLAUDE_DIR}${path.delimiter}${process.env.PATH ?? ''}`, GITHUB_TOKEN: 'ghp_shouldNeverReachTheCli0000000000' };

function setup(runs: Array<{ steps: FakeClaudeStep[] }>) {
  const h = makeHarness();
  const dir = fs.mkdtempSync(path.join(path.dirname(h.worktree), 'fake-claude-'));
  const fake = writeFakeClaudeScript(dir, runs);
  const runner = createClaudeCodeRunner({ env, apiKey: 'sk-ant-cli-key', extraEnv: fake.env, heartbeatMs: 50 });
  return { h, runner, fake };
}

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

const S = 'cli-session-1';

describe('claude-code runner', () => {
  it('maps stream-json lines to transcript rows while the CLI edits the worktree', async () => {
    const { h, runner, fake } = setup([
      {
        steps: [
          { emit: stream.init(S) },
          { emit: stream.assistant(S, 'msg_1', [{ type: 'text', text: 'Creating the file.' }], { input_tokens: 1000, output_tokens: 100, cache_read_input_tokens: 2000 }) },
          { emit: stream.assistant(S, 'msg_1', [{ type: 'tool_use', id: 'toolu_w1', name: 'Write', input: { file_path: 'hello.txt', content: 'hi\n' } }], { input_tokens: 1000, output_tokens: 100, cache_read_input_tokens: 2000 }) },
          { write: { path: 'hello.txt', content: 'hi\n' } },
          { emit: stream.toolResult(S, 'toolu_w1', 'File created successfully') },
          { emit: { type: 'stream_event', event: { type: 'ping' } } },
          { emit: stream.assistant(S, 'msg_2', [{ type: 'text', text: 'Done: hello.txt exists.' }], { input_tokens: 50, output_tokens: 10 }) },
          { emit: stream.result(S, 'Done: hello.txt exists.', { totalCostUsd: 0.0123 }) },
        ],
      },
    ]);
    const result = await runner.run(h.request({ runner: 'claude-code', maxTurns: 7 }, 'Create hello.txt'), h.context());
    expect(result).toMatchObject({ status: 'completed', summary: 'Done: hello.txt exists.', provider: 'anthropic' });
    expect(h.read('hello.txt')).toBe('hi\n');
    expect(roles(h.rows())).toBe('user system assistant tool_call tool_result assistant system');
    // msg_1's usage arrived twice but counts once.
    const expected = (1000 * 3 + 100 * 15 + 2000 * 0.3 + 50 * 3 + 10 * 15) / 1e6;
    expect(result.costUsd).toBeCloseTo(expected, 9);
    expect(getSession({ db: h.db, id: h.sessionId })).toMatchObject({ inputTokens: 1050, outputTokens: 110, cacheReadTokens: 2000, status: 'completed', runner: 'claude-code' });

    const [call] = fake.invocations();
    expect(call?.argv.slice(0, 4)).toEqual(['-p', '--output-format', 'stream-json', '--verbose']);
    expect(call?.argv).toEqual(expect.arrayContaining(['--model', 'claude-sonnet-4-6', '--max-turns', '7', '--permission-mode', 'acceptEdits']));
    expect(call?.argv).not.toContain('--resume');
    expect(call?.stdin).toBe('Create hello.txt');
    expect(fs.realpathSync(call?.cwd ?? '')).toBe(fs.realpathSync(h.worktree));
    // The sandbox env plus the model key only: no GitHub token.
    expect(call?.envKeys).toContain('ANTHROPIC_API_KEY');
    expect(call?.envKeys).not.toContain('GITHUB_TOKEN');
    expect(fake.invocations()).toHaveLength(1);
  });

  it('a crash mid-stream is retryable and keeps what was recorded; the retry resumes the CLI session', async () => {
    const { h, runner, fake } = setup([
      {
        steps: [
          { emit: stream.init(S) },
          { emit: stream.assistant(S, 'msg_1', [{ type: 'tool_use', id: 'toolu_b1', name: 'Bash', input: { command: 'echo once >> count.txt' } }]) },
          { append: { path: 'count.txt', line: 'once' } },
          { emit: stream.toolResult(S, 'toolu_b1', '') },
          { truncate: '{"type":"assistant","message":{"id":"msg_2","content":[{"type":"te' },
          { exit: 137 },
        ],
      },
      {
        steps: [
          { emit: stream.init(S) },
          { emit: stream.assistant(S, 'msg_3', [{ type: 'text', text: 'The line is already there; finished.' }]) },
          { emit: stream.result(S, 'The line is already there; finished.') },
        ],
      },
    ]);
    const failure = await failureOf(runner.run(h.request({ runner: 'claude-code' }), h.context()));
    expect(failure).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false });
    expect(failure.message).toContain('code 137');
    expect(roles(h.rows())).toBe('user system assistant tool_call tool_result');

    const result = await runner.run(h.request({ runner: 'claude-code' }), h.context({ attempt: 2 }));
    expect(result).toMatchObject({ status: 'completed', summary: 'The line is already there; finished.' });
    expect(h.read('count.txt')).toBe('once\n');
    expect(roles(h.rows())).toBe('user system assistant tool_call tool_result reset system assistant system');
    const second = fake.invocations()[1];
    expect(second?.argv).toEqual(expect.arrayContaining(['--resume', S]));
    expect(second?.stdin).toContain('Continue the same task');

    // The worker died after the CLI finished: a further retry does not spawn it again.
    const again = await runner.run(h.request({ runner: 'claude-code' }), h.context({ attempt: 3 }));
    expect(again.status).toBe('completed');
    expect(fake.invocations()).toHaveLength(2);
  });

  it('passes plan mode to the CLI and reports an error result as retryable', async () => {
    const { h, runner, fake } = setup([{ steps: [{ emit: stream.init(S) }, { emit: stream.result(S, '', { subtype: 'error_during_execution', isError: true }) }, { exit: 1 }] }]);
    const failure = await failureOf(runner.run(h.request({ runner: 'claude-code', mode: 'plan' }), h.context()));
    expect(failure.type).toBe('ProviderUnavailable');
    expect(failure.message).toContain('error_during_execution');
    expect(fake.invocations()[0]?.argv).toEqual(expect.arrayContaining(['--permission-mode', 'plan']));
  });

  it('stops the CLI when the budget runs out and resumes its session after approval', async () => {
    const { h, runner, fake } = setup([
      {
        steps: [
          { emit: stream.init(S) },
          { emit: stream.assistant(S, 'msg_1', [{ type: 'text', text: 'Expensive thought.' }], { input_tokens: 100_000, output_tokens: 1000 }) },
          { sleepMs: 5000 },
          { emit: stream.result(S, 'never reached') },
        ],
      },
      { steps: [{ emit: stream.init(S) }, { emit: stream.result(S, 'Finished after approval.') }] },
    ]);
    h.budgetCapUsd = 0.1; // The first message costs 0.315.
    const started = Date.now();
    const first = await runner.run(h.request({ runner: 'claude-code' }), h.context());
    expect(first.status).toBe('awaiting_budget');
    expect(Date.now() - started).toBeLessThan(4000);
    h.budgetCapUsd = 10;
    const second = await runner.run(h.request({ runner: 'claude-code' }), h.context());
    expect(second).toMatchObject({ status: 'completed', summary: 'Finished after approval.' });
    expect(fake.invocations()[1]?.argv).toEqual(expect.arrayContaining(['--resume', S]));
  });

  it('fails non-retryably when the CLI is missing, and health reports availability', async () => {
    const h = makeHarness();
    const runner = createClaudeCodeRunner({ env: { PATH: '/nonexistent' }, apiKey: 'k' });
    const failure = await failureOf(runner.run(h.request({ runner: 'claude-code' }), h.context()));
    expect(failure).toMatchObject({ type: 'ConfigInvalid', nonRetryable: true });
    expect(await isClaudeCliAvailable({ env: { PATH: '/nonexistent' } })).toBe(false);
    expect(await isClaudeCliAvailable({ env })).toBe(true);
  });
});
