'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useRef, useState } from 'react';
import { boardQueryToSearch, type BoardColumn, type BoardQuery } from '../../../core/board-query.js';
import type { BoardCard, BoardColumnPage } from '../../../db/queries/board.js';
import { Card } from './board-card.js';

const TITLES: Record<BoardColumn | 'archived', string> = {
  working: 'Working',
  waiting: 'Waiting',
  done: 'Done',
  archived: 'Archived',
};

interface Frame {
  cards: BoardCard[];
  removed: string[];
  totals: Record<string, number>;
}

/** Newest first by (createdAt, id): the order the server pages in. */
const before = (a: BoardCard, b: BoardCard) =>
  a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id);

/**
 * Applies a live frame: each changed card leaves wherever it was and, if its column is shown and
 * it falls within the loaded range, takes its place by creation order (cards never jump around).
 */
export function applyFrame(
  columns: BoardColumnPage[],
  frame: Frame,
  /** The column shown from a cursor (a later page): cards newer than its first belong to earlier pages. */
  pagedFromCursor: string | null = null,
): BoardColumnPage[] {
  const changed = new Set([...frame.removed, ...frame.cards.map((c) => c.id)]);
  return columns.map((col) => {
    let cards = col.cards.filter((c) => !changed.has(c.id));
    for (const card of frame.cards) {
      if (card.column !== col.column) continue;
      const last = cards[cards.length - 1];
      // Beyond the last loaded card of a column that has more pages: it belongs to a later page.
      if (col.nextCursor && last && !before(card, last)) continue;
      const first = col.cards[0];
      if (col.column === pagedFromCursor && first && before(card, first)) continue;
      const at = cards.findIndex((c) => before(card, c));
      cards = at === -1 ? [...cards, card] : [...cards.slice(0, at), card, ...cards.slice(at)];
    }
    return { ...col, cards, total: frame.totals[col.column] ?? 0 };
  });
}

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

export function BoardView({
  query,
  initial,
  projects,
  renderedAt,
}: {
  query: BoardQuery;
  initial: BoardColumnPage[];
  projects: Array<{ id: string; name: string }>;
  renderedAt: number;
}) {
  const router = useRouter();
  const [columns, setColumns] = useState(initial);
  const [selected, setSelected] = useState<string | null>(null);
  const [connected, setConnected] = useState(false);
  const [now, setNow] = useState(renderedAt);
  const [text, setText] = useState(query.q ?? '');
  const search = useRef<HTMLInputElement>(null);
  const go = (next: Partial<BoardQuery>, replace = false) => {
    const url = `/${boardQueryToSearch({ ...query, cursor: undefined, ...next })}`;
    if (replace) router.replace(url);
    else router.push(url);
  };

  const paged = query.view === 'archived' ? 'archived' : (query.column ?? 'done');
  // The live channel for this view; cards are patched in place.
  useEffect(() => {
    const params = new URLSearchParams(boardQueryToSearch({ ...query, cursor: undefined }).slice(1));
    params.set('since', String(renderedAt));
    const es = new EventSource(`/api/board/live?${params}`);
    es.addEventListener('hello', () => setConnected(true));
    es.addEventListener('cards', (e) => {
      const frame = JSON.parse((e as MessageEvent<string>).data) as Frame;
      setColumns((cols) => applyFrame(cols, frame, query.cursor ? paged : null));
    });
    es.addEventListener('reload', () => router.refresh());
    es.onerror = () => setConnected(false);
    return () => es.close();
    // The view is fixed for this component's life (the page remounts it per URL).
  }, []);

  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(t);
  }, []);

  const order = useMemo(() => columns.flatMap((c) => c.cards.map((card) => card.id)), [columns]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey) return;
      if (e.key === 'Escape') {
        if (e.target === search.current) {
          setText('');
          search.current?.blur();
          if (query.q) go({ q: undefined });
          return;
        }
        if (typing(e.target)) return;
        if (selected) setSelected(null);
        else if (query.q || query.project || query.column || query.needsMe)
          router.push(`/${boardQueryToSearch({ view: query.view })}`);
        return;
      }
      if (typing(e.target)) return;
      if (e.key === 'j' || e.key === 'k') {
        e.preventDefault();
        if (order.length === 0) return;
        const i = selected ? order.indexOf(selected) : -1;
        const next = e.key === 'j' ? Math.min(order.length - 1, i + 1) : Math.max(0, i === -1 ? 0 : i - 1);
        setSelected(order[next]!);
      } else if (e.key === 'Enter' && selected) {
        e.preventDefault();
        router.push(`/workspaces/${selected}`);
      } else if (e.key === '/') {
        e.preventDefault();
        search.current?.focus();
        search.current?.select();
      } else if (e.key === 'n') {
        const title = document.querySelector<HTMLInputElement>(
          'form[aria-label="New workspace"] input[name="title"]',
        );
        if (title) {
          e.preventDefault();
          title.focus();
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  useEffect(() => {
    if (!selected) return;
    document.querySelector(`[data-id="${CSS.escape(selected)}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [selected]);

  return (
    <div className="board-wrap" data-testid="board" data-live={connected ? 'true' : 'false'}>
      <form
        className="board-filters"
        role="search"
        aria-label="Board filters"
        onSubmit={(e) => {
          e.preventDefault();
          go({ q: text.trim() || undefined });
        }}
      >
        <input
          ref={search}
          type="search"
          name="q"
          aria-label="Search"
          placeholder="Search title, branch, #PR   ( / )"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <select
          aria-label="Project"
          value={query.project ?? ''}
          onChange={(e) => go({ project: e.target.value || undefined })}
        >
          <option value="">All projects</option>
          {projects.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        {query.view === 'board' && (
          <select
            aria-label="Column"
            value={query.column ?? ''}
            onChange={(e) => go({ column: (e.target.value || undefined) as BoardColumn | undefined })}
          >
            <option value="">All columns</option>
            <option value="working">Working</option>
            <option value="waiting">Waiting</option>
            <option value="done">Done</option>
          </select>
        )}
        <label className="check">
          <input
            type="checkbox"
            checked={query.needsMe}
            onChange={(e) => go({ needsMe: e.target.checked })}
          />
          Needs me
        </label>
        <nav className="views" aria-label="Views">
          <Link
            prefetch={false}
            href={`/${boardQueryToSearch({ ...query, view: 'board', cursor: undefined })}`}
            aria-current={query.view === 'board' ? 'page' : undefined}
          >
            Board
          </Link>
          <Link
            prefetch={false}
            href={`/${boardQueryToSearch({ ...query, view: 'archived', column: undefined, cursor: undefined })}`}
            aria-current={query.view === 'archived' ? 'page' : undefined}
          >
            Archived
          </Link>
        </nav>
        <span className="muted keys" title="j/k move · Enter opens · / search · n new workspace · Esc clears">
          j k ↵ / n esc
        </span>
      </form>
      <section className={`board cols-${columns.length}`} aria-label="Board">
        {columns.map((col) => (
          <div key={col.column} className="column" data-column={col.column}>
            <h2>
              {TITLES[col.column]}{' '}
              <span className="count" data-testid="column-total">
                {col.total}
              </span>
            </h2>
            {col.cards.length === 0 ? (
              <p className="muted empty">Nothing here.</p>
            ) : (
              <ul>
                {col.cards.map((card) => (
                  <Card key={card.id} card={card} now={now} selected={card.id === selected} />
                ))}
              </ul>
            )}
            <div className="column-foot">
              {col.column === paged && query.cursor && (
                <Link prefetch={false} href={`/${boardQueryToSearch({ ...query, cursor: undefined })}`}>
                  Newest
                </Link>
              )}
              {col.column === paged && col.nextCursor ? (
                <Link
                  prefetch={false}
                  data-testid="older"
                  href={`/${boardQueryToSearch({ ...query, cursor: parseCursor(col.nextCursor) })}`}
                >
                  Older →
                </Link>
              ) : col.column !== paged && col.total > col.cards.length ? (
                <Link
                  prefetch={false}
                  data-testid="more"
                  href={`/${boardQueryToSearch({ ...query, column: col.column as BoardColumn, cursor: undefined })}`}
                >
                  {col.total - col.cards.length} more
                </Link>
              ) : null}
            </div>
          </div>
        ))}
      </section>
    </div>
  );
}

function parseCursor(s: string): BoardQuery['cursor'] {
  const dot = s.indexOf('.');
  return { createdAt: Number(s.slice(0, dot)), id: s.slice(dot + 1) };
}
