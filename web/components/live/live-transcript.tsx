'use client';

/**
 * The transcript as stored rows plus the live tail: assistant text as Markdown with its model,
 * tokens and dollars, tool calls as cards joined to their results, resets, and after the last row
 * whatever is streaming now.
 *
 * Long transcripts: the page holds the newest page of rows and "Load earlier" (or scrolling to the
 * top) folds older pages in front without moving what is on screen. Markdown and tool cards render
 * for the newest page at once; an older row renders as a one-line preview until it scrolls near
 * the view (and stays rendered after). Rows are memoised, so a streaming delta re-renders the tail,
 * not the transcript. The list follows the tail while it is scrolled to the bottom.
 */
import { memo, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import type { SessionCost } from '../../../db/queries/costs.js';
import type { TranscriptMessage } from '../../../db/queries/workspace-page.js';
import { contentText } from '../transcript.js';
import { Folded } from './folded.js';
import { PAGE_SIZE, type Tail } from './live-store.js';
import { Markdown } from './markdown.js';
import { ToolCard, formatMs } from './tool-card.js';

export const usd = (n: number) => `$${n < 0.01 && n > 0 ? n.toFixed(4) : n.toFixed(2)}`;
const num = (n: number) => n.toLocaleString('en-US');

function MessageCost({ m }: { m: TranscriptMessage }) {
  const tokens = m.inputTokens + m.outputTokens + m.cacheReadTokens + m.cacheWriteTokens;
  if (!m.model && tokens === 0 && m.costUsd === 0) return null;
  return (
    <div className="msg-meta" data-testid="msg-meta">
      {m.model && <span data-testid="msg-model">{m.model}</span>}
      {m.provider && <span>{m.provider}</span>}
      {tokens > 0 && (
        <span data-testid="msg-tokens">
          in {num(m.inputTokens)} · out {num(m.outputTokens)} · cache {num(m.cacheReadTokens)} read /{' '}
          {num(m.cacheWriteTokens)} write
        </span>
      )}
      <span data-testid="msg-cost" data-usd={m.costUsd}>
        {usd(m.costUsd)}
      </span>
    </div>
  );
}

function SessionHead({ m, cost }: { m: TranscriptMessage; cost: SessionCost | undefined }) {
  return (
    <div className="session-head" data-testid="session-head" data-session={m.sessionId}>
      Session {m.purpose}
      {cost?.model ? ` · ${cost.model}` : m.model ? ` · ${m.model}` : ''}
      {cost && (
        <span className="session-cost" data-testid="session-cost" data-usd={cost.costUsd}>
          {' '}
          · {num(cost.tokens.input + cost.tokens.cacheRead + cost.tokens.cacheWrite)} in /{' '}
          {num(cost.tokens.output)} out · {usd(cost.costUsd)}
        </span>
      )}
    </div>
  );
}

function TailView({ tail, now }: { tail: Tail; now: number }) {
  if (!tail.text && tail.tools.length === 0 && !tail.lastEvent) return null;
  return (
    <div className="msg assistant live-tail" data-testid="live-tail" aria-live="polite">
      {tail.text && <Markdown text={tail.text} />}
      {tail.tools.map((t) => (
        <div key={t.toolCallId} className="tail-tool" data-testid="tail-tool">
          <span className="tool">{t.name || 'tool'}</span>{' '}
          {t.running ? `running · ${formatMs(now - t.startedAt)}` : 'called'}
        </div>
      ))}
      {!tail.text && tail.tools.length === 0 && tail.lastEvent && (
        <div className="muted">Claude Code: {tail.lastEvent}</div>
      )}
    </div>
  );
}

/** The "Load earlier" control's state and action. */
export interface EarlierControl {
  has: boolean;
  loading: boolean;
  error: string | null;
  /** Earlier pages folded in so far. */
  pages: number;
  load: () => void;
}

/** Within this many pixels of an edge counts as at it. */
const EDGE_PX = 40;

function previewOf(m: TranscriptMessage): string {
  const text =
    m.role === 'tool_call' || m.role === 'tool_result'
      ? `${m.toolName ?? 'tool'}: ${JSON.stringify(m.content)}`
      : contentText(m.content);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Renders `children` once the row is near the view (at once when `eager`), a preview before. */
function Deferred({ eager, preview, children }: { eager: boolean; preview: string; children: ReactNode }) {
  const [shown, setShown] = useState(eager);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (shown || !el) return;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) setShown(true);
      },
      { root: el.closest('.transcript'), rootMargin: '300px 0px' },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [shown]);
  if (shown) return children;
  return (
    <div ref={ref} className="msg deferred" data-testid="msg-deferred">
      {preview}
    </div>
  );
}

interface RowProps {
  m: TranscriptMessage;
  header: boolean;
  cost: SessionCost | undefined;
  result: TranscriptMessage | null;
  /** A tool result whose call is held: shown inside the call's card. */
  inCard: boolean;
  running: boolean;
  eager: boolean;
}

const Row = memo(function Row({ m, header, cost, result, inCard, running, eager }: RowProps) {
  let body: ReactNode;
  switch (m.role) {
    case 'assistant': {
      const text = contentText(m.content);
      body = (
        <div className="msg assistant" data-testid="msg-assistant">
          {text ? <Markdown text={text} /> : <span className="muted">(no text)</span>}
          <MessageCost m={m} />
        </div>
      );
      break;
    }
    case 'user':
      body = (
        <div className="msg user">
          <span className="who">You</span>
          <Markdown text={contentText(m.content)} />
        </div>
      );
      break;
    case 'tool_call':
      body = <ToolCard call={m} result={result} running={running} />;
      break;
    case 'tool_result':
      // Shown inside its call's card; a result without a held call stands alone.
      body = inCard ? null : (
        <div className="msg tool-result">
          <span className="tool">Result{m.toolName ? ` of ${m.toolName}` : ''}</span>
          <Folded text={contentText(m.content)} />
        </div>
      );
      break;
    case 'reset':
      body = (
        <div className="msg reset" data-testid="msg-reset">
          Attempt restarted; its partial output was discarded.
        </div>
      );
      break;
    default:
      body = (
        <div className="msg system">
          <Folded text={contentText(m.content)} lines={6} />
          <MessageCost m={m} />
        </div>
      );
  }
  return (
    <div data-testid="transcript-row" data-id={m.id} data-role={m.role}>
      {header && <SessionHead m={m} cost={cost} />}
      {body !== null && (
        <Deferred eager={eager} preview={previewOf(m)}>
          {body}
        </Deferred>
      )}
    </div>
  );
});

export function LiveTranscript({
  messages,
  tails,
  sessions,
  earlier,
}: {
  messages: TranscriptMessage[];
  tails: Tail[];
  sessions: SessionCost[];
  earlier: EarlierControl;
}) {
  const box = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  // The oldest row held and its offset from the box's top when an earlier page was asked for.
  const anchor = useRef<{ id: number; offset: number } | null>(null);
  const rowTop = (el: HTMLElement, id: number): number | null => {
    const row = el.querySelector<HTMLElement>(`[data-testid="transcript-row"][data-id="${id}"]`);
    return row ? row.getBoundingClientRect().top - el.getBoundingClientRect().top : null;
  };
  const loadEarlier = () => {
    const el = box.current;
    const first = messages[0];
    if (!earlier.has || earlier.loading) return;
    const offset = el && first ? rowTop(el, first.id) : null;
    anchor.current = first && offset !== null ? { id: first.id, offset } : null;
    earlier.load();
  };
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const a = anchor.current;
    if (a && earlier.pages > 0) {
      // An earlier page landed above: move by what it added, so the rows on screen stay put;
      // a reader who went back to the bottom while it loaded stays at the bottom (below).
      const now = rowTop(el, a.id);
      if (now !== null && messages[0]?.id !== a.id) {
        anchor.current = null;
        if (!atBottom.current) {
          el.scrollTop += now - a.offset;
          return;
        }
      }
    }
    if (atBottom.current) el.scrollTop = el.scrollHeight;
  }, [messages, tails, earlier.pages]);
  useEffect(() => {
    // Follow the tail through growth after the layout effect too: the newest rows' Markdown and
    // cards can lay out a frame later, which would leave a list that was at its bottom just above it.
    const el = box.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const pin = new ResizeObserver(() => {
      if (atBottom.current) el.scrollTop = el.scrollHeight;
    });
    for (const row of Array.from(el.children).slice(-4)) pin.observe(row);
    return () => pin.disconnect();
  }, [messages, tails]);
  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < EDGE_PX;
    if (el.scrollTop < EDGE_PX && el.scrollHeight > el.clientHeight) loadEarlier();
  };

  if (messages.length === 0 && tails.length === 0 && !earlier.has)
    return <p className="muted">No messages yet.</p>;
  const results = new Map<string, TranscriptMessage>();
  const calls = new Set<string>();
  for (const m of messages) {
    if (m.role === 'tool_result' && m.toolCallId) results.set(m.toolCallId, m);
    if (m.role === 'tool_call' && m.toolCallId) calls.add(m.toolCallId);
  }
  const running = new Set(tails.flatMap((t) => t.tools.filter((x) => x.running).map((x) => x.toolCallId)));
  const costs = new Map(sessions.map((s) => [s.sessionId, s]));
  const now = Date.now();
  const eagerFrom = messages.length - PAGE_SIZE;
  return (
    <div className="transcript" data-testid="transcript" ref={box} onScroll={onScroll}>
      {earlier.has && (
        <div className="load-earlier">
          <button type="button" data-testid="load-earlier" onClick={loadEarlier} disabled={earlier.loading}>
            {earlier.loading ? 'Loading earlier messages…' : 'Load earlier'}
          </button>
          {earlier.error && <span className="error"> {earlier.error}</span>}
        </div>
      )}
      {messages.map((m, i) => (
        <Row
          key={m.id}
          m={m}
          header={m.sessionId !== messages[i - 1]?.sessionId}
          cost={costs.get(m.sessionId)}
          result={m.role === 'tool_call' && m.toolCallId ? (results.get(m.toolCallId) ?? null) : null}
          inCard={m.role === 'tool_result' && !!m.toolCallId && calls.has(m.toolCallId)}
          running={m.role === 'tool_call' && !!m.toolCallId && running.has(m.toolCallId)}
          eager={i >= eagerFrom}
        />
      ))}
      {tails.map((t) => (
        <TailView key={t.stream} tail={t} now={now} />
      ))}
    </div>
  );
}
