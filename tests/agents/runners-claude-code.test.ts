/**
 * The Claude Code runner with a fake `claude` executable on PATH speaking stream-json, kept only
 * for what the real CLI cannot be made to do on demand: die in the middle of writing a line. Every
 * other behaviour is proven against the real CLI in `runners-claude-code-real.test.ts`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createClaudeCodeRunner } from '../../activities/agents/claude-code-runner.js';
import {
  FAKE_CLAUDE_DIR,
  stream,
  writeFakeClaudeScript,
  type FakeClaudeStep,
} from '../support/fake-claude-cli/script.js';
import { makeHarness, roles } from '../support/runners-harness.js';

const env = {
  ...process.env,
  PATH: `${FAKE_CLAUDE_DIR}${path.delimiter}${process.env.PATH ?? ''}`,
  GITHUB_TOKEN: 'ghp_shouldNeverReachTheCli0000000000',
};

function setup(runs: Array<{ steps: FakeClaudeStep[] }>) {
  const h = makeHarness();
  const dir = fs.mkdtempSync(path.join(path.dirname(h.worktree), 'fake-claude-'));
  const fake = writeFakeClaudeScript(dir, runs);
  const runner = createClaudeCodeRunner({
    env,
    apiKey: 'sk-ant-cli-key',
    extraEnv: fake.env,
    heartbeatMs: 50,
  });
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
  it('a crash mid-stream is retryable and keeps what was recorded; the retry resumes the CLI session', async () => {
    const { h, runner, fake } = setup([
      {
        steps: [
          { emit: stream.init(S) },
          {
            emit: stream.assistant(S, 'msg_1', [
              {
                type: 'tool_use',
                id: 'toolu_b1',
                name: 'Bash',
                input: { command: 'echo once >> count.txt' },
              },
            ]),
          },
          { append: { path: 'count.txt', line: 'once' } },
          { emit: stream.toolResult(S, 'toolu_b1', '') },
          { truncate: '{"type":"assistant","message":{"id":"msg_2","content":[{"type":"te' },
          { exit: 137 },
        ],
      },
      {
        steps: [
          { emit: stream.init(S) },
          {
            emit: stream.assistant(S, 'msg_3', [
              { type: 'text', text: 'The line is already there; finished.' },
            ]),
          },
          { emit: stream.result(S, 'The line is already there; finished.') },
        ],
      },
    ]);
    const failure = await failureOf(runner.run(h.request({ runner: 'claude-code' }), h.context()));
    expect(failure).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false });
    expect(failure.message).toContain('code 137');
    expect(roles(h.rows())).toBe('user system system assistant tool_call tool_result');

    const result = await runner.run(h.request({ runner: 'claude-code' }), h.context({ attempt: 2 }));
    expect(result).toMatchObject({ status: 'completed', summary: 'The line is already there; finished.' });
    expect(h.read('count.txt')).toBe('once\n');
    expect(roles(h.rows())).toBe(
      'user system system assistant tool_call tool_result reset system system assistant system',
    );
    const [first, second] = fake.invocations();
    // The key arrives on a pipe, never in the environment; no GitHub token either.
    expect(first?.envKeys).toContain('CLAUDE_CODE_API_KEY_FILE_DESCRIPTOR');
    expect(first?.envKeys).not.toContain('ANTHROPIC_API_KEY');
    expect(first?.envKeys).not.toContain('GITHUB_TOKEN');
    expect(first?.argv).not.toContain('--resume');
    expect(second?.argv).toEqual(expect.arrayContaining(['--resume', S]));
    expect(second?.stdin).toContain('Continue the same task');

    // The worker died after the CLI finished: a further retry does not spawn it again.
    const again = await runner.run(h.request({ runner: 'claude-code' }), h.context({ attempt: 3 }));
    expect(again.status).toBe('completed');
    expect(fake.invocations()).toHaveLength(2);
  });
});
