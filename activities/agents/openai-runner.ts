/**
 * The OpenAI-compatible Chat Completions runner (OpenAI, Ollama at http://localhost:11434/v1,
 * vLLM, OpenRouter): the shared tool loop over `POST /chat/completions` with `stream: true` and
 * `stream_options.include_usage`. Tool-call argument deltas are accumulated by index; arguments
 * that are not a JSON object become an error result the model sees.
 */
import OpenAI from 'openai';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { zeroUsage } from '../../core/agent.js';
import type { AgentRunner } from './runner.js';
import { withIdleTimeout } from './stream-idle.js';
import {
  runToolLoop,
  type ConversationItem,
  type ModelAdapter,
  type ModelCall,
  type ModelResponse,
  type NeutralToolCall,
  type ToolLoopDeps,
} from './tool-loop.js';

/** @default 'gpt-4.1' */
export const DEFAULT_OPENAI_MODEL = 'gpt-4.1';

export interface OpenAIRunnerDeps extends ToolLoopDeps {
  /** OPENAI_API_KEY; local servers (Ollama, vLLM) accept any value. @default 'not-needed' */
  apiKey?: string;
  /** Including `/v1`. @default https://api.openai.com/v1 */
  baseURL?: string;
  /** @default DEFAULT_OPENAI_MODEL */
  defaultModel?: string;
  /** Provider label for results and transcript rows (`openai`, `ollama`, `openrouter`, `vllm`). @default 'openai' */
  provider?: string;
  /** Time to the response headers. @default 600000 */
  requestTimeoutMs?: number;
  /** Abort a stream that sends nothing for this long. @default 120000 */
  streamIdleTimeoutMs?: number;
}

const chunkSchema = z.object({
  model: z.string().optional(),
  choices: z.array(
    z.object({
      index: z.number().int().optional(),
      delta: z
        .object({
          content: z.string().nullish(),
          tool_calls: z
            .array(
              z.object({
                index: z.number().int(),
                id: z.string().nullish(),
                function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
              }),
            )
            .nullish(),
        })
        .nullish(),
      finish_reason: z.string().nullish(),
    }),
  ),
  usage: z
    .object({
      prompt_tokens: z.number().nullish(),
      completion_tokens: z.number().nullish(),
      prompt_tokens_details: z.object({ cached_tokens: z.number().nullish() }).nullish(),
    })
    .nullish(),
});

export function toOpenAIMessages(
  systemPrompt: string,
  conversation: readonly ConversationItem[],
): OpenAI.ChatCompletionMessageParam[] {
  const out: OpenAI.ChatCompletionMessageParam[] = systemPrompt
    ? [{ role: 'system', content: systemPrompt }]
    : [];
  for (const item of conversation) {
    if (item.kind === 'user') out.push({ role: 'user', content: item.text });
    else if (item.kind === 'tool_result')
      out.push({ role: 'tool', tool_call_id: item.toolCallId, content: item.output || '(no output)' });
    else {
      out.push({
        role: 'assistant',
        content: item.text || null,
        ...(item.toolCalls.length
          ? {
              tool_calls: item.toolCalls.map((c) => ({
                id: c.id,
                type: 'function' as const,
                function: { name: c.name || 'unknown_tool', arguments: c.rawArguments },
              })),
            }
          : {}),
      });
    }
  }
  return out;
}

interface PartialCall {
  id: string | null;
  name: string;
  args: string;
}

function finishCall(p: PartialCall, index: number): NeutralToolCall {
  const id = p.id || `call_${randomUUID().replace(/-/g, '')}`;
  if (!p.name)
    return {
      id,
      name: '',
      input: null,
      rawArguments: p.args,
      parseError: `tool call #${index} has no function name`,
    };
  try {
    const input: unknown = JSON.parse(p.args.trim() === '' ? '{}' : p.args);
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      return {
        id,
        name: p.name,
        input: null,
        rawArguments: p.args,
        parseError: 'arguments must be a JSON object',
      };
    }
    return { id, name: p.name, input, rawArguments: p.args };
  } catch (err) {
    return {
      id,
      name: p.name,
      input: null,
      rawArguments: p.args,
      parseError: `invalid JSON (${(err as Error).message})`,
    };
  }
}

async function callOpenAI(client: OpenAI, c: ModelCall, idleMs: number): Promise<ModelResponse> {
  const tools: OpenAI.ChatCompletionFunctionTool[] = c.tools.map((t) => ({
    type: 'function',
    function: { name: t.name, description: t.description, parameters: t.inputSchema },
  }));
  return withIdleTimeout(c.signal, idleMs, async (signal, touch) => {
    const stream = await client.chat.completions.create(
      {
        model: c.model,
        messages: toOpenAIMessages(c.systemPrompt, c.conversation),
        ...(tools.length ? { tools } : {}),
        stream: true,
        stream_options: { include_usage: true },
      },
      { signal },
    );
    const calls = new Map<number, PartialCall>();
    const usage = zeroUsage();
    const warnings: string[] = [];
    let text = '';
    let model = c.model;
    let stopReason: string | null = null;
    let chunks = 0;
    for await (const raw of stream as AsyncIterable<unknown>) {
      touch();
      c.onProgress();
      chunks += 1;
      const parsed = chunkSchema.safeParse(raw);
      if (!parsed.success) {
        warnings.push(
          `ignored malformed stream chunk #${chunks}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
        continue;
      }
      const chunk = parsed.data;
      model = chunk.model || model;
      for (const choice of chunk.choices) {
        if (choice.delta?.content) {
          text += choice.delta.content;
          c.onDelta?.({ kind: 'text', text: choice.delta.content });
        }
        for (const d of choice.delta?.tool_calls ?? []) {
          const known = calls.get(d.index);
          const p = known ?? { id: null, name: '', args: '' };
          if (d.id) p.id = d.id;
          if (d.function?.name) p.name += d.function.name;
          if (!known && p.name)
            c.onDelta?.({ kind: 'tool_use', toolCallId: p.id ?? `call_${d.index}`, name: p.name });
          if (d.function?.arguments) p.args += d.function.arguments;
          calls.set(d.index, p);
        }
        if (choice.finish_reason) stopReason = choice.finish_reason;
      }
      if (chunk.usage) {
        const cached = chunk.usage.prompt_tokens_details?.cached_tokens ?? 0;
        // OpenAI counts cached tokens inside prompt_tokens; the transcript keeps them apart.
        usage.inputTokens = Math.max(0, (chunk.usage.prompt_tokens ?? 0) - cached);
        usage.cacheReadTokens = cached;
        usage.outputTokens = chunk.usage.completion_tokens ?? 0;
      }
    }
    signal.throwIfAborted();
    if (stopReason === null) throw new Error('the stream ended without a finish_reason');
    return {
      text,
      toolCalls: [...calls.entries()].sort(([a], [b]) => a - b).map(([i, p]) => finishCall(p, i)),
      usage,
      model,
      stopReason,
      warnings,
    };
  });
}

export function createOpenAIRunner(deps: OpenAIRunnerDeps): AgentRunner {
  const provider = deps.provider ?? 'openai';
  // Temporal owns retries: the SDK must not retry behind its back.
  const client = new OpenAI({
    apiKey: deps.apiKey || 'not-needed',
    baseURL: deps.baseURL,
    maxRetries: 0,
    timeout: deps.requestTimeoutMs ?? 600_000,
  });
  const adapter: ModelAdapter = {
    runner: 'openai',
    provider,
    defaultModel: deps.defaultModel ?? DEFAULT_OPENAI_MODEL,
    call: (c) => callOpenAI(client, c, deps.streamIdleTimeoutMs ?? 120_000),
  };
  return { name: 'openai', provider, run: (req, ctx) => runToolLoop(adapter, deps, req, ctx) };
}
