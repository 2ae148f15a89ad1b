/**
 * The board's reads at any size: column totals, one bounded page per column, and the few facts a
 * card shows (spend, fix attempts, unread notifications) for the cards on the page only.
 *
 * The Kanban column is computed in SQL (`COLUMN_SQL`) so that filtering, counting and paging happen
 * in the database; it mirrors `core/kanban.ts` rule for rule (tests/db/board-query.test.ts compares
 * the two over every status × PR state × ratchet state × CI status), and the card's reason still
 * comes from `kanbanFromRows`. No index is needed: every query is one scan of `workspaces` joined by
 * primary key to `pull_requests` (10,000 rows: a few milliseconds), and the per-card facts use the
 * existing `*_ws_idx` indexes through `json_each` id lists.
 */
import type { Statement } from 'better-sqlite3';
import {
  asciiLower,
  BOARD_COLUMNS,
  encodeCursor,
  prNumberOf,
  type BoardColumn,
  type BoardQuery,
} from '../../core/board-query.js';
import { kanbanFromRows, WAITING_STATUSES, WORKING_STATUSES } from '../../core/kanban.js';
import { HUMAN_TURN_STATES, RATCHET_STATES } from '../../core/ratchet/state.js';
import type { Db } from '../client.js';

/** Quoted list of constants from core (never user input). */
const list = (xs: Iterable<string>) => [...xs].map((x) => `'${x.replace(/'/g, "''")}'`).join(', ');

/** `kanbanFromRows(...).column` in SQL, over `w` (workspaces) and `pr` (pull_requests, may be null). */
export const COLUMN_SQL = `CASE
  WHEN w.archived_at IS NOT NULL OR w.status IN ('archiving', 'archived') THEN 'archived'
  WHEN pr.state IN ('merged', 'closed') OR pr.ratchet_state IN ('merged', 'closed') THEN 'done'
  WHEN w.status IN (${list(WAITING_STATUSES)}) THEN 'waiting'
  WHEN w.status IN (${list(WORKING_STATUSES)}) THEN 'working'
  WHEN pr.ratchet_state IN (${list(HUMAN_TURN_STATES)}) THEN 'waiting'
  WHEN pr.ratchet_state IN (${list(RATCHET_STATES)}) THEN 'working'
  WHEN pr.workspace_id IS NOT NULL AND pr.ci_status = 'pending' THEN 'working'
  ELSE 'waiting'
END`;

/** One card: what the board shows for a workspace. */
export interface BoardCard {
  id: string;
  title: string;
  branch: string;
  projectId: string;
  projectName: string;
  status: string;
  column: BoardColumn | 'archived';
  reason: string;
  createdAt: number;
  updatedAt: number;
  archivedAt: number | null;
  budgetUsd: number | null;
  prNumber: number | null;
  prUrl: string | null;
  prState: string | null;
  ciStatus: string | null;
  ratchetState: string | null;
  /** Fix attempts the ratchet dispatched (every kind and outcome). */
  attempts: number;
  /** Summed from the workspace's sessions (the transcript is the source of truth for cost). */
  spentUsd: number;
  /** Unread notifications of this workspace. */
  unread: number;
}

export interface BoardColumnPage {
  column: BoardColumn | 'archived';
  /** Cards in this column under the filters (all pages). */
  total: number;
  cards: BoardCard[];
  /** Where the next page starts; null on the last page. */
  nextCursor: string | null;
}

export interface BoardPage {
  query: BoardQuery;
  columns: BoardColumnPage[];
}

interface Row {
  id: string;
  title: string;
  branch: string;
  projectId: string;
  projectName: string;
  status: string;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  archivedAt: number | null;
  budgetUsd: number | null;
  prNumber: number | null;
  prUrl: string | null;
  prState: string | null;
  ciStatus: string | null;
  ratchetState: string | null;
  ratchetReason: string | null;
  col: BoardColumn | 'archived';
}

/** A card's row, by id (a primary-key lookup per card). */
const CARD_ROWS = `SELECT w.id, w.title, w.branch, w.project_id AS projectId, p.name AS projectName, w.status,
    w.last_error AS lastError, w.created_at AS createdAt, w.updated_at AS updatedAt, w.archived_at AS archivedAt,
    w.budget_usd AS budgetUsd, pr.number AS prNumber, pr.url AS prUrl, pr.state AS prState,
    pr.ci_status AS ciStatus, pr.ratchet_state AS ratchetState, pr.ratchet_reason AS ratchetReason,
    ${COLUMN_SQL} AS col
  FROM workspaces w
  JOIN projects p ON p.id = w.project_id
  LEFT JOIN pull_requests pr ON pr.workspace_id = w.id
  WHERE w.id IN (SELECT value FROM json_each(@ids))`;

/**
 * One scan: the filtered workspaces' (id, created_at, column), materialized once, then the totals
 * and each shown column's page read from that small table. `paged` is the column the cursor moves.
 */
function boardSql(shown: readonly string[], paged: string): string {
  const page = (column: string) => `SELECT * FROM (SELECT 'card' AS kind, col, NULL AS n, id, createdAt FROM b
      WHERE col = '${column}'${
        column === paged
          ? ' AND (@cursorAt IS NULL OR createdAt < @cursorAt OR (createdAt = @cursorAt AND id < @cursorId))'
          : ''
      }
      ORDER BY createdAt DESC, id DESC LIMIT @limit)`;
  return `WITH b AS MATERIALIZED (
    SELECT * FROM (
      SELECT w.id AS id, w.created_at AS createdAt, ${COLUMN_SQL} AS col
      FROM workspaces w LEFT JOIN pull_requests pr ON pr.workspace_id = w.id
      WHERE (@project IS NULL OR w.project_id = @project)
        AND (@q IS NULL OR instr(lower(w.title), @q) > 0 OR instr(lower(w.branch), @q) > 0 OR pr.number = @prNumber)
    )
    WHERE (CASE WHEN @archived THEN col = 'archived' ELSE col <> 'archived' END)
      AND (@column IS NULL OR col = @column)
      AND (@needsMe = 0 OR col = 'waiting'
        OR id IN (SELECT workspace_id FROM notifications WHERE read_at IS NULL AND workspace_id IS NOT NULL))
  )
  SELECT 'total' AS kind, col, count(*) AS n, NULL AS id, NULL AS createdAt FROM b GROUP BY col
  ${shown.map((c) => `UNION ALL ${page(c)}`).join('\n  ')}`;
}

const FACTS = {
  spend: `SELECT workspace_id AS id, coalesce(sum(cost_usd), 0) AS v FROM agent_sessions
    WHERE workspace_id IN (SELECT value FROM json_each(@ids)) GROUP BY workspace_id`,
  attempts: `SELECT workspace_id AS id, count(*) AS v FROM fix_attempts
    WHERE workspace_id IN (SELECT value FROM json_each(@ids)) GROUP BY workspace_id`,
  unread: `SELECT workspace_id AS id, count(*) AS v FROM notifications
    WHERE read_at IS NULL AND workspace_id IN (SELECT value FROM json_each(@ids)) GROUP BY workspace_id`,
} as const;

const cache = new WeakMap<object, Map<string, Statement>>();
/** Prepared once per connection and SQL text. */
function prepared(db: Db, text: string): Statement {
  let m = cache.get(db.$client);
  if (!m) cache.set(db.$client, (m = new Map()));
  let s = m.get(text);
  if (!s) m.set(text, (s = db.$client.prepare(text)));
  return s;
}

function params(q: BoardQuery) {
  const text = q.q?.trim() || null;
  return {
    archived: q.view === 'archived' ? 1 : 0,
    project: q.project ?? null,
    column: q.column ?? null,
    needsMe: q.needsMe ? 1 : 0,
    q: text === null ? null : asciiLower(text),
    prNumber: text === null ? null : prNumberOf(text),
  };
}

/** Rows → cards, with spend, attempts and unread counts read for these ids only. */
function toCards(db: Db, rows: Row[]): BoardCard[] {
  if (rows.length === 0) return [];
  const ids = JSON.stringify(rows.map((r) => r.id));
  const facts = (text: string) =>
    new Map((prepared(db, text).all({ ids }) as Array<{ id: string; v: number }>).map((r) => [r.id, r.v]));
  const spend = facts(FACTS.spend);
  const attempts = facts(FACTS.attempts);
  const unread = facts(FACTS.unread);
  return rows.map((r) => {
    const placed = kanbanFromRows({
      workspace: { status: r.status, archivedAt: r.archivedAt, lastError: r.lastError },
      pr:
        r.prState === null
          ? null
          : {
              state: r.prState,
              number: r.prNumber!,
              ciStatus: r.ciStatus,
              ratchetState: r.ratchetState,
              ratchetReason: r.ratchetReason,
            },
    });
    return {
      id: r.id,
      title: r.title,
      branch: r.branch,
      projectId: r.projectId,
      projectName: r.projectName,
      status: r.status,
      column: r.col,
      reason: placed.reason,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
      archivedAt: r.archivedAt,
      budgetUsd: r.budgetUsd,
      prNumber: r.prNumber,
      prUrl: r.prUrl,
      prState: r.prState,
      ciStatus: r.ciStatus,
      ratchetState: r.ratchetState,
      attempts: attempts.get(r.id) ?? 0,
      spentUsd: spend.get(r.id) ?? 0,
      unread: unread.get(r.id) ?? 0,
    };
  });
}

/** Rows of these ids, in the order given. */
function cardRows(db: Db, ids: readonly string[]): Row[] {
  const rows = prepared(db, CARD_ROWS).all({ ids: JSON.stringify(ids) }) as Row[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/**
 * The board for a query: the archive, one column, or all three. The paged list (the archive, the
 * filtered column, else Done) starts at `query.cursor`; the other columns show their first
 * `query.limit` cards and their total ("N more").
 */
export function listBoard({ db, query }: { db: Db; query: BoardQuery }): BoardPage {
  const shown: Array<BoardColumn | 'archived'> =
    query.view === 'archived' ? ['archived'] : query.column ? [query.column] : [...BOARD_COLUMNS];
  const paged = query.view === 'archived' ? 'archived' : (query.column ?? 'done');
  const out = prepared(db, boardSql(shown, paged)).all({
    ...params(query),
    cursorAt: query.cursor?.createdAt ?? null,
    cursorId: query.cursor?.id ?? null,
    limit: query.limit + 1,
  }) as Array<{
    kind: 'total' | 'card';
    col: string;
    n: number | null;
    id: string | null;
    createdAt: number | null;
  }>;
  const totals = new Map(out.filter((r) => r.kind === 'total').map((r) => [r.col, r.n ?? 0]));
  const pages = new Map<string, Array<{ id: string; createdAt: number }>>();
  for (const r of out) {
    if (r.kind !== 'card') continue;
    const list = pages.get(r.col) ?? [];
    list.push({ id: r.id!, createdAt: r.createdAt! });
    pages.set(r.col, list);
  }
  const wanted = shown.flatMap((c) => (pages.get(c) ?? []).slice(0, query.limit).map((r) => r.id));
  const cards = new Map(toCards(db, cardRows(db, wanted)).map((c) => [c.id, c]));
  const columns = shown.map((column): BoardColumnPage => {
    const ids = pages.get(column) ?? [];
    const more = ids.length > query.limit;
    const last = more ? ids[query.limit - 1] : undefined;
    return {
      column,
      total: totals.get(column) ?? 0,
      cards: ids.slice(0, query.limit).flatMap((r) => cards.get(r.id) ?? []),
      nextCursor: last ? encodeCursor(last) : null,
    };
  });
  return { query, columns };
}

/** Column totals under the query's filters (paging ignored). */
export function countBoard({ db, query }: { db: Db; query: BoardQuery }): Map<string, number> {
  const rows = prepared(db, boardSql([], '')).all({
    ...params(query),
    cursorAt: null,
    cursorId: null,
    limit: 0,
  }) as Array<{
    col: string;
    n: number;
  }>;
  return new Map(rows.map((r) => [r.col, r.n]));
}

/** Cards by id (any column, archived included), for the live channel. */
export function getBoardCards({ db, ids }: { db: Db; ids: readonly string[] }): BoardCard[] {
  if (ids.length === 0) return [];
  return toCards(db, cardRows(db, ids));
}
