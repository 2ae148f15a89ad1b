/**
 * The Anthropic Messages runner: the shared tool loop over `POST /v1/messages` with `stream: true`.
 * It reads the raw SSE events itself (rather than the SDK's MessageStream helper, which aborts the
 * whole stream on one bad tool-argument JSON) so a malformed tool call becomes an error result the
 * model sees. Prompt caching marks the system prompt and the last tool definition.
 */
import Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import { zeroUsage, type TokenUsage } from '../../core/agent.js';
import type { AgentRunner } from './runner.js';
import {
  runToolLoop,
  type ConversationItem,
  type ModelAdapter,
  type ModelCall,
  type ModelResponse,
  type NeutralToolCall,
  type ToolLoopDeps,
} from './tool-loop.js';
import { withIdleTimeout } from './stream-idle.js';

/** @default 'claude-sonnet-4-6' */
export const DEFAULT_ANTHROPIC_MODEL = 'claude-sonnet-4-6';

export interface AnthropicRunnerDeps extends ToolLoopDeps {
  /** ANTHROPIC_API_KEY. */
  apiKey: string;
  /** ANTHROPIC_BASE_URL (without `/v1`). @default https://api.anthropic.com */
  baseURL?: string;
  /** @default DEFAULT_ANTHROPIC_MODEL */
  defaultModel?: string;
  /** @default 8192 */
  maxTokens?: number;
  /** Time to the response headers. @default 600000 */
  requestTimeoutMs?: number;
  /** Abort a stream that sends nothing (not even a ping) for this long. @default 120000 */
  streamIdleTimeoutMs?: number;
  /** Provider label for results and transcript rows. @default 'anthropic' */
  provider?: string;
}

const usageSchema = z.object({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
});

const eventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('message_start'),
    message: z.object({ model: z.string().optional(), usage: usageSchema.optional() }),
  }),
  z.object({
    type: z.literal('content_block_start'),
    index: z.number().int(),
    content_block: z.object({
      type: z.string(),
      text: z.string().optional(),
      id: z.string().optional(),
      name: z.string().optional(),
      input: z.unknown().optional(),
    }),
  }),
  z.object({
    type: z.literal('content_block_delta'),
    index: z.number().int(),
    delta: z.object({ type: z.string(), text: z.string().optional(), partial_json: z.string().optional() }),
  }),
  z.object({ type: z.literal('content_block_stop'), index: z.number().int() }),
  z.object({
    type: z.literal('message_delta'),
    delta: z.object({ stop_reason: z.string().nullish() }),
    usage: usageSchema.nullish(),
  }),
  z.object({ type: z.literal('message_stop') }),
]);

type Block =
  | { kind: 'text'; text: string }
  | { kind: 'tool'; id: string; name: string; json: string; startInput: unknown }
  | { kind: 'other' };

/** Anthropic tool_use ids must match ^[a-zA-Z0-9_-]+$; ids from another provider are mapped. */
const toolUseId = (id: string) => id.replace(/[^a-zA-Z0-9_-]/g, '_') || 'tool_call';

export function toAnthropicMessages(conversation: readonly ConversationItem[]): Anthropic.MessageParam[] {
  const out: Anthropic.MessageParam[] = [];
  for (const item of conversation) {
    if (item.kind === 'user') {
      out.push({ role: 'user', content: item.text || '(empty message)' });
    } else if (item.kind === 'assistant') {
      const blocks: Anthropic.ContentBlockParam[] = [];
      if (item.text) blocks.push({ type: 'text', text: item.text });
      for (const call of item.toolCalls) {
        const input =
          call.input !== null && typeof call.input === 'object' && !Array.isArray(call.input)
            ? call.input
            : {};
        blocks.push({ type: 'tool_use', id: toolUseId(call.id), name: call.name || 'unknown_tool', input });
      }
      out.push({
        role: 'assistant',
        content: blocks.length ? blocks : [{ type: 'text', text: '(no output)' }],
      });
    } else {
      const block: Anthropic.ToolResultBlockParam = {
        type: 'tool_result',
        tool_use_id: toolUseId(item.toolCallId),
        content: item.output || '(no output)',
        ...(item.isError ? { is_error: true } : {}),
      };
      // All results answering one assistant message travel in a single user message.
      const prev = out[out.length - 1];
      if (
        prev?.role === 'user' &&
        Array.isArray(prev.content) &&
        prev.content.every((b) => b.type === 'tool_result')
      )
        prev.content.push(block);
      else out.push({ role: 'user', content: [block] });
    }
  }
  return out;
}

function parseToolInput(block: Extract<Block, { kind: 'tool' }>): NeutralToolCall {
  const rawArguments = block.json !== '' ? block.json : JSON.stringify(block.startInput ?? {});
  if (!block.name)
    return {
      id: block.id,
      name: '',
      input: null,
      rawArguments,
      parseError: 'the tool_use block has no tool name',
    };
  try {
    const input: unknown = JSON.parse(rawArguments);
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      return {
        id: block.id,
        name: block.name,
        input: null,
        rawArguments,
        parseError: 'arguments must be a JSON object',
      };
    }
    return { id: block.id, name: block.name, input, rawArguments };
  } catch (err) {
    return {
      id: block.id,
      name: block.name,
      input: null,
      rawArguments,
      parseError: `invalid JSON (${(err as Error).message})`,
    };
  }
}

function mergeUsage(usage: TokenUsage, u: z.infer<typeof usageSchema> | null | undefined): void {
  if (!u) return;
  if (typeof u.input_tokens === 'number') usage.inputTokens = u.input_tokens;
  if (typeof u.output_tokens === 'number') usage.outputTokens = u.output_tokens;
  if (typeof u.cache_creation_input_tokens === 'number')
    usage.cacheWriteTokens = u.cache_creation_input_tokens;
  if (typeof u.cache_read_input_tokens === 'number') usage.cacheReadTokens = u.cache_read_input_tokens;
}

async function callAnthropic(
  client: Anthropic,
  c: ModelCall,
  opts: { maxTokens: number; idleMs: number },
): Promise<ModelResponse> {
  const tools: Anthropic.Tool[] = c.tools.map((t, i) => ({
    name: t.name,
    description: t.description,
    input_schema: { ...t.inputSchema, type: 'object' } as Anthropic.Tool.InputSchema,
    ...(i === c.tools.length - 1 ? { cache_control: { type: 'ephemeral' as const } } : {}),
  }));
  return withIdleTimeout(c.signal, opts.idleMs, async (signal, touch) => {
    const stream = await client.messages.create(
      {
        model: c.model,
        max_tokens: opts.maxTokens,
        ...(c.systemPrompt
          ? {
              system: [
                {
                  type: 'text' as const,
                  text: c.systemPrompt,
                  cache_control: { type: 'ephemeral' as const },
                },
              ],
            }
          : {}),
        ...(tools.length ? { tools } : {}),
        messages: toAnthropicMessages(c.conversation),
        stream: true,
      },
      { signal },
    );
    const blocks = new Map<number, Block>();
    const usage = zeroUsage();
    const warnings: string[] = [];
    let model = c.model;
    let stopReason: string | null = null;
    let stopped = false;
    for await (const raw of stream as AsyncIterable<unknown>) {
      touch();
      c.onProgress();
      const parsed = eventSchema.safeParse(raw);
      if (!parsed.success) {
        const type =
          raw && typeof raw === 'object' && 'type' in raw
            ? String((raw as { type: unknown }).type)
            : typeof raw;
        warnings.push(`ignored malformed or unknown stream event ${JSON.stringify(type)}`);
        continue;
      }
      const ev = parsed.data;
      if (ev.type === 'message_start') {
        model = ev.message.model ?? model;
        mergeUsage(usage, ev.message.usage);
      } else if (ev.type === 'content_block_start') {
        const b = ev.content_block;
        if (b.type === 'text') blocks.set(ev.index, { kind: 'text', text: b.text ?? '' });
        else if (b.type === 'tool_use') {
          const id = b.id || `toolu_missing_${ev.index}_${Date.now()}`;
          blocks.set(ev.index, { kind: 'tool', id, name: b.name ?? '', json: '', startInput: b.input });
          c.onDelta?.({ kind: 'tool_use', toolCallId: id, name: b.name ?? '' });
        } else blocks.set(ev.index, { kind: 'other' });
      } else if (ev.type === 'content_block_delta') {
        const block = blocks.get(ev.index);
        if (block?.kind === 'text' && ev.delta.type === 'text_delta') {
          block.text += ev.delta.text ?? '';
          if (ev.delta.text) c.onDelta?.({ kind: 'text', text: ev.delta.text });
        } else if (block?.kind === 'tool' && ev.delta.type === 'input_json_delta')
          block.json += ev.delta.partial_json ?? '';
        else if (!block) warnings.push(`ignored a delta for unknown content block ${ev.index}`);
      } else if (ev.type === 'message_delta') {
        stopReason = ev.delta.stop_reason ?? stopReason;
        mergeUsage(usage, ev.usage);
      } else if (ev.type === 'message_stop') {
        stopped = true;
      }
    }
    signal.throwIfAborted();
    if (!stopped) throw new Error('the stream ended before message_stop');
    const ordered = [...blocks.entries()].sort(([a], [b]) => a - b).map(([, b]) => b);
    return {
      text: ordered.flatMap((b) => (b.kind === 'text' ? [b.text] : [])).join(''),
      toolCalls: ordered.flatMap((b) => (b.kind === 'tool' ? [parseToolInput(b)] : [])),
      usage,
      model,
      stopReason,
      warnings,
    };
  });
}

export function createAnthropicRunner(deps: AnthropicRunnerDeps): AgentRunner {
  const provider = deps.provider ?? 'anthropic';
  // Temporal owns retries: the SDK must not retry behind its back.
  const client = new Anthropic({
    apiKey: deps.apiKey,
    baseURL: deps.baseURL,
    maxRetries: 0,
    timeout: deps.requestTimeoutMs ?? 600_000,
  });
  const adapter: ModelAdapter = {
    runner: 'anthropic',
    provider,
    defaultModel: deps.defaultModel ?? DEFAULT_ANTHROPIC_MODEL,
    call: (c) =>
      callAnthropic(client, c, {
        maxTokens: deps.maxTokens ?? 8192,
        idleMs: deps.streamIdleTimeoutMs ?? 120_000,
      }),
  };
  return { name: 'anthropic', provider, run: (req, ctx) => runToolLoop(adapter, deps, req, ctx) };
}
