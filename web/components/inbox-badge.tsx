'use client';

import { useEffect, useState } from 'react';

/** One inbox frame from `/api/notifications/live`. */
export interface InboxFrame {
  unread: number;
  latestId: number;
  fresh: Array<{ id: number; title: string; body: string; workspaceId: string | null; level: string }>;
}

/** Window event the badge re-dispatches for other components of the page (the inbox list). */
export const INBOX_EVENT = 'ratchet:inbox';
/** localStorage key: the person's answer to "desktop notifications?" (`granted`, `denied`, `off`). */
export const DESKTOP_KEY = 'ratchet.desktopNotifications';

function showDesktop(frame: InboxFrame) {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  if (window.localStorage.getItem(DESKTOP_KEY) !== 'granted') return;
  for (const n of frame.fresh) {
    // The tag makes two open tabs show one notification, not two.
    const note = new Notification(n.title, { body: n.body.slice(0, 300), tag: `ratchet-${n.id}` });
    note.onclick = () => {
      window.focus();
      window.location.href = n.workspaceId ? `/workspaces/${encodeURIComponent(n.workspaceId)}` : '/inbox';
    };
  }
}

/**
 * The unread count in the navigation, live over SSE (no polling), and the desktop notifier: each
 * notification raised while a console tab is open is shown once through the Notification API,
 * if the person allowed it (asked once, from the Inbox page's button).
 */
export function InboxBadge() {
  const [unread, setUnread] = useState<number | null>(null);
  useEffect(() => {
    const es = new EventSource('/api/notifications/live');
    es.addEventListener('inbox', (e) => {
      const frame = JSON.parse((e as MessageEvent<string>).data) as InboxFrame;
      setUnread(frame.unread);
      if (frame.fresh.length > 0) showDesktop(frame);
      window.dispatchEvent(new CustomEvent<InboxFrame>(INBOX_EVENT, { detail: frame }));
    });
    return () => es.close();
  }, []);
  return (
    <span
      className={`badge${unread ? ' badge-unread' : ''}`}
      data-testid="inbox-count"
      aria-label={unread === null ? 'unread count loading' : `${unread} unread`}
    >
      {unread ?? '·'}
    </span>
  );
}
