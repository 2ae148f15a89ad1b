/**
 * A loopback Anthropic Messages API (`POST /v1/messages`, `stream: true`) speaking the real SSE
 * framing: message_start, ping, content_block_start / content_block_delta (text_delta,
 * input_json_delta split across events) / content_block_stop, message_delta (stop_reason, usage),
 * message_stop. Scripted turns can also answer with an HTTP error (429 + retry-after, 529
 * overloaded), an `error` event mid-stream, malformed events, or a stream that hangs.
 */
import type http from 'node:http';
import { pieces, startFakeServer, type FakeServerCore } from './fake-sse-server.js';

export interface FakeAnthropicToolCall {
  id?: string;
  name: string;
  input?: Record<string, unknown>;
  /** Sent verbatim as the input JSON (to script malformed arguments). */
  rawJson?: string;
}

export interface FakeAnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

export type FakeAnthropicTurn =
  | {
      type: 'reply';
      text?: string;
      toolCalls?: FakeAnthropicToolCall[];
      usage?: FakeAnthropicUsage;
      model?: string;
      stopReason?: string;
      /** Extra raw SSE events sent after message_start (e.g. an unknown event type). */
      extraEvents?: Array<{ event: string; data: string }>;
      /**
       * Answer only after this long (a model call in flight). A client gone by then gets
       * nothing, and the turn counts as served.
       */
      delayMs?: number;
      /**
       * Pause this long between text deltas (a model that streams slowly), so a test can look at
       * the page while the message is still incomplete. @default 0
       */
      chunkDelayMs?: number;
      /** Characters per text delta. @default 12 */
      chunkSize?: number;
    }
  | { type: 'error'; status: number; retryAfter?: string; errorType?: string; message?: string }
  /** HTTP 200, then an `event: error` mid-stream (how overloaded errors arrive once streaming started). */
  | { type: 'stream_error'; errorType: string; message?: string }
  /** Sends message_start and a first text delta, then never finishes. */
  | { type: 'hang' };

export type FakeAnthropic = FakeServerCore<FakeAnthropicTurn>;

function sse(res: http.ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}

let counter = 0;

function startStream(res: http.ServerResponse, model: string, usage: FakeAnthropicUsage): string {
  const id = `msg_fake${++counter}`;
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'request-id': `req_${id}`,
  });
  sse(res, 'message_start', {
    type: 'message_start',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: usage.input_tokens ?? 100,
        output_tokens: 1,
        cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
        cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
      },
    },
  });
  sse(res, 'ping', { type: 'ping' });
  return id;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A reply whose text deltas are spaced by `chunkDelayMs`; stops quietly when the client goes. */
async function slowReply(
  turn: Extract<FakeAnthropicTurn, { type: 'reply' }>,
  res: http.ServerResponse,
  body: unknown,
): Promise<void> {
  const requested =
    body && typeof body === 'object' && 'model' in body
      ? String((body as { model: unknown }).model)
      : 'claude-sonnet-4-6';
  const usage = turn.usage ?? {};
  startStream(res, turn.model ?? requested, usage);
  sse(res, 'content_block_start', {
    type: 'content_block_start',
    index: 0,
    content_block: { type: 'text', text: '' },
  });
  for (const piece of pieces(turn.text ?? '', turn.chunkSize ?? 12)) {
    await sleep(turn.chunkDelayMs ?? 0);
    if (res.destroyed || res.writableEnded) return;
    sse(res, 'content_block_delta', {
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: piece },
    });
  }
  sse(res, 'content_block_stop', { type: 'content_block_stop', index: 0 });
  sse(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: turn.stopReason ?? 'end_turn', stop_sequence: null },
    usage: { output_tokens: usage.output_tokens ?? 50 },
  });
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

function reply(
  turn: Extract<FakeAnthropicTurn, { type: 'reply' }>,
  res: http.ServerResponse,
  body: unknown,
): void {
  if (turn.chunkDelayMs) {
    if (turn.toolCalls?.length) throw new Error('fake Anthropic: chunkDelayMs is for text-only replies');
    void slowReply(turn, res, body);
    return;
  }
  const requested =
    body && typeof body === 'object' && 'model' in body
      ? String((body as { model: unknown }).model)
      : 'claude-sonnet-4-6';
  const usage = turn.usage ?? {};
  startStream(res, turn.model ?? requested, usage);
  for (const e of turn.extraEvents ?? []) res.write(`event: ${e.event}\ndata: ${e.data}\n\n`);
  let index = 0;
  if (turn.text !== undefined) {
    sse(res, 'content_block_start', {
      type: 'content_block_start',
      index,
      content_block: { type: 'text', text: '' },
    });
    for (const piece of pieces(turn.text, 12))
      sse(res, 'content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'text_delta', text: piece },
      });
    sse(res, 'content_block_stop', { type: 'content_block_stop', index });
    index += 1;
  }
  for (const call of turn.toolCalls ?? []) {
    const id = call.id ?? `toolu_fake${++counter}`;
    sse(res, 'content_block_start', {
      type: 'content_block_start',
      index,
      content_block: { type: 'tool_use', id, name: call.name, input: {} },
    });
    const json = call.rawJson ?? JSON.stringify(call.input ?? {});
    for (const piece of pieces(json, 7))
      sse(res, 'content_block_delta', {
        type: 'content_block_delta',
        index,
        delta: { type: 'input_json_delta', partial_json: piece },
      });
    sse(res, 'content_block_stop', { type: 'content_block_stop', index });
    index += 1;
  }
  const stopReason = turn.stopReason ?? (turn.toolCalls?.length ? 'tool_use' : 'end_turn');
  sse(res, 'message_delta', {
    type: 'message_delta',
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { output_tokens: usage.output_tokens ?? 50 },
  });
  sse(res, 'message_stop', { type: 'message_stop' });
  res.end();
}

/** Starts the fake; point the SDK at `fake.url` (the SDK appends `/v1/messages`). */
export function startFakeAnthropic(script: readonly FakeAnthropicTurn[]): Promise<FakeAnthropic> {
  return startFakeServer<FakeAnthropicTurn>('fake Anthropic', '/v1/messages', script, (turn, res, req) => {
    switch (turn.type) {
      case 'reply':
        if (turn.delayMs) {
          setTimeout(() => {
            if (!res.destroyed && !res.writableEnded) reply(turn, res, req.body);
          }, turn.delayMs).unref();
        } else reply(turn, res, req.body);
        return;
      case 'error': {
        const errorType =
          turn.errorType ??
          (turn.status === 429
            ? 'rate_limit_error'
            : turn.status === 529
              ? 'overloaded_error'
              : turn.status >= 500
                ? 'api_error'
                : 'invalid_request_error');
        res.writeHead(turn.status, {
          'content-type': 'application/json',
          ...(turn.retryAfter !== undefined ? { 'retry-after': turn.retryAfter } : {}),
        });
        res.end(
          JSON.stringify({ type: 'error', error: { type: errorType, message: turn.message ?? errorType } }),
        );
        return;
      }
      case 'stream_error':
        startStream(res, 'claude-sonnet-4-6', {});
        sse(res, 'error', {
          type: 'error',
          error: { type: turn.errorType, message: turn.message ?? turn.errorType },
        });
        res.end();
        return;
      case 'hang':
        startStream(res, 'claude-sonnet-4-6', {});
        sse(res, 'content_block_start', {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'text', text: '' },
        });
        sse(res, 'content_block_delta', {
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'text_delta', text: 'Working on' },
        });
        // Never ends; close() tears the connection down.
        return;
    }
  });
}
