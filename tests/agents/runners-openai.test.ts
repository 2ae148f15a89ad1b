/** The OpenAI-compatible runner against a loopback Chat Completions API, plus fallback between providers. */
import { ApplicationFailure } from '@temporalio/common';
import { afterEach, describe, expect, it } from 'vitest';
import { createAnthropicRunner } from '../../activities/agents/anthropic-runner.js';
import { createOpenAIRunner } from '../../activities/agents/openai-runner.js';
import { createFallbackRunner } from '../../activities/agents/runner.js';
import { getSession } from '../../db/queries/agent-sessions.js';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';
import { startFakeOpenAI, type FakeOpenAI, type FakeOpenAITurn } from '../support/fake-openai.js';
import { makeHarness, roles, waitFor } from '../support/runners-harness.js';

const fakes: Array<FakeOpenAI | FakeAnthropic> = [];
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.close();
});

async function setup(script: FakeOpenAITurn[], provider = 'openai') {
  const fake = await startFakeOpenAI(script);
  fakes.push(fake);
  const h = makeHarness();
  const runner = createOpenAIRunner({
    apiKey: 'sk-openai-test',
    baseURL: `${fake.url}/v1`,
    provider,
    makeToolbox: h.makeToolbox,
    env: process.env,
  });
  return { h, runner, fake };
}

interface ChatBody {
  model: string;
  stream: boolean;
  stream_options?: { include_usage?: boolean };
  tools: Array<{ type: string; function: { name: string; parameters: unknown } }>;
  messages: Array<{
    role: string;
    content: string | null;
    tool_call_id?: string;
    tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
  }>;
}
const body = (f: FakeOpenAI, i: number) => f.requests[i]?.body as ChatBody;

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

describe('openai runner', () => {
  it('accumulates tool-call argument deltas by index, edits the worktree, and records usage with cached tokens apart', async () => {
    const { h, runner, fake } = await setup([
      {
        type: 'reply',
        text: 'Writing two files.',
        toolCalls: [
          { name: 'write_file', arguments: { path: 'src/one.txt', content: 'first line\nsecond line\n' } },
          { name: 'run_command', arguments: { command: 'printf "two\\n" > two.txt' } },
        ],
        usage: { prompt_tokens: 2000, completion_tokens: 300, cached_tokens: 1500 },
      },
      {
        type: 'reply',
        text: 'Both files exist.',
        usage: { prompt_tokens: 2500, completion_tokens: 20, cached_tokens: 2000 },
      },
    ]);
    const result = await runner.run(h.request({ runner: 'openai', model: 'gpt-4.1' }), h.context());
    expect(result).toMatchObject({ status: 'completed', summary: 'Both files exist.', provider: 'openai' });
    expect(h.read('src/one.txt')).toBe('first line\nsecond line\n');
    expect(h.read('two.txt')).toBe('two\n');
    expect(roles(h.rows())).toBe('user assistant tool_call tool_call tool_result tool_result assistant');

    const first = body(fake, 0);
    expect(first.stream).toBe(true);
    expect(first.stream_options).toEqual({ include_usage: true });
    expect(first.messages[0]).toEqual({ role: 'system', content: 'You are a careful coding agent.' });
    expect(first.tools.map((t) => t.function.name)).toContain('run_command');
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-openai-test');
    const second = body(fake, 1).messages;
    expect(second.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'tool']);
    const calls = second[2]?.tool_calls ?? [];
    expect(JSON.parse(calls[0]?.function.arguments ?? '')).toEqual({
      path: 'src/one.txt',
      content: 'first line\nsecond line\n',
    });
    expect(second.slice(3).map((m) => m.tool_call_id)).toEqual(calls.map((c) => c.id));

    const assistant = h.rows()[1];
    expect(assistant?.usage).toEqual({
      inputTokens: 500,
      outputTokens: 300,
      cacheReadTokens: 1500,
      cacheWriteTokens: 0,
    });
    expect(assistant?.costUsd).toBeCloseTo((500 * 2 + 300 * 8 + 1500 * 0.5) / 1e6, 9);
    expect(getSession({ db: h.db, id: h.sessionId })).toMatchObject({
      inputTokens: 1000,
      cacheReadTokens: 3500,
      outputTokens: 320,
      status: 'completed',
      runner: 'openai',
      provider: 'openai',
      model: 'gpt-4.1',
    });
    fake.assertDone();
  });

  it('answers malformed arguments with an error tool message and ignores chunks of an unknown shape', async () => {
    const { h, runner, fake } = await setup(
      [
        {
          type: 'reply',
          extraData: ['{"object":"mystery","choices":"not-a-list"}'],
          toolCalls: [{ name: 'write_file', rawArguments: '{"path":"x.txt","content":"unterminated' }],
        },
        { type: 'reply', text: 'Giving up on x.txt.' },
      ],
      'ollama',
    );
    const result = await runner.run(h.request({ runner: 'openai', model: 'qwen2.5-coder:7b' }), h.context());
    expect(result).toMatchObject({ status: 'completed', provider: 'ollama', costUsd: 0 });
    expect(() => h.read('x.txt')).toThrow();
    const tool = body(fake, 1).messages.find((m) => m.role === 'tool');
    expect(tool?.content).toContain('were not valid');
    // The model's own (broken) arguments are sent back verbatim, so it can see what it sent.
    expect(
      body(fake, 1).messages.find((m) => m.role === 'assistant')?.tool_calls?.[0]?.function.arguments,
    ).toBe('{"path":"x.txt","content":"unterminated');
    expect(h.rows()[1]?.content).toMatchObject({
      warnings: [expect.stringContaining('malformed stream chunk')],
    });
    fake.assertDone();
  });

  it('maps 429 with retry-after to a retryable failure, and the retry resumes after a crash without re-running the command', async () => {
    const { h, runner, fake } = await setup([
      {
        type: 'reply',
        toolCalls: [{ name: 'run_command', arguments: { command: 'echo once >> count.txt' } }],
      },
      { type: 'error', status: 429, retryAfter: '3' },
      { type: 'hang' },
      { type: 'reply', text: 'Finished.' },
    ]);
    const failure = await failureOf(runner.run(h.request({ runner: 'openai' }), h.context()));
    expect(failure).toMatchObject({ type: 'ProviderUnavailable', nonRetryable: false, nextRetryDelay: 3000 });

    const abort = new AbortController();
    const second = runner
      .run(h.request({ runner: 'openai' }), h.context({ attempt: 2, signal: abort.signal }))
      .then(
        () => 'resolved',
        () => 'rejected',
      );
    await waitFor(() => fake.requests.length === 3);
    abort.abort();
    expect(await second).toBe('rejected');

    const result = await runner.run(h.request({ runner: 'openai' }), h.context({ attempt: 3 }));
    expect(result.status).toBe('completed');
    expect(h.read('count.txt')).toBe('once\n');
    expect(roles(h.rows())).toBe('user assistant tool_call tool_result reset reset assistant');
    fake.assertDone();
  });

  it('maps 400 to a non-retryable ProviderRejected', async () => {
    const { h, runner, fake } = await setup([{ type: 'error', status: 400, message: 'model not found' }]);
    const failure = await failureOf(runner.run(h.request({ runner: 'openai' }), h.context()));
    expect(failure).toMatchObject({ type: 'ProviderRejected', nonRetryable: true });
    fake.assertDone();
  });
});

describe('fallback runner', () => {
  it('switches to the secondary provider after the configured attempts and continues the same transcript', async () => {
    const anthropic = await startFakeAnthropic([
      {
        type: 'reply',
        text: 'Step one.',
        toolCalls: [{ id: 'toolu_01abc', name: 'write_file', input: { path: 'one.txt', content: '1\n' } }],
      },
      { type: 'error', status: 529, errorType: 'overloaded_error' },
    ]);
    const openai = await startFakeOpenAI([{ type: 'reply', text: 'Finished on the fallback.' }]);
    fakes.push(anthropic, openai);
    const h = makeHarness();
    const runner = createFallbackRunner(
      createAnthropicRunner({
        apiKey: 'k',
        baseURL: anthropic.url,
        makeToolbox: h.makeToolbox,
        env: process.env,
      }),
      createOpenAIRunner({
        apiKey: 'k',
        baseURL: `${openai.url}/v1`,
        makeToolbox: h.makeToolbox,
        env: process.env,
      }),
      { switchAfterAttempts: 1, secondaryModel: 'gpt-4.1-mini' },
    );
    const failure = await failureOf(runner.run(h.request({ model: 'claude-sonnet-4-6' }), h.context()));
    expect(failure.type).toBe('ProviderUnavailable');

    const result = await runner.run(h.request({ model: 'claude-sonnet-4-6' }), h.context({ attempt: 2 }));
    expect(result).toMatchObject({
      status: 'completed',
      summary: 'Finished on the fallback.',
      provider: 'openai',
      fellBackTo: 'openai',
    });
    const sent = body(openai, 0);
    expect(sent.model).toBe('gpt-4.1-mini');
    expect(sent.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(sent.messages[2]?.tool_calls?.[0]?.id).toBe('toolu_01abc');
    expect(h.read('one.txt')).toBe('1\n');
    expect(getSession({ db: h.db, id: h.sessionId })).toMatchObject({
      runner: 'openai',
      provider: 'openai',
      model: 'gpt-4.1-mini',
    });
    anthropic.assertDone();
    openai.assertDone();
  });
});
