'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import type { InboxEntry } from '../lib/inbox.js';
import { api, errorText } from './api.js';
import { DESKTOP_KEY, INBOX_EVENT } from './inbox-badge.js';

type Desktop = 'unsupported' | 'ask' | 'granted' | 'denied' | 'off';

function desktopState(): Desktop {
  if (typeof Notification === 'undefined') return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  // Shown only when the browser allows it AND the person turned it on here (a click, remembered).
  const stored = window.localStorage.getItem(DESKTOP_KEY);
  if (Notification.permission === 'granted' && stored === 'granted') return 'granted';
  return stored === 'off' ? 'off' : 'ask';
}

/** Asks for desktop notifications once, from the click (browsers refuse a request without one). */
function DesktopToggle() {
  const [state, setState] = useState<Desktop | null>(null);
  useEffect(() => setState(desktopState()), []);
  if (state === null || state === 'unsupported') return null;
  async function enable() {
    const answer = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
    window.localStorage.setItem(DESKTOP_KEY, answer === 'granted' ? 'granted' : 'denied');
    setState(desktopState());
  }
  function disable() {
    window.localStorage.setItem(DESKTOP_KEY, 'off');
    setState('off');
  }
  return (
    <span className="desktop-toggle" data-testid="desktop-notifications" data-state={state}>
      {state === 'granted' ? (
        <>
          Desktop notifications on{' '}
          <button type="button" className="link" onClick={disable}>
            turn off
          </button>
        </>
      ) : state === 'denied' ? (
        'Desktop notifications are blocked in this browser'
      ) : (
        <button type="button" onClick={enable}>
          Enable desktop notifications
        </button>
      )}
    </span>
  );
}

const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

/** The inbox: newest first; mark one or all read; each links to its workspace; refreshed live. */
export function InboxList({ items, unread }: { items: InboxEntry[]; unread: number }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const refresh = () => router.refresh();
    window.addEventListener(INBOX_EVENT, refresh);
    return () => window.removeEventListener(INBOX_EVENT, refresh);
  }, [router]);

  async function mark(body: { ids: number[] } | { all: true }) {
    setBusy(true);
    setError(null);
    try {
      await api('/api/notifications/read', { method: 'POST', body });
      router.refresh();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card inbox" aria-label="Inbox">
      <div className="inbox-head">
        <h2>
          Inbox <span className="muted">({unread} unread)</span>
        </h2>
        <DesktopToggle />
        <button type="button" disabled={busy || unread === 0} onClick={() => void mark({ all: true })}>
          Mark all read
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {items.length === 0 ? (
        <p className="muted">Nothing needs you. Ratchet adds an item here when a person is needed.</p>
      ) : (
        <ul className="inbox-items" data-testid="inbox-items">
          {items.map((n) => (
            <li
              key={n.id}
              className={`inbox-item level-${n.level}${n.readAt === null ? ' unread' : ''}`}
              data-testid="inbox-item"
              data-id={n.id}
              data-kind={n.kind}
            >
              <div className="inbox-title">
                <span className={`pill kind-${n.kind}`}>{n.kind.replaceAll('_', ' ')}</span>{' '}
                {n.workspaceId ? (
                  <Link href={`/workspaces/${encodeURIComponent(n.workspaceId)}`}>{n.title}</Link>
                ) : (
                  n.title
                )}
              </div>
              <p className="inbox-body">{n.body.length > 400 ? `${n.body.slice(0, 400)}…` : n.body}</p>
              <div className="inbox-meta muted">
                {n.workspaceTitle ? `${n.workspaceTitle} · ` : ''}
                {when(n.createdAt)}
                {n.readAt === null ? (
                  <button
                    type="button"
                    className="link"
                    disabled={busy}
                    onClick={() => void mark({ ids: [n.id] })}
                  >
                    Mark read
                  </button>
                ) : (
                  <span> · read</span>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
