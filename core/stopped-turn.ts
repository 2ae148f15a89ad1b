/**
 * What a turn the user stopped had said and done, for the next follow-up's prompt: its assistant
 * text and tool calls (with their results) from the stored transcript, oldest first, bounded so a
 * long turn cannot crowd the prompt. The newest steps are kept when something must go: the agent
 * continues from where it was cut off.
 */

/** A stored transcript row of the stopped session, as the store reads it. */
export interface StoppedTurnRow {
  seq: number;
  role: string;
  content: unknown;
  toolCallId: string | null;
  toolName: string | null;
}

export type StoppedTurnStep =
  | { said: string }
  | {
      tool: string;
      /** The arguments as JSON text, cut to `maxInputChars`. */
      input: string;
      /** Null: the turn was stopped while the tool ran (or before its result was stored). */
      result: { ok: boolean | null; output: string } | null;
    };

export interface StoppedTurn {
  steps: StoppedTurnStep[];
  /** Older steps left out to stay within `maxChars`. */
  omitted: number;
}

export interface StoppedTurnLimits {
  /** @default 12000 */
  maxChars?: number;
  /** @default 3000 */
  maxTextChars?: number;
  /** @default 1000 */
  maxInputChars?: number;
  /** @default 1000 */
  maxOutputChars?: number;
}

/** `text` cut to `max` characters, saying how much went. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}[… ${text.length - max} more characters cut]`;
}

const record = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  const t = record(content).text;
  return typeof t === 'string' ? t : '';
}

/**
 * The rows a reset marker leaves: a retried attempt restarted at the marker's `fromSeq`, or after
 * the session's last `user` row, so the dead attempt's partial rows above it are not the turn's.
 */
function withoutResetAttempts(rows: readonly StoppedTurnRow[]): StoppedTurnRow[] {
  let out: StoppedTurnRow[] = [];
  for (const r of [...rows].sort((a, b) => a.seq - b.seq)) {
    if (r.role === 'reset') {
      const fromSeq = record(r.content).fromSeq;
      const from =
        typeof fromSeq === 'number'
          ? fromSeq
          : Math.max(0, ...out.filter((x) => x.role === 'user').map((x) => x.seq + 1));
      out = out.filter((x) => x.seq < from);
      continue;
    }
    out.push(r);
  }
  return out;
}

const size = (s: StoppedTurnStep) =>
  'said' in s ? s.said.length : s.tool.length + s.input.length + (s.result?.output.length ?? 0);

/**
 * Summarises a stopped session's rows. User rows (the stopped turn's own prompt), system notes and
 * reset markers are left out; each tool call is joined to its result by `toolCallId`.
 */
export function summarizeStoppedTurn(
  rows: readonly StoppedTurnRow[],
  {
    maxChars = 12_000,
    maxTextChars = 3000,
    maxInputChars = 1000,
    maxOutputChars = 1000,
  }: StoppedTurnLimits = {},
): StoppedTurn {
  const kept = withoutResetAttempts(rows);
  const results = new Map<string, StoppedTurnRow>();
  for (const r of kept) if (r.role === 'tool_result' && r.toolCallId) results.set(r.toolCallId, r);
  const steps: StoppedTurnStep[] = [];
  for (const r of kept) {
    if (r.role === 'assistant') {
      const said = textOf(r.content).trim();
      if (said) steps.push({ said: clip(said, maxTextChars) });
    } else if (r.role === 'tool_call') {
      const c = record(r.content);
      const input = JSON.stringify(c.input ?? null) ?? 'null';
      const res = r.toolCallId ? results.get(r.toolCallId) : undefined;
      const rc = record(res?.content);
      steps.push({
        tool: r.toolName || (typeof c.title === 'string' ? c.title : '') || 'tool',
        input: clip(input, maxInputChars),
        result: res
          ? {
              ok: typeof rc.ok === 'boolean' ? rc.ok : null,
              output: clip(typeof rc.output === 'string' ? rc.output : textOf(res.content), maxOutputChars),
            }
          : null,
      });
    }
  }
  // Newest first until the budget is spent; whatever is older is counted, not shown.
  let total = 0;
  let from = steps.length;
  while (from > 0 && total + size(steps[from - 1]!) <= maxChars) total += size(steps[--from]!);
  // One step always fits (cut further) so the agent sees at least where it stopped.
  if (from === steps.length && steps.length > 0) {
    const last = steps.at(-1)!;
    const cut: StoppedTurnStep =
      'said' in last
        ? { said: clip(last.said, maxChars) }
        : {
            ...last,
            result: last.result && { ...last.result, output: clip(last.result.output, maxChars / 4) },
          };
    return { steps: [cut], omitted: steps.length - 1 };
  }
  return { steps: steps.slice(from), omitted: from };
}
