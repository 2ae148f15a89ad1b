/** The Anthropic runner against a loopback Messages API, a real worktree and a real SQLite transcript. */
import { ApplicationFailure } from '@temporalio/common';
import { afterEach, describe, expect, it } from 'vitest';
import { createAnthropicRunner } from '../../activities/agents/anthropic-runner.js';
import { costUsd } from '../../activities/agents/pricing.js';
import { getSession } from '../../db/queries/agent-sessions.js';
import { startFakeAnthropic, type FakeAnthropic, type FakeAnthropicTurn } from '../support/fake-anthropic.js';
import { makeHarness, roles, waitFor } from '../support/runners-harness.js';

let fake: FakeAnthropic | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function setup(script: FakeAnthropicTurn[]) {
  fake = await startFakeAnthropic(script);
  const h = makeHarness();
  const runner = createAnthropicRunner({
    apiKey: 'sk-ant-test-key',
    baseURL: fake.url,
    makeToolbox: h.makeToolbox,
    env: process.env,
  });
  return { h, runner, fake };
}

interface AnthropicBody {
  model: string;
  stream: boolean;
  system: Array<{ type: string; text: string; cache_control?: unknown }>;
  tools: Array<{ name: string; cache_control?: unknown }>;
  messages: Array<{ role: string; content: unknown }>;
}
const body = (f: FakeAnthropic, i: number) => f.requests[i]?.body as AnthropicBody;

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('anthropic runner', () => {
  it('runs the tool loop: real edits land in the worktree, every message is a transcript row with tokens and dollars', async () => {
    const usage = {
      input_tokens: 1000,
      output_tokens: 200,
      cache_creation_input_tokens: 500,
      cache_read_input_tokens: 0,
    };
    const {
      h,
      runner,
      fake: f,
    } = await setup([
      {
        type: 'reply',
        text: 'I will create the file.',
        toolCalls: [{ name: 'write_file', input: { path: 'hello.txt', content: 'hello world\n' } }],
        usage,
      },
      {
        type: 'reply',
        toolCalls: [{ name: 'run_command', input: { command: 'cat hello.txt >> copy.txt' } }],
        usage: { input_tokens: 50, output_tokens: 20, cache_read_input_tokens: 1500 },
      },
      {
        type: 'reply',
        text: 'Created hello.txt and copy.txt.',
        usage: { input_tokens: 60, output_tokens: 10, cache_read_input_tokens: 1500 },
      },
    ]);
    const result = await runner.run(h.request(), h.context());
    expect(result.status).toBe('completed');
    expect(result.summary).toBe('Created hello.txt and copy.txt.');
    expect(h.read('hello.txt')).toBe('hello world\n');
    expect(h.read('copy.txt')).toBe('hello world\n');
    const rows = h.rows();
    expect(roles(rows)).toBe(
      'user assistant tool_call tool_result assistant tool_call tool_result assistant',
    );
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(h.heartbeats.at(-1)).toBe(8);

    // Caching: the system block and the last tool carry cache_control; the SDK sent the key and streamed.
    const first = body(f, 0);
    expect(first.stream).toBe(true);
    expect(first.system[0]).toMatchObject({
      text: 'You are a careful coding agent.',
      cache_control: { type: 'ephemeral' },
    });
    expect(first.tools.at(-1)?.cache_control).toEqual({ type: 'ephemeral' });
    expect(first.tools.slice(0, -1).every((t) => t.cache_control === undefined)).toBe(true);
    const auth = f.requests[0]?.headers;
    expect(auth?.['x-api-key'] ?? auth?.authorization).toMatch(/^(Bearer )?sk-ant-test-key$/);
    // The second request carries the tool_use and its result, as the real API requires.
    const second = body(f, 1).messages;
    expect(second.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    const toolUse = (second[1]?.content as Array<{ type: string; id?: string; input?: unknown }>).find(
      (b) => b.type === 'tool_use',
    );
    expect(toolUse?.input).toEqual({ path: 'hello.txt', content: 'hello world\n' });
    expect(second[2]?.content).toEqual([
      expect.objectContaining({ type: 'tool_result', tool_use_id: toolUse?.id }),
    ]);

    const firstAssistant = rows[1];
    expect(firstAssistant?.usage).toEqual({
      inputTokens: 1000,
      outputTokens: 200,
      cacheReadTokens: 0,
      cacheWriteTokens: 500,
    });
    expect(firstAssistant?.costUsd).toBeCloseTo((1000 * 3 + 200 * 15 + 500 * 3.75) / 1e6, 9);
    const expectedTotal = rows.reduce((s, r) => s + r.costUsd, 0);
    const session = getSession({ db: h.db, id: h.sessionId });
    expect(session?.costUsd).toBeCloseTo(expectedTotal, 9);
    expect(session?.cacheReadTokens).toBe(3000);
    expect(session?.status).toBe('completed');
    expect(result.costUsd).toBeCloseTo(expectedTotal, 9);
    expect(result.usage.inputTokens).toBe(1110);
    expect(firstAssistant?.model).toBe('claude-sonnet-4-6');
    expect(firstAssistant?.costUsd).toBe(
      costUsd(
        { inputTokens: 1000, outputTokens: 200, cacheReadTokens: 0, cacheWriteTokens: 500 },
        'claude-sonnet-4-6',
      ),
    );
    f.assertDone();
  });

  it('answers malformed tool arguments with an error result the model sees, and skips unknown stream events', async () => {
    const {
      h,
      runner,
      fake: f,
    } = await setup([
      {
        type: 'reply',
        extraEvents: [{ event: 'mystery_event', data: '{"type":"mystery_event","surprise":true}' }],
        toolCalls: [{ name: 'write_file', rawJson: '{"path": "bad.txt", "content": ' }],
      },
      { type: 'reply', toolCalls: [{ name: 'write_file', input: { path: 'good.txt', content: 'ok\n' } }] },
      { type: 'reply', text: 'Fixed my call.' },
    ]);
    const result = await runner.run(h.request(), h.context());
    expect(result.status).toBe('completed');
    expect(h.read('good.txt')).toBe('ok\n');
    expect(() => h.read('bad.txt')).toThrow();
    const rows = h.rows();
    expect(rows[1]?.content).toMatchObject({ warnings: [expect.stringContaining('mystery_event')] });
    expect(rows[2]?.content).toMatchObject({
      rawArguments: '{"path": "bad.txt", "content": ',
      parseError: expect.stringContaining('invalid JSON'),
    });
    expect(rows[3]?.content).toMatchObject({ ok: false, output: expect.stringContaining('were not valid') });
    const results = body(f, 1).messages[2]?.content as Array<{
      type: string;
      is_error?: boolean;
      content: string;
    }>;
    expect(results[0]).toMatchObject({ type: 'tool_result', is_error: true });
    expect(results[0]?.content).toContain('Nothing was run');
    f.assertDone();
  });

  it('maps 429 to a retryable ProviderUnavailable with retry-after, and the next attempt resumes without duplicating rows', async () => {
    const {
      h,
      runner,
      fake: f,
    } = await setup([
      { type: 'reply', toolCalls: [{ name: 'run_command', input: { command: 'echo ran >> runs.txt' } }] },
      { type: 'error', status: 429, retryAfter: '7' },
      { type: 'reply', text: 'Done after the rate limit.' },
    ]);
    const failure = await failureOf(runner.run(h.request(), h.context()));
    expect(failure.type).toBe('ProviderUnavailable');
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(7000);
    expect(roles(h.rows())).toBe('user assistant tool_call tool_result');
    expect(getSession({ db: h.db, id: h.sessionId })?.status).toBe('running');

    const result = await runner.run(h.request(), h.context({ attempt: 2, resumeFromSeq: 4 }));
    expect(result.status).toBe('completed');
    expect(roles(h.rows())).toBe('user assistant tool_call tool_result reset assistant');
    expect(h.rows()[4]?.content).toEqual({ attempt: 2, resumeFromSeq: 4 });
    expect(h.read('runs.txt')).toBe('ran\n');
    // The retried request is the same conversation the failed one sent.
    expect(body(f, 2).messages).toEqual(body(f, 1).messages);
    f.assertDone();
  });

  it('maps 401 to a non-retryable ProviderRejected and marks the session failed', async () => {
    const {
      h,
      runner,
      fake: f,
    } = await setup([{ type: 'error', status: 401, message: 'invalid x-api-key' }]);
    const failure = await failureOf(runner.run(h.request(), h.context()));
    expect(failure.type).toBe('ProviderRejected');
    expect(failure.nonRetryable).toBe(true);
    expect(getSession({ db: h.db, id: h.sessionId })?.status).toBe('failed');
    f.assertDone();
  });

  it('treats an overloaded error event inside the stream as retryable', async () => {
    const { h, runner, fake: f } = await setup([{ type: 'stream_error', errorType: 'overloaded_error' }]);
    const failure = await failureOf(runner.run(h.request(), h.context()));
    expect(failure.type).toBe('ProviderUnavailable');
    expect(failure.nonRetryable).toBe(false);
    expect(roles(h.rows())).toBe('user');
    f.assertDone();
  });

  it('resumes after a crash mid-stream: the executed command is not run again', async () => {
    const {
      h,
      runner,
      fake: f,
    } = await setup([
      {
        type: 'reply',
        text: 'Appending a line.',
        toolCalls: [{ name: 'run_command', input: { command: 'echo once >> count.txt' } }],
      },
      { type: 'hang' },
      { type: 'reply', text: 'All done.' },
    ]);
    const abort = new AbortController();
    const first = runner.run(h.request(), h.context({ signal: abort.signal })).then(
      () => 'resolved',
      () => 'rejected',
    );
    await waitFor(() => f.requests.length === 2);
    abort.abort();
    expect(await first).toBe('rejected');
    expect(roles(h.rows())).toBe('user assistant tool_call tool_result');

    const result = await runner.run(
      h.request(),
      h.context({ attempt: 2, resumeFromSeq: h.heartbeats.at(-1) ?? 0 }),
    );
    expect(result).toMatchObject({ status: 'completed', summary: 'All done.' });
    expect(h.read('count.txt')).toBe('once\n');
    expect(roles(h.rows())).toBe('user assistant tool_call tool_result reset assistant');
    f.assertDone();
  });

  it('executes a dangling tool call (recorded, never answered) exactly once, and a finished session is not re-run', async () => {
    const { h, runner, fake: f } = await setup([{ type: 'reply', text: 'Finished.' }]);
    h.transcript.append({ role: 'user', content: { text: 'Append a line' } });
    h.transcript.appendAll([
      { role: 'assistant', content: { text: '' } },
      {
        role: 'tool_call',
        toolCallId: 'toolu_dangling1',
        toolName: 'run_command',
        content: {
          input: { command: 'echo dangling >> d.txt' },
          rawArguments: '{"command":"echo dangling >> d.txt"}',
        },
      },
    ]);
    const result = await runner.run(h.request(), h.context({ attempt: 2 }));
    expect(result.status).toBe('completed');
    expect(h.read('d.txt')).toBe('dangling\n');
    expect(roles(h.rows())).toBe('user assistant tool_call reset tool_result assistant');
    // Another retry after completion: no model call (the fake has no turns left), no re-execution.
    const again = await runner.run(h.request(), h.context({ attempt: 3 }));
    expect(again).toMatchObject({ status: 'completed', summary: 'Finished.' });
    expect(h.read('d.txt')).toBe('dangling\n');
    f.assertDone();
  });

  it('stops with awaiting_budget when the budget is spent, then resumes after approval', async () => {
    const usage = { input_tokens: 10_000, output_tokens: 1000 };
    const {
      h,
      runner,
      fake: f,
    } = await setup([
      { type: 'reply', toolCalls: [{ name: 'write_file', input: { path: 'a.txt', content: 'a\n' } }], usage },
      { type: 'reply', text: 'Done within the raised budget.', usage },
    ]);
    h.budgetCapUsd = 0.04; // The first call costs 0.045.
    const first = await runner.run(h.request(), h.context());
    expect(first.status).toBe('awaiting_budget');
    expect(first.costUsd).toBeCloseTo(0.045, 9);
    expect(h.read('a.txt')).toBe('a\n');
    expect(getSession({ db: h.db, id: h.sessionId })?.status).toBe('awaiting_budget');
    expect(f.remaining()).toBe(1);

    h.budgetCapUsd = 1;
    const second = await runner.run(h.request(), h.context());
    expect(second).toMatchObject({ status: 'completed', summary: 'Done within the raised budget.' });
    expect(second.costUsd).toBeCloseTo(0.09, 9);
    expect(roles(h.rows())).toBe('user assistant tool_call tool_result assistant');
    f.assertDone();
  });

  it('stops at maxTurns', async () => {
    const call = { name: 'list_files', input: {} };
    const {
      h,
      runner,
      fake: f,
    } = await setup([
      { type: 'reply', text: 'Looking.', toolCalls: [call] },
      { type: 'reply', text: 'Still looking.', toolCalls: [call] },
    ]);
    const result = await runner.run(h.request({ maxTurns: 2 }), h.context());
    expect(result.status).toBe('completed');
    expect(result.summary).toContain('turn limit (2)');
    expect(roles(h.rows())).toBe('user assistant tool_call tool_result assistant tool_call tool_result');
    f.assertDone();
  });
});
