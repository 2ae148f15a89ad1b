'use client';

import { useRouter } from 'next/navigation';
import { useCallback, useRef, useState, type FormEvent } from 'react';
import type { WorkspaceEvent } from '../../db/schema.js';
import type { TranscriptMessage } from '../lib/queries.js';
import { appendTranscript } from '../lib/transcript.js';
import { api, errorText } from './api.js';
import { Transcript } from './transcript.js';
import { useTail } from './use-tail.js';

export function WorkspaceLive({
  workspaceId,
  initialEvents,
  canMessage,
}: {
  workspaceId: string;
  initialEvents: WorkspaceEvent[];
  canMessage: boolean;
}) {
  const router = useRouter();
  const [events, setEvents] = useState(initialEvents);
  const [messages, setMessages] = useState<TranscriptMessage[]>([]);
  const [streamError, setStreamError] = useState<string | null>(null);
  const [initialCursor] = useState(() => initialEvents.at(-1)?.id ?? 0);
  const lastRefresh = useRef(0);

  const onEvents = useCallback(
    (rows: WorkspaceEvent[]) => {
      setEvents((prev) => {
        const seen = new Set(prev.map((e) => e.id));
        return [...prev, ...rows.filter((r) => !seen.has(r.id))];
      });
      // Status changes always come with an event: re-render the header, at most once a second.
      if (Date.now() - lastRefresh.current > 1000) {
        lastRefresh.current = Date.now();
        router.refresh();
      }
    },
    [router],
  );
  const onMessages = useCallback(
    (rows: TranscriptMessage[]) => setMessages((prev) => appendTranscript(prev, rows)),
    [],
  );

  useTail<WorkspaceEvent>({
    url: `/api/workspaces/${workspaceId}/events`,
    key: 'events',
    initialCursor,
    ms: 1000,
    onRows: onEvents,
    onError: setStreamError,
  });
  useTail<TranscriptMessage>({
    url: `/api/workspaces/${workspaceId}/messages`,
    key: 'messages',
    initialCursor: 0,
    ms: 1000,
    onRows: onMessages,
    onError: setStreamError,
  });

  return (
    <div className="live">
      {streamError && <p className="error">Live updates paused: {streamError}</p>}
      <section className="card timeline" aria-label="Timeline">
        <h2>Timeline</h2>
        {events.length === 0 ? (
          <p className="muted">No events yet.</p>
        ) : (
          <ol data-testid="timeline">
            {events.map((e) => (
              <li key={e.id} className={`event level-${e.level}`}>
                <time dateTime={new Date(e.at).toISOString()} suppressHydrationWarning>
                  {new Date(e.at).toLocaleTimeString()}
                </time>
                <span className="kind">{e.kind}</span>
                <span className="msg">{e.message}</span>
              </li>
            ))}
          </ol>
        )}
      </section>
      <section className="card transcript-card" aria-label="Transcript">
        <h2>Transcript</h2>
        <Transcript messages={messages} />
        {canMessage && <FollowUp workspaceId={workspaceId} />}
      </section>
    </div>
  );
}

function FollowUp({ workspaceId }: { workspaceId: string }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ error: boolean; text: string } | null>(null);
  // One key per message: a resend after a failed or cut-off POST is the same message, run once.
  const [key, setKey] = useState(() => crypto.randomUUID());
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setNote(null);
    try {
      await api<{ queued: true }>(`/api/workspaces/${workspaceId}/messages`, {
        method: 'POST',
        body: { text, idempotencyKey: key },
      });
      setText('');
      setKey(crypto.randomUUID());
      setNote({ error: false, text: 'Queued.' });
    } catch (err) {
      setNote({ error: true, text: errorText(err) });
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="follow-up" onSubmit={submit} aria-label="Follow-up message">
      <textarea
        value={text}
        onChange={(e) => setText(e.target.value)}
        rows={3}
        placeholder="Send a follow-up to the agent…"
        required
      />
      <button type="submit" disabled={busy || text.trim() === ''}>
        {busy ? 'Sending…' : 'Send'}
      </button>
      {note && <p className={note.error ? 'error' : 'notice'}>{note.text}</p>}
    </form>
  );
}
