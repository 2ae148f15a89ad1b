/**
 * A loopback OpenAI Chat Completions API (`POST /v1/chat/completions`, `stream: true`) speaking the
 * real wire format: `data: {chunk}\n\n` lines ending in `data: [DONE]`, the role in the first
 * delta, text deltas, tool calls whose id/name arrive first and whose arguments arrive in later
 * chunks by index, a finish_reason chunk, and (with `stream_options.include_usage`) a final chunk
 * with empty choices and usage. Turns can also be HTTP errors, extra raw chunks, or a hang.
 */
import type http from 'node:http';
import { pieces, startFakeServer, type FakeServerCore } from './fake-sse-server.js';

export interface FakeOpenAIToolCall {
  id?: string;
  name: string;
  arguments?: Record<string, unknown>;
  /** Sent verbatim as the arguments string (to script malformed arguments). */
  rawArguments?: string;
}

export type FakeOpenAITurn =
  | {
      type: 'reply';
      text?: string;
      toolCalls?: FakeOpenAIToolCall[];
      usage?: { prompt_tokens?: number; completion_tokens?: number; cached_tokens?: number };
      model?: string;
      /** Raw `data:` payloads sent before the first real chunk (e.g. a chunk of an unknown shape). */
      extraData?: string[];
    }
  | { type: 'error'; status: number; retryAfter?: string; message?: string }
  /** Sends the first chunk, then never finishes. */
  | { type: 'hang' };

export type FakeOpenAI = FakeServerCore<FakeOpenAITurn>;

let counter = 0;

function reply(
  turn: Extract<FakeOpenAITurn, { type: 'reply' }>,
  res: http.ServerResponse,
  body: unknown,
): void {
  const b = (body ?? {}) as { model?: unknown; stream_options?: { include_usage?: unknown } };
  const model = turn.model ?? (typeof b.model === 'string' ? b.model : 'gpt-4.1');
  const id = `chatcmpl-fake${++counter}`;
  const created = Math.floor(Date.now() / 1000);
  const send = (choices: unknown[], usage: unknown = null) =>
    res.write(
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake', choices, usage })}\n\n`,
    );
  const choice = (delta: Record<string, unknown>, finish: string | null = null) => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finish,
  });
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'x-request-id': `req_${id}`,
  });
  for (const raw of turn.extraData ?? []) res.write(`data: ${raw}\n\n`);
  send([choice({ role: 'assistant', content: '', refusal: null })]);
  for (const piece of pieces(turn.text ?? '', 10)) send([choice({ content: piece })]);
  (turn.toolCalls ?? []).forEach((call, index) => {
    const callId = call.id ?? `call_fake${++counter}`;
    send([
      choice({
        tool_calls: [{ index, id: callId, type: 'function', function: { name: call.name, arguments: '' } }],
      }),
    ]);
    const args = call.rawArguments ?? JSON.stringify(call.arguments ?? {});
    for (const piece of pieces(args, 6))
      send([choice({ tool_calls: [{ index, function: { arguments: piece } }] })]);
  });
  send([choice({}, turn.toolCalls?.length ? 'tool_calls' : 'stop')]);
  if (b.stream_options?.include_usage === true) {
    const u = turn.usage ?? {};
    const prompt = u.prompt_tokens ?? 120;
    const completion = u.completion_tokens ?? 40;
    send([], {
      prompt_tokens: prompt,
      completion_tokens: completion,
      total_tokens: prompt + completion,
      prompt_tokens_details: { cached_tokens: u.cached_tokens ?? 0 },
    });
  }
  res.write('data: [DONE]\n\n');
  res.end();
}

/** Starts the fake; point the SDK at `${fake.url}/v1`. */
export function startFakeOpenAI(script: readonly FakeOpenAITurn[]): Promise<FakeOpenAI> {
  return startFakeServer<FakeOpenAITurn>('fake OpenAI', '/v1/chat/completions', script, (turn, res, req) => {
    switch (turn.type) {
      case 'reply':
        reply(turn, res, req.body);
        return;
      case 'error':
        res.writeHead(turn.status, {
          'content-type': 'application/json',
          ...(turn.retryAfter !== undefined ? { 'retry-after': turn.retryAfter } : {}),
        });
        res.end(
          JSON.stringify({
            error: {
              message: turn.message ?? `HTTP ${turn.status}`,
              type: turn.status === 429 ? 'rate_limit_exceeded' : 'server_error',
              param: null,
              code: null,
            },
          }),
        );
        return;
      case 'hang':
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(
          `data: ${JSON.stringify({ id: 'chatcmpl-hang', object: 'chat.completion.chunk', created: 0, model: 'gpt-4.1', choices: [{ index: 0, delta: { role: 'assistant', content: 'Working' }, finish_reason: null }] })}\n\n`,
        );
        return;
    }
  });
}
