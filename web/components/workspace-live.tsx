'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { WorkspaceEvent } from '../../db/schema.js';
import type { TranscriptPage } from '../../db/queries/workspace-page.js';
import { api, errorText } from './api.js';
import { liveStore, useLive } from './live/live-store.js';
import { LiveTranscript } from './live/live-transcript.js';

/**
 * Timeline and transcript over the page's live channel (Server-Sent Events, see live-store.ts):
 * no interval polling. A state change (status, PR, fixers, spend) re-renders the server parts of
 * the page, at most once a second.
 */
function statusKey(status: string, reason: string | null, prUpdatedAt: number | null): string {
  return `${status}|${reason ?? ''}|${prUpdatedAt ?? ''}`;
}

export function WorkspaceLive({
  workspaceId,
  initialEvents,
  initialPage,
  rendered,
  canMessage,
}: {
  workspaceId: string;
  /** What the server render showed of the live header's state (compared with the first live state). */
  rendered: { status: string; statusReason: string | null; prUpdatedAt: number | null } | null;
  initialEvents: WorkspaceEvent[];
  /** The newest transcript page, read by the server render. */
  initialPage: TranscriptPage;
  canMessage: boolean;
}) {
  const router = useRouter();
  const live = useLive(workspaceId, { events: initialEvents, page: initialPage });
  useEffect(() => liveStore(workspaceId).retain(), [workspaceId]);
  // The baseline is what the server rendered, not the first live state: a change that lands
  // between the render and the channel's first state still refreshes the header.
  const lastStatus = useRef<string | null>(
    rendered ? statusKey(rendered.status, rendered.statusReason, rendered.prUpdatedAt) : null,
  );
  const lastRefresh = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const status = live.state
    ? statusKey(live.state.status, live.state.statusReason, live.state.pr?.updatedAt ?? null)
    : null;
  useEffect(() => {
    if (status === null) return;
    if (lastStatus.current === null || lastStatus.current === status) {
      lastStatus.current = status;
      return;
    }
    lastStatus.current = status;
    const wait = Math.max(0, 1000 - (Date.now() - lastRefresh.current));
    if (pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      lastRefresh.current = Date.now();
      router.refresh();
    }, wait);
  }, [status, router]);
  useEffect(() => () => clearTimeout(pending.current ?? undefined), []);
  const { events } = live;

  return (
    <div className="live" data-testid="live" data-connected={live.connected} data-version={live.version}>
      {live.error && <p className="error">Live updates paused: {live.error}</p>}
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
        <LiveTranscript
          messages={live.messages}
          tails={live.tails}
          sessions={live.state?.costs.sessions ?? []}
          earlier={{
            has: live.hasEarlier,
            loading: live.loadingEarlier,
            error: live.earlierError,
            pages: live.earlierPages,
            // Made on use: the server render has no store (see useLive).
            load: () => void liveStore(workspaceId).loadEarlier(),
          }}
        />
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
