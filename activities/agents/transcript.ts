/**
 * The durable transcript of one agent session, over `agent_messages`. Runners append each message
 * as it completes (never a whole history at the end), so a killed worker loses at most the message
 * being streamed, and a retry rebuilds the conversation from what is here.
 *
 * Content conventions (JSON in `content`): user/assistant `{ text }`; tool_call `{ input,
 * rawArguments?, parseError? }`; tool_result `{ ok, output }`; system `{ kind, ... }`;
 * reset `{ attempt, resumeFromSeq? }`. Tokens and dollars ride on the row that incurred them.
 */
import type { AgentTurnResult, MessageRole, TokenUsage } from '../../core/agent.js';
import { summarizeStoppedTurn, type StoppedTurn } from '../../core/stopped-turn.js';
import type { Db } from '../../db/client.js';
import {
  appendMessages,
  hasToolResultRow,
  lastMessageSeq,
  listMessages,
  type MessageRowInput,
} from '../../db/queries/agent-messages.js';
import {
  ensureSession,
  getPreviousSession,
  getSession,
  setSessionServing,
  setSessionStatus,
  type SessionStatus,
} from '../../db/queries/agent-sessions.js';

export { ensureSession };

export interface TranscriptAppend {
  role: MessageRole;
  content: unknown;
  toolCallId?: string | null;
  toolName?: string | null;
  provider?: string | null;
  model?: string | null;
  usage?: TokenUsage;
  costUsd?: number;
}

export interface StoredMessage {
  seq: number;
  role: MessageRole | string;
  content: unknown;
  toolCallId: string | null;
  toolName: string | null;
  provider: string | null;
  model: string | null;
  usage: TokenUsage;
  costUsd: number;
  createdAt: number;
}

export interface Transcript {
  readonly sessionId: string;
  /** Appends one completed message; returns its seq (dense from 1). */
  append(msg: TranscriptAppend): number;
  /** Appends several messages atomically (an assistant message and its tool calls); returns their seqs. */
  appendAll(msgs: readonly TranscriptAppend[]): number[];
  load(): StoredMessage[];
  hasToolResult(toolCallId: string): boolean;
  lastSeq(): number;
  /** Session totals so far: every attempt's spend, including attempts that crashed. */
  totals(): { usage: TokenUsage; costUsd: number };
  setStatus(status: SessionStatus, error?: string | null): void;
  /** Records the runner/provider/model serving the session now (a fallback changes them). */
  setServing(serving: { runner: string; provider: string | null; model: string | null }): void;
}

function toRow(msg: TranscriptAppend): MessageRowInput {
  return {
    role: msg.role,
    content: msg.content ?? null,
    toolCallId: msg.toolCallId ?? null,
    toolName: msg.toolName ?? null,
    provider: msg.provider ?? null,
    model: msg.model ?? null,
    inputTokens: msg.usage?.inputTokens ?? 0,
    outputTokens: msg.usage?.outputTokens ?? 0,
    cacheReadTokens: msg.usage?.cacheReadTokens ?? 0,
    cacheWriteTokens: msg.usage?.cacheWriteTokens ?? 0,
    costUsd: msg.costUsd ?? 0,
  };
}

/** The transcript of an existing session (create it first with `ensureSession`). */
export function createTranscript(db: Db, sessionId: string): Transcript {
  return {
    sessionId,
    append: (msg) => {
      const [seq] = appendMessages({ db, sessionId, rows: [toRow(msg)] });
      if (seq === undefined) throw new Error('append wrote no row');
      return seq;
    },
    appendAll: (msgs) => appendMessages({ db, sessionId, rows: msgs.map(toRow) }),
    load: () =>
      listMessages({ db, sessionId }).map((r) => ({
        seq: r.seq,
        role: r.role,
        content: r.content,
        toolCallId: r.toolCallId,
        toolName: r.toolName,
        provider: r.provider,
        model: r.model,
        usage: {
          inputTokens: r.inputTokens,
          outputTokens: r.outputTokens,
          cacheReadTokens: r.cacheReadTokens,
          cacheWriteTokens: r.cacheWriteTokens,
        },
        costUsd: r.costUsd,
        createdAt: r.createdAt,
      })),
    hasToolResult: (toolCallId) => hasToolResultRow({ db, sessionId, toolCallId }),
    lastSeq: () => lastMessageSeq({ db, sessionId }),
    totals: () => {
      const s = getSession({ db, id: sessionId });
      if (!s) throw new Error(`agent session ${sessionId} does not exist; call ensureSession first`);
      return {
        usage: {
          inputTokens: s.inputTokens,
          outputTokens: s.outputTokens,
          cacheReadTokens: s.cacheReadTokens,
          cacheWriteTokens: s.cacheWriteTokens,
        },
        costUsd: s.costUsd,
      };
    },
    setStatus: (status, error = null) => setSessionStatus({ db, id: sessionId, status, error }),
    setServing: ({ runner, provider, model }) =>
      setSessionServing({ db, id: sessionId, runner, provider, model }),
  };
}

/**
 * The end of a runner's turn: the session's status is written and the result carries the
 * session's stored totals, so what the workflow sees is what the rows add up to.
 */
export function finishTurn(
  transcript: Transcript,
  sessionId: string,
  provider: AgentTurnResult['provider'],
  status: AgentTurnResult['status'],
  summary: string,
): AgentTurnResult {
  transcript.setStatus(status);
  const totals = transcript.totals();
  return { sessionId, status, summary, costUsd: totals.costUsd, usage: totals.usage, provider };
}

/**
 * The result of a turn whose session already completed, read back from the transcript (the last
 * assistant text is every runner's summary), or null. A retry after the worker died between
 * finishing the turn and reporting it returns this instead of running the turn again, which would
 * write its last message a second time.
 */
export function completedTurnResult(db: Db, transcript: Transcript): AgentTurnResult | null {
  const session = getSession({ db, id: transcript.sessionId });
  if (session?.status !== 'completed') return null;
  const rows = transcript.load();
  let summary = '';
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i]!;
    const text = (row.content as { text?: unknown } | null)?.text;
    if (row.role === 'assistant' && typeof text === 'string') {
      summary = text;
      break;
    }
  }
  const totals = transcript.totals();
  return {
    sessionId: transcript.sessionId,
    status: 'completed',
    summary,
    costUsd: totals.costUsd,
    usage: totals.usage,
    ...(session.provider ? { provider: session.provider } : {}),
  };
}

/**
 * When the session before `sessionId` in the workspace is one the user stopped (`cancelled`), what
 * it had said and done, bounded (core/stopped-turn.ts); otherwise null. Read from the store on
 * every attempt, so a retried follow-up renders the same prompt.
 */
export function readStoppedTurn(
  db: Db,
  { workspaceId, sessionId }: { workspaceId: string; sessionId: string },
): StoppedTurn | null {
  const previous = getPreviousSession({ db, workspaceId, sessionId });
  if (previous?.status !== 'cancelled') return null;
  return summarizeStoppedTurn(listMessages({ db, sessionId: previous.id }));
}
