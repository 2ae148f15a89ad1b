/**
 * The Claude Code CLI's stream-json lines (`-p --output-format stream-json --verbose`) and the
 * transcript rows each one becomes.
 *
 * Accounting, as the real CLI (2.1.328) reports it:
 * - Every assistant line repeats its message's usage snapshot from `message_start`: input and
 *   cache tokens are real, `output_tokens` is a placeholder (1). The first line of a message
 *   records that snapshot as an estimate, so the budget check between lines sees the input side.
 * - The `result` line carries the run's `usage` (this run only) and `total_cost_usd`, which after
 *   `--resume` is CUMULATIVE over every completed run of the CLI session (a run killed before its
 *   result line is not in it). The result row therefore carries the difference between the run's
 *   figures and the estimates recorded during the run, so the rows of a run sum to exactly what the
 *   CLI reported for it, and budgets (which sum rows) count each dollar once.
 * - With `--include-partial-messages` the CLI also forwards the API's own stream events
 *   (`stream_event` lines). `message_delta` carries the message's final `output_tokens`: the
 *   difference to the estimate is recorded at once (a `cli_usage` system row), so a run killed
 *   before its result line (Stop, a budget stop, a dead worker) keeps the real output count
 *   instead of the placeholder. The result row's correction then has only the rest to add.
 */
import { z } from 'zod';
import type { TokenUsage } from '../../core/agent.js';
import { costUsd, type PriceTable } from './pricing.js';
import type { TranscriptAppend } from './transcript.js';

const usageSchema = z.object({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
});
type ApiUsage = z.infer<typeof usageSchema>;

export const lineSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('system'),
    subtype: z.string(),
    session_id: z.string().optional(),
    model: z.string().optional(),
  }),
  z.object({
    type: z.literal('assistant'),
    session_id: z.string().optional(),
    message: z.object({
      id: z.string(),
      model: z.string().optional(),
      content: z.array(
        z.object({
          type: z.string(),
          text: z.string().optional(),
          id: z.string().optional(),
          name: z.string().optional(),
          input: z.unknown().optional(),
        }),
      ),
      usage: usageSchema.optional(),
    }),
  }),
  z.object({
    type: z.literal('user'),
    message: z.object({
      content: z.union([
        z.string(),
        z.array(
          z.object({
            type: z.string(),
            tool_use_id: z.string().optional(),
            content: z.unknown().optional(),
            is_error: z.boolean().nullish(),
          }),
        ),
      ]),
    }),
  }),
  z.object({
    type: z.literal('result'),
    subtype: z.string(),
    is_error: z.boolean(),
    result: z.string().optional(),
    session_id: z.string().optional(),
    total_cost_usd: z.number().optional(),
    usage: usageSchema.optional(),
    num_turns: z.number().optional(),
    permission_denials: z
      .array(z.object({ tool_name: z.string(), tool_use_id: z.string().optional() }).passthrough())
      .optional(),
  }),
]);
export type Line = z.infer<typeof lineSchema>;
export type ResultLine = Extract<Line, { type: 'result' }>;

const ZERO: TokenUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };

function tokenUsage(u: ApiUsage): TokenUsage {
  return {
    inputTokens: u.input_tokens ?? 0,
    outputTokens: u.output_tokens ?? 0,
    cacheReadTokens: u.cache_read_input_tokens ?? 0,
    cacheWriteTokens: u.cache_creation_input_tokens ?? 0,
  };
}

const minus = (a: TokenUsage, b: TokenUsage): TokenUsage => ({
  inputTokens: a.inputTokens - b.inputTokens,
  outputTokens: a.outputTokens - b.outputTokens,
  cacheReadTokens: a.cacheReadTokens - b.cacheReadTokens,
  cacheWriteTokens: a.cacheWriteTokens - b.cacheWriteTokens,
});

const plus = (a: TokenUsage, b: TokenUsage): TokenUsage => ({
  inputTokens: a.inputTokens + b.inputTokens,
  outputTokens: a.outputTokens + b.outputTokens,
  cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
  cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
});

/** What one CLI run has recorded so far, and where its session's cumulative cost stood. */
export interface RunLedger {
  /** Assistant message ids whose snapshot is recorded (this run or an earlier one). */
  seen: Set<string>;
  /** Sum of the estimates recorded by this run's rows. */
  recorded: { usage: TokenUsage; costUsd: number };
  /** `total_cost_usd` of the last recorded result per CLI session (the cumulative baseline). */
  cumulativeBySession: Map<string, number>;
  /** Output tokens recorded so far per message of this run (estimate, then the final figure). */
  outputByMessage: Map<string, number>;
  /** Final output tokens seen in a `message_delta` before the message's first assistant line. */
  finalOutput: Map<string, number>;
  /** The message the stream events are about now (from `message_start`), and its model. */
  streaming: { id: string; model: string | null } | null;
}

export function newLedger(seen: Iterable<string>, cumulativeBySession: Map<string, number>): RunLedger {
  return {
    seen: new Set(seen),
    recorded: { usage: { ...ZERO }, costUsd: 0 },
    cumulativeBySession,
    outputByMessage: new Map(),
    finalOutput: new Map(),
    streaming: null,
  };
}

/**
 * This run's own cost from a result line: `total_cost_usd` less the session's last recorded
 * cumulative figure. A total below that baseline means the CLI did not carry the session's cost
 * over, so the total is this run's alone.
 */
export function runCostUsd(
  line: ResultLine,
  cumulativeBySession: ReadonlyMap<string, number>,
): number | null {
  if (line.total_cost_usd === undefined) return null;
  const base = line.session_id ? (cumulativeBySession.get(line.session_id) ?? 0) : 0;
  return line.total_cost_usd >= base ? line.total_cost_usd - base : line.total_cost_usd;
}

function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((b) =>
        b && typeof b === 'object' && 'text' in b && typeof b.text === 'string' ? b.text : JSON.stringify(b),
      )
      .join('\n');
  }
  return content === undefined ? '' : JSON.stringify(content);
}

/** Transcript rows for one stream-json line; updates `ledger` with what the rows record. */
export function rowsForLine(
  line: Line,
  ledger: RunLedger,
  prices: PriceTable | undefined,
  fallbackModel: string,
): TranscriptAppend[] {
  switch (line.type) {
    case 'system':
      return line.subtype === 'init'
        ? [
            {
              role: 'system',
              content: { kind: 'cli_init', cliSessionId: line.session_id ?? null, model: line.model ?? null },
            },
          ]
        : [];
    case 'assistant': {
      const m = line.message;
      const model = m.model ?? fallbackModel;
      const served = { provider: 'anthropic', model };
      const out: TranscriptAppend[] = [];
      const text = m.content.flatMap((b) => (b.type === 'text' && b.text ? [b.text] : [])).join('');
      // The CLI repeats a message's usage snapshot on every line of that message: record it once.
      const first = !ledger.seen.has(m.id);
      ledger.seen.add(m.id);
      const usage = first && m.usage ? tokenUsage(m.usage) : undefined;
      const final = ledger.finalOutput.get(m.id);
      if (usage && final !== undefined) usage.outputTokens = Math.max(usage.outputTokens, final);
      if (usage) ledger.outputByMessage.set(m.id, usage.outputTokens);
      const cost = usage ? costUsd(usage, model, prices) : 0;
      if (usage) {
        const r = ledger.recorded;
        r.usage = plus(r.usage, usage);
        r.costUsd += cost;
      }
      if (text || usage) {
        out.push({
          role: 'assistant',
          content: {
            text,
            messageId: m.id,
            ...(usage && final === undefined ? { usageIsEstimate: true } : {}),
          },
          ...served,
          ...(usage ? { usage, costUsd: cost } : {}),
        });
      }
      for (const b of m.content) {
        if (b.type !== 'tool_use' || !b.id) continue;
        out.push({
          role: 'tool_call',
          toolCallId: b.id,
          toolName: b.name ?? '',
          content: { input: b.input ?? null, rawArguments: JSON.stringify(b.input ?? null) },
          ...served,
        });
      }
      return out;
    }
    case 'user': {
      const content = line.message.content;
      if (typeof content === 'string') return [];
      return content.flatMap((b) =>
        b.type === 'tool_result' && b.tool_use_id
          ? [
              {
                role: 'tool_result' as const,
                toolCallId: b.tool_use_id,
                content: { ok: !b.is_error, output: toolResultText(b.content) },
              },
            ]
          : [],
      );
    }
    case 'result': {
      const runCost = runCostUsd(line, ledger.cumulativeBySession);
      const runUsage = line.usage ? tokenUsage(line.usage) : null;
      // The correction that makes this run's rows sum to the CLI's own figures.
      const usage = runUsage ? minus(runUsage, ledger.recorded.usage) : undefined;
      const cost = runCost === null ? undefined : runCost - ledger.recorded.costUsd;
      if (line.session_id && line.total_cost_usd !== undefined)
        ledger.cumulativeBySession.set(line.session_id, line.total_cost_usd);
      return [
        {
          role: 'system',
          content: {
            kind: 'cli_result',
            subtype: line.subtype,
            isError: line.is_error,
            result: line.result ?? '',
            cliSessionId: line.session_id ?? null,
            totalCostUsd: line.total_cost_usd ?? null,
            runCostUsd: runCost,
            runUsage,
            numTurns: line.num_turns ?? null,
            permissionDenials: (line.permission_denials ?? []).map((d) => ({
              toolName: d.tool_name,
              toolUseId: d.tool_use_id ?? null,
            })),
          },
          provider: 'anthropic',
          model: fallbackModel,
          ...(usage ? { usage } : {}),
          ...(cost !== undefined ? { costUsd: cost } : {}),
        },
      ];
    }
  }
}

const messageStartEvent = z.object({
  type: z.literal('stream_event'),
  event: z.object({
    type: z.literal('message_start'),
    message: z.object({ id: z.string(), model: z.string().optional() }),
  }),
});
const messageDeltaEvent = z.object({
  type: z.literal('stream_event'),
  event: z.object({
    type: z.literal('message_delta'),
    usage: z.object({ output_tokens: z.number().int().nonnegative() }),
  }),
});

/**
 * Rows for one `stream_event` line (CLI partial messages): none, except a message's final output
 * count (`message_delta`) above what its assistant row recorded, which becomes a `cli_usage` row
 * carrying the difference in tokens and dollars. Updates `ledger`.
 */
export function rowsForStreamEvent(
  json: unknown,
  ledger: RunLedger,
  prices: PriceTable | undefined,
  fallbackModel: string,
): TranscriptAppend[] {
  const start = messageStartEvent.safeParse(json);
  if (start.success) {
    const { message } = start.data.event;
    ledger.streaming = { id: message.id, model: message.model ?? null };
    return [];
  }
  const delta = messageDeltaEvent.safeParse(json);
  if (!delta.success || !ledger.streaming) return [];
  const { id } = ledger.streaming;
  const model = ledger.streaming.model ?? fallbackModel;
  const final = delta.data.event.usage.output_tokens;
  const recorded = ledger.outputByMessage.get(id);
  if (recorded === undefined) {
    // No assistant line yet: its row records the final figure itself.
    ledger.finalOutput.set(id, final);
    return [];
  }
  if (final <= recorded) return [];
  ledger.outputByMessage.set(id, final);
  const usage: TokenUsage = { ...ZERO, outputTokens: final - recorded };
  const cost = costUsd(usage, model, prices);
  ledger.recorded.usage = plus(ledger.recorded.usage, usage);
  ledger.recorded.costUsd += cost;
  return [
    {
      role: 'system',
      content: { kind: 'cli_usage', messageId: id, outputTokens: final },
      provider: 'anthropic',
      model,
      usage,
      costUsd: cost,
    },
  ];
}
