/**
 * The board's live channel: one poller per console process, running every `BOARD_TICK_MS` while a
 * board is open. It does nothing while SQLite's `data_version` (bumped by another connection's
 * commit) and this connection's change count stay the same; otherwise it reads which workspaces
 * changed since the last look (rows, PRs, sessions and messages, fix attempts, notifications) and
 * sends each open board the changed cards that belong in its view, the ids that left it, and its
 * column totals. The page patches its cards in place: no re-render of the page, no refetch.
 */
import { cardMatches, type BoardQuery } from '../../core/board-query.js';
import type { Db } from '../../db/client.js';
import { countBoard, getBoardCards, type BoardCard } from '../../db/queries/board.js';

/** @default 200 */
export const BOARD_TICK_MS = 200;
/**
 * How far before the last look a change is still picked up: a writer's timestamp is taken before
 * its commit, so a row can become visible a little after its `updated_at`. Cards re-sent are
 * harmless (the page replaces them).
 * @default 5000
 */
export const BOARD_LOOKBACK_MS = 5000;
/** More changed workspaces than this in one tick: boards reload instead. @default 500 */
export const BOARD_MAX_CHANGED = 500;

/** What a board receives (`event: cards`). */
export interface BoardCardsFrame {
  /** Changed cards that belong in this board's view. */
  cards: BoardCard[];
  /** Changed workspaces that do not (anymore). */
  removed: string[];
  /** Column totals under this board's filters. */
  totals: Record<string, number>;
}

export const CHANGED_SQL = `SELECT DISTINCT id FROM (
    SELECT id FROM workspaces WHERE updated_at > @t
    UNION ALL SELECT workspace_id FROM pull_requests WHERE updated_at > @t
    UNION ALL SELECT s.workspace_id FROM agent_messages m JOIN agent_sessions s ON s.id = m.session_id WHERE m.created_at > @t
    UNION ALL SELECT workspace_id FROM agent_sessions WHERE created_at > @t OR ended_at > @t
    UNION ALL SELECT workspace_id FROM fix_attempts WHERE created_at > @t OR ended_at > @t
    UNION ALL SELECT workspace_id FROM notifications WHERE workspace_id IS NOT NULL AND (created_at > @t OR read_at > @t)
  ) LIMIT @max`;

/** Workspaces with a change after `since` (ms), at most `max` of them. */
export function changedWorkspaceIds(db: Db, since: number, max = BOARD_MAX_CHANGED + 1): string[] {
  return (db.$client.prepare(CHANGED_SQL).all({ t: since, max }) as Array<{ id: string }>).map((r) => r.id);
}

/** Changes when anything commits to the file (another connection) or this connection writes. */
function dataStamp(db: Db): string {
  const version = db.$client.pragma('data_version', { simple: true }) as number;
  const own = (db.$client.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
  return `${version}/${own}`;
}

type Send = (frame: string) => void;
interface Subscriber {
  send: Send;
  query: BoardQuery;
}
interface Hub {
  subscribers: Set<Subscriber>;
  timer: ReturnType<typeof setInterval> | null;
  stamp: string;
  /** When the last look started (ms). */
  lookedAt: number;
  workspaceCount: number;
}

const state = globalThis as unknown as { __ratchetBoardHub?: Hub };

function workspaceCount(db: Db): number {
  return (db.$client.prepare('SELECT count(*) AS n FROM workspaces').get() as { n: number }).n;
}

/** One look: the frames to send, or null when nothing a board shows changed. */
export function boardChanges(
  db: Db,
  since: number,
  queries: BoardQuery[],
): { reload: true } | { frames: BoardCardsFrame[] } | null {
  const ids = changedWorkspaceIds(db, since);
  if (ids.length > BOARD_MAX_CHANGED) return { reload: true };
  if (ids.length === 0) return null;
  const cards = getBoardCards({ db, ids });
  const gone = new Set(ids);
  for (const c of cards) gone.delete(c.id);
  const totals = new Map<string, Record<string, number>>();
  return {
    frames: queries.map((query) => {
      const key = JSON.stringify({ ...query, cursor: undefined, limit: undefined });
      let t = totals.get(key);
      if (!t) totals.set(key, (t = Object.fromEntries(countBoard({ db, query }))));
      const inView = cards.filter((c) => cardMatches(c, query));
      const out = new Set(inView.map((c) => c.id));
      return { cards: inView, removed: ids.filter((id) => !out.has(id) || gone.has(id)), totals: t };
    }),
  };
}

const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

function tick(db: Db, hub: Hub) {
  const stamp = dataStamp(db);
  if (stamp === hub.stamp) return;
  hub.stamp = stamp;
  const lookedAt = Date.now();
  const since = hub.lookedAt - BOARD_LOOKBACK_MS;
  hub.lookedAt = lookedAt;
  const subs = [...hub.subscribers];
  const count = workspaceCount(db);
  const deleted = count < hub.workspaceCount;
  hub.workspaceCount = count;
  const changes = deleted
    ? ({ reload: true } as const)
    : boardChanges(
        db,
        since,
        subs.map((s) => s.query),
      );
  if (!changes) return;
  subs.forEach((s, i) => {
    try {
      s.send('reload' in changes ? frame('reload', {}) : frame('cards', changes.frames[i]));
    } catch {
      hub.subscribers.delete(s);
    }
  });
}

/**
 * Subscribes a board with its view; returns the unsubscribe. `since` is when the page's cards were
 * read: changes between then and now are sent at once, so none falls between render and connect.
 */
export function subscribeBoard(db: Db, send: Send, query: BoardQuery, since?: number): () => void {
  state.__ratchetBoardHub ??= {
    subscribers: new Set(),
    timer: null,
    stamp: '',
    lookedAt: 0,
    workspaceCount: 0,
  };
  const hub = state.__ratchetBoardHub;
  if (!hub.timer) {
    hub.stamp = dataStamp(db);
    hub.lookedAt = Date.now();
    hub.workspaceCount = workspaceCount(db);
  }
  const sub: Subscriber = { send, query };
  send(frame('hello', { at: hub.lookedAt }));
  if (since !== undefined) {
    const missed = boardChanges(db, since - BOARD_LOOKBACK_MS, [query]);
    if (missed) send('reload' in missed ? frame('reload', {}) : frame('cards', missed.frames[0]));
  }
  hub.subscribers.add(sub);
  hub.timer ??= setInterval(() => {
    try {
      tick(db, hub);
    } catch {
      // a locked or closing database: the next tick tries again
    }
  }, BOARD_TICK_MS);
  return () => {
    hub.subscribers.delete(sub);
    if (hub.subscribers.size === 0 && hub.timer) {
      clearInterval(hub.timer);
      hub.timer = null;
    }
  };
}
