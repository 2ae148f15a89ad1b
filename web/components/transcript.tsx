import type { TranscriptMessage } from '../lib/queries.js';

/** Text of a transcript row: a string, `{ text }`, or pretty JSON for anything else. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (content && typeof content === 'object' && 'text' in content && typeof content.text === 'string')
    return content.text;
  return JSON.stringify(content, null, 2);
}

function toolArgs(content: unknown): string {
  if (content && typeof content === 'object') {
    const c = content as Record<string, unknown>;
    const args = c.args ?? c.input ?? c.arguments ?? content;
    return typeof args === 'string' ? args : JSON.stringify(args, null, 2);
  }
  return String(content);
}

function Row({ m }: { m: TranscriptMessage }) {
  switch (m.role) {
    case 'assistant':
      return <div className="msg assistant">{contentText(m.content)}</div>;
    case 'user':
      return (
        <div className="msg user">
          <span className="who">You</span>
          {contentText(m.content)}
        </div>
      );
    case 'tool_call':
      return (
        <div className="msg tool-call">
          <span className="tool">{m.toolName ?? 'tool'}</span>
          <pre>{toolArgs(m.content)}</pre>
        </div>
      );
    case 'tool_result':
      return (
        <details className="msg tool-result">
          <summary>Result{m.toolName ? ` of ${m.toolName}` : ''}</summary>
          <pre>{contentText(m.content)}</pre>
        </details>
      );
    case 'reset':
      return <div className="msg reset">Attempt restarted; its partial output was discarded.</div>;
    default:
      return <div className="msg system">{contentText(m.content)}</div>;
  }
}

export function Transcript({ messages }: { messages: TranscriptMessage[] }) {
  if (messages.length === 0) return <p className="muted">No messages yet.</p>;
  let lastSession = '';
  return (
    <div className="transcript" data-testid="transcript">
      {messages.map((m) => {
        const header = m.sessionId !== lastSession;
        lastSession = m.sessionId;
        return (
          <div key={m.id}>
            {header && (
              <div className="session-head">
                Session {m.purpose} {m.model ? `· ${m.model}` : ''}
              </div>
            )}
            <Row m={m} />
          </div>
        );
      })}
    </div>
  );
}
