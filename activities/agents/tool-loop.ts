/**
 * The provider-neutral tool-use loop shared by the Anthropic and OpenAI runners: send the
 * conversation, stream the reply, append it, run each tool call exactly once (a call whose result
 * is already in the transcript is never executed again), repeat until the model stops calling
 * tools, `maxTurns` is reached, or the budget is spent. Everything it knows lives in the
 * transcript, so a retry after a crash rebuilds the conversation from it and continues.
 */
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { AgentTurnResult, RunnerName, TokenUsage } from '../../core/agent.js';
import { costUsd, type PriceTable } from './pricing.js';
import { toProviderFailure } from './provider-errors.js';
import type { AgentTurnRequest, RunnerContext, ToolDefinition, ToolboxFactory } from './runner.js';
import { nullLiveSink, type LiveDelta } from './live.js';
import { connectMcpTools, type McpToolset } from './mcp.js';
import { finishTurn, type StoredMessage, type TranscriptAppend } from './transcript.js';

export interface NeutralToolCall {
  id: string;
  name: string;
  /** Parsed arguments; null when `parseError` is set. */
  input: unknown;
  rawArguments: string;
  parseError?: string;
}

export type ConversationItem =
  | { kind: 'user'; text: string }
  | { kind: 'assistant'; text: string; toolCalls: NeutralToolCall[] }
  | { kind: 'tool_result'; toolCallId: string; toolName: string; output: string; isError: boolean };

export interface ModelResponse {
  text: string;
  toolCalls: NeutralToolCall[];
  usage: TokenUsage;
  /** The model that answered (from the stream), else the requested one. */
  model: string;
  stopReason: string | null;
  /** Malformed or unknown stream events that were skipped. */
  warnings: string[];
}

export interface ModelCall {
  conversation: readonly ConversationItem[];
  systemPrompt: string;
  tools: readonly ToolDefinition[];
  model: string;
  signal: AbortSignal;
  /** Called on every stream event, so a long generation keeps heartbeating. */
  onProgress(): void;
  /** Text and tool-use deltas as they arrive, for the console's live tail (never for the record). */
  onDelta?(delta: LiveDelta): void;
}

export interface ModelAdapter {
  readonly runner: RunnerName;
  readonly provider: string;
  readonly defaultModel: string;
  call(call: ModelCall): Promise<ModelResponse>;
}

export interface ToolLoopDeps {
  makeToolbox: ToolboxFactory;
  /** The worker's environment (captured at start-up), for the MCP servers' `mcp` profile. */
  env: Readonly<Record<string, string | undefined>>;
  /** Price overrides from settings; defaults come from pricing.ts. */
  prices?: PriceTable;
  /** Heartbeat interval while a tool runs. @default 5000 */
  toolHeartbeatMs?: number;
}

const textContent = z.object({ text: z.string() });
const toolCallContent = z.object({
  input: z.unknown(),
  rawArguments: z.string().optional(),
  parseError: z.string().optional(),
});
const toolResultContent = z.object({ ok: z.boolean(), output: z.string() });

/** Rebuilds the model conversation from stored rows (system and reset rows carry no conversation). */
export function rebuildConversation(rows: readonly StoredMessage[]): ConversationItem[] {
  const out: ConversationItem[] = [];
  for (const row of rows) {
    if (row.role === 'user') {
      const c = textContent.safeParse(row.content);
      out.push({ kind: 'user', text: c.success ? c.data.text : '' });
    } else if (row.role === 'assistant') {
      const c = textContent.safeParse(row.content);
      out.push({ kind: 'assistant', text: c.success ? c.data.text : '', toolCalls: [] });
    } else if (row.role === 'tool_call' && row.toolCallId) {
      let last = out[out.length - 1];
      if (last?.kind !== 'assistant') {
        last = { kind: 'assistant', text: '', toolCalls: [] };
        out.push(last);
      }
      const c = toolCallContent.safeParse(row.content);
      const input = c.success ? c.data.input : null;
      last.toolCalls.push({
        id: row.toolCallId,
        name: row.toolName ?? '',
        input,
        rawArguments: c.success ? (c.data.rawArguments ?? JSON.stringify(input)) : '',
        ...(c.success && c.data.parseError
          ? { parseError: c.data.parseError }
          : !c.success
            ? { parseError: 'stored tool call is unreadable' }
            : {}),
      });
    } else if (row.role === 'tool_result' && row.toolCallId) {
      const c = toolResultContent.safeParse(row.content);
      out.push({
        kind: 'tool_result',
        toolCallId: row.toolCallId,
        toolName: row.toolName ?? '',
        output: c.success ? c.data.output : '',
        isError: c.success ? !c.data.ok : true,
      });
    }
  }
  return out;
}

/** Tool calls that have no result yet, oldest first (normally only the last assistant's). */
export function pendingToolCalls(conversation: readonly ConversationItem[]): NeutralToolCall[] {
  const answered = new Set(conversation.flatMap((i) => (i.kind === 'tool_result' ? [i.toolCallId] : [])));
  return conversation.flatMap((i) =>
    i.kind === 'assistant' ? i.toolCalls.filter((c) => !answered.has(c.id)) : [],
  );
}

function throttle(fn: () => void, ms: number): () => void {
  let last = 0;
  return () => {
    const now = Date.now();
    if (now - last >= ms) {
      last = now;
      fn();
    }
  };
}

export async function runToolLoop(
  adapter: ModelAdapter,
  deps: ToolLoopDeps,
  req: AgentTurnRequest,
  ctx: RunnerContext,
): Promise<AgentTurnResult> {
  const { transcript } = ctx;
  const live = ctx.live ?? nullLiveSink;
  const model = req.config.model ?? adapter.defaultModel;
  let lastSeq = transcript.lastSeq();
  const appended = (seq: number | undefined) => {
    if (seq === undefined) return;
    lastSeq = seq;
    ctx.heartbeat({ lastSeq });
  };
  const finish = (status: AgentTurnResult['status'], summary: string): AgentTurnResult =>
    finishTurn(transcript, req.sessionId, adapter.provider, status, summary);

  transcript.setServing({ runner: adapter.runner, provider: adapter.provider, model });
  transcript.setStatus('running');
  // The console drops whatever it was showing of the failed attempt's unfinished stream.
  if (ctx.attempt > 1)
    appended(
      transcript.append({
        role: 'reset',
        content: { attempt: ctx.attempt, resumeFromSeq: ctx.resumeFromSeq },
      }),
    );
  let rows = transcript.load();
  if (!rows.some((r) => r.role === 'user')) {
    appended(transcript.append({ role: 'user', content: { text: req.prompt } }));
    rows = transcript.load();
  }
  const conversation = rebuildConversation(rows);
  const builtin = deps.makeToolbox({ worktree: req.worktreePath, mode: req.config.mode });
  const onProgress = throttle(() => ctx.heartbeat({ lastSeq }), 1000);
  let mcp: McpToolset | null = null;
  if (req.mcpServers?.length) {
    const heartbeat = setInterval(() => ctx.heartbeat({ lastSeq }), deps.toolHeartbeatMs ?? 5000);
    try {
      mcp = await connectMcpTools(req.mcpServers, {
        mode: req.config.mode,
        cwd: req.worktreePath,
        env: deps.env,
      });
    } finally {
      clearInterval(heartbeat);
    }
    for (const failure of mcp.failures)
      appended(transcript.append({ role: 'system', content: { kind: 'mcp_unavailable', text: failure } }));
  }
  const mcpTools = mcp;
  // MCP tools sit beside the confined toolbox; names never clash (`mcp__` is not a built-in prefix).
  const toolbox = {
    definitions: [...builtin.definitions, ...(mcpTools?.definitions ?? [])],
    execute: (name: string, args: unknown, c?: { signal?: AbortSignal }) =>
      mcpTools?.has(name) ? mcpTools.execute(name, args, c) : builtin.execute(name, args, c),
  };

  try {
    for (;;) {
      ctx.signal.throwIfAborted();
      for (const call of pendingToolCalls(conversation)) {
        // Belt and braces: the durable check, in case rows were appended by a concurrent attempt.
        if (transcript.hasToolResult(call.id)) continue;
        const toolStream = live.begin();
        live.emit(toolStream, { kind: 'tool_start', toolCallId: call.id, name: call.name });
        const result = await executeToolCall(
          toolbox.execute,
          call,
          ctx,
          deps.toolHeartbeatMs ?? 5000,
          () => lastSeq,
        );
        appended(
          transcript.append({
            role: 'tool_result',
            toolCallId: call.id,
            toolName: call.name,
            content: result,
          }),
        );
        live.emit(toolStream, { kind: 'tool_end', toolCallId: call.id, ok: result.ok });
        live.end(toolStream);
        conversation.push({
          kind: 'tool_result',
          toolCallId: call.id,
          toolName: call.name,
          output: result.output,
          isError: !result.ok,
        });
      }
      const last = conversation[conversation.length - 1];
      if (last?.kind === 'assistant' && last.toolCalls.length === 0)
        return finish('completed', last.text || 'The agent finished without a message.');
      const turns = conversation.filter((i) => i.kind === 'assistant').length;
      if (turns >= req.config.maxTurns) {
        const lastText = lastAssistantText(conversation);
        return finish(
          'completed',
          `Stopped after reaching the turn limit (${req.config.maxTurns}).${lastText ? `\n\n${lastText}` : ''}`,
        );
      }
      const remaining = ctx.budget.remainingUsd;
      if (remaining !== null && remaining <= 0)
        return finish(
          'awaiting_budget',
          `Budget exhausted after ${turns} model call(s); waiting for approval.`,
        );

      let response: ModelResponse;
      const stream = live.begin();
      try {
        response = await adapter.call({
          conversation,
          systemPrompt: req.systemPrompt,
          tools: toolbox.definitions,
          model,
          signal: ctx.signal,
          onProgress,
          onDelta: (d) => live.emit(stream, d),
        });
      } catch (err) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        throw toProviderFailure(err, adapter.provider);
      }
      const served = { provider: adapter.provider, model: response.model };
      const rowsToAppend: TranscriptAppend[] = [
        {
          role: 'assistant',
          content: {
            text: response.text,
            stopReason: response.stopReason,
            ...(response.warnings.length ? { warnings: response.warnings } : {}),
          },
          ...served,
          usage: response.usage,
          costUsd: costUsd(response.usage, response.model, deps.prices),
        },
        ...response.toolCalls.map((c) => ({
          role: 'tool_call' as const,
          toolCallId: c.id,
          toolName: c.name,
          content: {
            input: c.input,
            rawArguments: c.rawArguments,
            ...(c.parseError ? { parseError: c.parseError } : {}),
          },
          ...served,
        })),
      ];
      appended(transcript.appendAll(rowsToAppend).at(-1));
      live.end(stream);
      conversation.push({ kind: 'assistant', text: response.text, toolCalls: response.toolCalls });
    }
  } catch (err) {
    if (err instanceof ApplicationFailure && err.nonRetryable) transcript.setStatus('failed', err.message);
    throw err;
  } finally {
    await mcpTools?.close();
  }
}

function lastAssistantText(conversation: readonly ConversationItem[]): string {
  for (let i = conversation.length - 1; i >= 0; i--) {
    const item = conversation[i];
    if (item?.kind === 'assistant' && item.text) return item.text;
  }
  return '';
}

type Execute = (
  name: string,
  rawArgs: unknown,
  ctx?: { signal?: AbortSignal },
) => Promise<{ ok: boolean; output: string }>;

async function executeToolCall(
  execute: Execute,
  call: NeutralToolCall,
  ctx: RunnerContext,
  heartbeatMs: number,
  lastSeq: () => number,
): Promise<{ ok: boolean; output: string }> {
  // The model sees why its call failed and can send it again; nothing ran.
  if (call.parseError) {
    return {
      ok: false,
      output: `Error: the arguments for ${call.name || 'this tool call'} were not valid: ${call.parseError}. Nothing was run; send the call again with a JSON object of arguments.`,
    };
  }
  const ticker = setInterval(() => ctx.heartbeat({ lastSeq: lastSeq() }), heartbeatMs);
  try {
    return await execute(call.name, call.input, { signal: ctx.signal });
  } catch (err) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    return {
      ok: false,
      output: `Error: ${call.name} failed: ${err instanceof Error ? err.message : String(err)}`,
    };
  } finally {
    clearInterval(ticker);
  }
}
