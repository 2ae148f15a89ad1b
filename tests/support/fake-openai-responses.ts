/**
 * A loopback OpenAI Responses API (`POST /v1/responses`, `stream: true`), the wire Codex speaks,
 * in the documented streaming format: server-sent events `event: <type>` / `data: {json}` with a
 * `sequence_number`, in the order OpenAI documents them: `response.created`,
 * `response.in_progress`, per output item `response.output_item.added`, for a message
 * `response.content_part.added`, `response.output_text.delta`..., `response.output_text.done`,
 * `response.content_part.done`, for a function call `response.function_call_arguments.delta`...,
 * `response.function_call_arguments.done`, then `response.output_item.done`, and finally
 * `response.completed` carrying the whole response with `usage` (`input_tokens`,
 * `input_tokens_details.cached_tokens`, `output_tokens`, `output_tokens_details.reasoning_tokens`,
 * `total_tokens`). Turns can also be HTTP errors. `GET .../models` (a client's model-list probe) is
 * answered with an empty list and recorded in `side`, never taken as a turn.
 */
import fs from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { pieces, startFakeServer, type FakeServerCore } from './fake-sse-server.js';

export interface FakeResponsesToolCall {
  callId: string;
  name: string;
  arguments: Record<string, unknown>;
}

export type FakeResponsesTurn =
  | {
      type: 'reply';
      text?: string;
      toolCalls?: FakeResponsesToolCall[];
      usage?: { input_tokens?: number; output_tokens?: number; cached_tokens?: number };
      /** Wait this long before answering (a call still in flight when the agent dies). */
      delayMs?: number;
    }
  | { type: 'error'; status: number; message?: string };

export type FakeResponses = FakeServerCore<FakeResponsesTurn> & {
  /** Requests that were not model calls (model-list probes), in order. */
  side: Array<{ method: string; path: string }>;
};

let counter = 0;

function reply(turn: Extract<FakeResponsesTurn, { type: 'reply' }>, res: http.ServerResponse, body: unknown) {
  const b = (body ?? {}) as { model?: unknown };
  const model = typeof b.model === 'string' ? b.model : 'gpt-5.1-codex';
  const id = `resp_fake${++counter}`;
  let seq = 0;
  const send = (type: string, data: Record<string, unknown>) =>
    res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data, sequence_number: seq++ })}\n\n`);
  const envelope = (status: string, output: unknown[], usage: unknown) => ({
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    error: null,
    incomplete_details: null,
    model,
    output,
    parallel_tool_calls: true,
    usage,
  });
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    'x-request-id': `req_${id}`,
  });
  send('response.created', { response: envelope('in_progress', [], null) });
  send('response.in_progress', { response: envelope('in_progress', [], null) });
  const output: Record<string, unknown>[] = [];
  if (turn.text) {
    const itemId = `msg_fake${++counter}`;
    const output_index = output.length;
    const part = (text: string) => ({ type: 'output_text', text, annotations: [] });
    send('response.output_item.added', {
      output_index,
      item: { id: itemId, type: 'message', status: 'in_progress', role: 'assistant', content: [] },
    });
    send('response.content_part.added', { item_id: itemId, output_index, content_index: 0, part: part('') });
    for (const delta of pieces(turn.text, 10))
      send('response.output_text.delta', {
        item_id: itemId,
        output_index,
        content_index: 0,
        delta,
        logprobs: [],
      });
    send('response.output_text.done', {
      item_id: itemId,
      output_index,
      content_index: 0,
      text: turn.text,
      logprobs: [],
    });
    send('response.content_part.done', {
      item_id: itemId,
      output_index,
      content_index: 0,
      part: part(turn.text),
    });
    const item = {
      id: itemId,
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [part(turn.text)],
    };
    send('response.output_item.done', { output_index, item });
    output.push(item);
  }
  for (const call of turn.toolCalls ?? []) {
    const itemId = `fc_fake${++counter}`;
    const output_index = output.length;
    const args = JSON.stringify(call.arguments);
    const item = (status: string, argsSoFar: string) => ({
      id: itemId,
      type: 'function_call',
      status,
      call_id: call.callId,
      name: call.name,
      arguments: argsSoFar,
    });
    send('response.output_item.added', { output_index, item: item('in_progress', '') });
    for (const delta of pieces(args, 12))
      send('response.function_call_arguments.delta', { item_id: itemId, output_index, delta });
    send('response.function_call_arguments.done', { item_id: itemId, output_index, arguments: args });
    send('response.output_item.done', { output_index, item: item('completed', args) });
    output.push(item('completed', args));
  }
  const u = turn.usage ?? {};
  const input = u.input_tokens ?? 200;
  const out = u.output_tokens ?? 30;
  send('response.completed', {
    response: envelope('completed', output, {
      input_tokens: input,
      input_tokens_details: { cached_tokens: u.cached_tokens ?? 0 },
      output_tokens: out,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: input + out,
    }),
  });
  res.end();
}

/** Starts the fake; a client's base URL is `${fake.url}/v1`. */
export async function startFakeResponses(script: readonly FakeResponsesTurn[]): Promise<FakeResponses> {
  const side: Array<{ method: string; path: string }> = [];
  const core = await startFakeServer<FakeResponsesTurn>(
    'fake OpenAI Responses',
    '/v1/responses',
    script,
    (turn, res, req) => {
      if (turn.type === 'error') {
        res.writeHead(turn.status, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: {
              message: turn.message ?? `HTTP ${turn.status}`,
              type: 'server_error',
              param: null,
              code: null,
            },
          }),
        );
        return;
      }
      if (turn.delayMs) setTimeout(() => reply(turn, res, req.body), turn.delayMs);
      else reply(turn, res, req.body);
    },
    {
      sideRequests: side,
      side: (req, res) => {
        if (req.method !== 'GET' || !req.path.endsWith('/models')) return false;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [], models: [] }));
        return true;
      },
    },
  );
  return Object.assign(core, { side });
}

/**
 * A throwaway CODEX_HOME whose `config.toml` points Codex at the fake: a custom provider with
 * `base_url` = the fake, `wire_api = "responses"` (the only one Codex 0.16's core accepts), the key
 * from OPENAI_API_KEY, no retries and no websocket transport. Codex's own sandbox needs bubblewrap,
 * which this machine lacks (`bubblewrap is unavailable: no system bwrap was found on PATH`), so
 * commands run unsandboxed with `approval_policy = "untrusted"`: every command that is not on
 * Codex's known-safe list comes to Ratchet as a `session/request_permission`.
 */
export function writeCodexHome(fakeUrl: string, dir: string): string {
  fs.writeFileSync(
    path.join(dir, 'config.toml'),
    [
      'model = "gpt-5.4-mini"',
      'model_provider = "fake"',
      'sandbox_mode = "danger-full-access"',
      'approval_policy = "untrusted"',
      '',
      '[model_providers.fake]',
      'name = "fake"',
      `base_url = "${fakeUrl}/v1"`,
      'env_key = "OPENAI_API_KEY"',
      'wire_api = "responses"',
      'request_max_retries = 0',
      'stream_max_retries = 0',
      'supports_websockets = false',
      '',
    ].join('\n'),
  );
  return dir;
}
