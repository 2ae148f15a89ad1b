/**
 * How one ACP turn's `session/update` stream becomes transcript rows: message and thought chunks
 * are joined until the message ends (the next tool call, plan or the end of the turn), a tool call
 * is a tool_call row and its completion or failure one tool_result row, a plan and each reported
 * cumulative cost a system row (the cost row carries the delta since the session's last one). Plus
 * the small readers that turn ACP payloads into Ratchet's shapes.
 */
import type * as acp from '@agentclientprotocol/sdk/unstable';
import { z } from 'zod';
import { PATH_FIELDS, type AcpToolKind, type ReplayRow } from '../../core/acp.js';
import type { TokenUsage } from '../../core/agent.js';
import type { StoredMessage, TranscriptAppend } from './transcript.js';

export interface TurnRecorder {
  /** Tool calls seen this turn, by id. */
  calls: Map<string, { kind: AcpToolKind | null; title: string; rawInput: unknown; done: boolean }>;
  onUpdate(sessionId: string, update: acp.SessionUpdate): void;
  /** Closes the message being streamed (writes its row). */
  flush(): void;
}

export function createTurnRecorder(opts: {
  append: (...msgs: TranscriptAppend[]) => void;
  served: { provider: string; model: string | null };
  /** Last cumulative cost recorded per ACP session (updated here). */
  costBase: Map<string, number>;
  /** Called after each reported cost (the budget check). */
  onCost: () => void;
}): TurnRecorder {
  const { append, served, costBase } = opts;
  let text = '';
  let thought = '';
  const calls = new Map<
    string,
    { kind: AcpToolKind | null; title: string; rawInput: unknown; done: boolean }
  >();
  const flush = () => {
    if (text) append({ role: 'assistant', content: { text }, ...served });
    if (thought) append({ role: 'system', content: { kind: 'acp_thought', text: thought } });
    text = '';
    thought = '';
  };
  const recordResult = (id: string, status: string, update: { content?: unknown; rawOutput?: unknown }) => {
    const call = calls.get(id);
    if (call?.done) return;
    if (call) call.done = true;
    flush();
    append({
      role: 'tool_result',
      toolCallId: id,
      content: { ok: status === 'completed', output: toolOutput(update) },
    });
  };
  const onUpdate = (sessionId: string, u: acp.SessionUpdate) => {
    switch (u.sessionUpdate) {
      case 'agent_message_chunk':
        text += textOf(u.content);
        return;
      case 'agent_thought_chunk':
        thought += textOf(u.content);
        return;
      case 'tool_call': {
        const seen = calls.get(u.toolCallId);
        if (seen) {
          // Announced after its card was made from the permission ask (codex-acp sends the ask
          // and the announcement concurrently): one card; the announcement is an update.
          if (u.rawInput !== undefined) seen.rawInput = u.rawInput;
          if (u.status === 'completed' || u.status === 'failed') recordResult(u.toolCallId, u.status, u);
          return;
        }
        flush();
        calls.set(u.toolCallId, { kind: u.kind ?? null, title: u.title, rawInput: u.rawInput, done: false });
        append({
          role: 'tool_call',
          toolCallId: u.toolCallId,
          toolName: u.title,
          content: {
            input: u.rawInput ?? null,
            kind: u.kind ?? null,
            title: u.title,
            locations: u.locations ?? [],
          },
          ...served,
        });
        if (u.status === 'completed' || u.status === 'failed') recordResult(u.toolCallId, u.status, u);
        return;
      }
      case 'tool_call_update': {
        const call = calls.get(u.toolCallId);
        // A call the agent reports only as finished (Gemini CLI fails a call outside its workspace
        // without announcing it): its result still gets a card.
        if (!call && (u.status === 'completed' || u.status === 'failed'))
          onUpdate(sessionId, {
            sessionUpdate: 'tool_call',
            toolCallId: u.toolCallId,
            title: u.title ?? u.toolCallId,
            ...(u.kind ? { kind: u.kind } : {}),
            ...(u.locations ? { locations: u.locations } : {}),
            ...(u.rawInput !== undefined ? { rawInput: u.rawInput } : {}),
            status: 'pending',
          });
        if (call && u.rawInput !== undefined) call.rawInput = u.rawInput;
        if (u.status === 'completed' || u.status === 'failed') recordResult(u.toolCallId, u.status, u);
        return;
      }
      case 'plan':
        flush();
        append({ role: 'system', content: { kind: 'acp_plan', entries: u.entries } });
        return;
      case 'usage_update': {
        if (u.cost && u.cost.currency.toUpperCase() === 'USD') {
          const base = costBase.get(sessionId) ?? 0;
          const delta = u.cost.amount >= base ? u.cost.amount - base : u.cost.amount;
          costBase.set(sessionId, u.cost.amount);
          append({
            role: 'system',
            content: {
              kind: 'acp_cost',
              acpSessionId: sessionId,
              totalUsd: u.cost.amount,
              contextUsed: u.used,
              contextSize: u.size,
            },
            ...served,
            costUsd: delta,
          });
        }
        opts.onCost();
        return;
      }
      default:
        return;
    }
  };
  return { calls, onUpdate, flush };
}

function textOf(content: unknown): string {
  if (!content || typeof content !== 'object') return '';
  const c = content as { type?: string; text?: string };
  return c.type === 'text' && typeof c.text === 'string' ? c.text : '';
}

/** A tool call's result as text: its content blocks, diffs, or raw output. */
function toolOutput(update: { content?: unknown; rawOutput?: unknown }): string {
  const parts: string[] = [];
  for (const block of Array.isArray(update.content) ? update.content : []) {
    const b = block as { type?: string; content?: unknown; path?: string; newText?: string };
    if (b.type === 'content') parts.push(textOf(b.content));
    if (b.type === 'diff') parts.push(`diff ${b.path ?? ''}`);
  }
  const text = parts.filter(Boolean).join('\n');
  if (text) return text;
  if (update.rawOutput === undefined || update.rawOutput === null) return '';
  return typeof update.rawOutput === 'string' ? update.rawOutput : JSON.stringify(update.rawOutput);
}

export function pathsOf(call: { locations?: { path: string }[] | null; rawInput?: unknown }): string[] {
  const out = (call.locations ?? []).map((l) => l.path);
  const raw = call.rawInput;
  if (raw && typeof raw === 'object') {
    for (const f of PATH_FIELDS) {
      const v = (raw as Record<string, unknown>)[f];
      if (typeof v === 'string' && v) out.push(v);
    }
  }
  return out;
}

export function commandOf(raw: unknown): string | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as { command?: unknown; args?: unknown; cmd?: unknown };
  const cmd = r.command ?? r.cmd;
  if (Array.isArray(cmd)) return cmd.map(String).join(' ');
  if (typeof cmd !== 'string') return null;
  return Array.isArray(r.args) ? [cmd, ...r.args.map(String)].join(' ') : cmd;
}

export function replayRows(rows: readonly StoredMessage[]): ReplayRow[] {
  return rows.map((r) => {
    const c = (r.content ?? {}) as { text?: string; input?: unknown; output?: string; ok?: boolean };
    return {
      role: r.role,
      text: c.text,
      toolName: r.toolName,
      toolCallId: r.toolCallId,
      input: c.input,
      output: c.output,
      ok: c.ok,
    };
  });
}

const quotaMeta = z.object({
  quota: z.object({
    token_count: z.object({
      input_tokens: z.number().int().nonnegative(),
      output_tokens: z.number().int().nonnegative(),
    }),
  }),
});

/**
 * Tokens an agent reports in the prompt response's `_meta` instead of `usage`: Gemini CLI's
 * `_meta.quota.token_count` (the turn's totals over every model call). Null when absent or malformed.
 */
export function quotaUsage(meta: unknown): TokenUsage | null {
  const q = quotaMeta.safeParse(meta);
  if (!q.success) return null;
  const t = q.data.quota.token_count;
  return {
    inputTokens: t.input_tokens,
    outputTokens: t.output_tokens,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
  };
}

export function tokenUsage(u: acp.Usage): TokenUsage {
  return {
    inputTokens: u.inputTokens,
    outputTokens: u.outputTokens,
    cacheReadTokens: u.cachedReadTokens ?? 0,
    cacheWriteTokens: u.cachedWriteTokens ?? 0,
  };
}
