'use client';

/**
 * The transcript as stored rows plus the live tail: assistant text as Markdown with its model,
 * tokens and dollars, tool calls as cards joined to their results, resets, and after the last row
 * whatever is streaming now.
 */
import type { SessionCost } from '../../lib/costs.js';
import type { TranscriptMessage } from '../../lib/queries.js';
import { contentText } from '../transcript.js';
import { Folded } from './folded.js';
import type { Tail } from './live-store.js';
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

export function LiveTranscript({
  messages,
  tails,
  sessions,
}: {
  messages: TranscriptMessage[];
  tails: Tail[];
  sessions: SessionCost[];
}) {
  if (messages.length === 0 && tails.length === 0) return <p className="muted">No messages yet.</p>;
  const results = new Map<string, TranscriptMessage>();
  const calls = new Set<string>();
  for (const m of messages) {
    if (m.role === 'tool_result' && m.toolCallId) results.set(m.toolCallId, m);
    if (m.role === 'tool_call' && m.toolCallId) calls.add(m.toolCallId);
  }
  const running = new Set(tails.flatMap((t) => t.tools.filter((x) => x.running).map((x) => x.toolCallId)));
  const costs = new Map(sessions.map((s) => [s.sessionId, s]));
  const now = Date.now();
  let lastSession = '';
  return (
    <div className="transcript" data-testid="transcript">
      {messages.map((m) => {
        const header = m.sessionId !== lastSession;
        lastSession = m.sessionId;
        let body: React.ReactNode;
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
            body = (
              <ToolCard
                call={m}
                result={m.toolCallId ? (results.get(m.toolCallId) ?? null) : null}
                running={!!m.toolCallId && running.has(m.toolCallId)}
              />
            );
            break;
          case 'tool_result':
            // Shown inside its call's card; a result without a stored call stands alone.
            body =
              m.toolCallId && calls.has(m.toolCallId) ? null : (
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
          <div key={m.id}>
            {header && <SessionHead m={m} cost={costs.get(m.sessionId)} />}
            {body}
          </div>
        );
      })}
      {tails.map((t) => (
        <TailView key={t.stream} tail={t} now={now} />
      ))}
    </div>
  );
}
