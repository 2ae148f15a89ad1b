/**
 * The board's reads at any size: column totals, one bounded page per column, and the cards on the
 * page. Every read goes through an index, never a scan of `workspaces` (tests/db/query-plans.test.ts
 * asserts the plans):
 * - the Kanban column, the fix attempts, the dollars and the unread count of a workspace are
 *   columns of its row (`board_column`, `attempt_count`, `cost_usd`, `unread_count`), kept by the
 *   triggers of migration 0004 in the same transaction as the writes they derive from; the column
 *   is core/kanban.ts's rule (tests/db/board-query.test.ts compares the two for every combination);
 * - a column's page is a keyset range of `workspaces_board_idx` (`board_column, created_at, id`;
 *   `workspaces_project_board_idx` with a project), read newest first from the cursor on and
 *   stopped after `limit` rows; its total is a count over the same range (index only unless a
 *   search reads titles);
 * - a card is a primary-key lookup of its workspace, project and PR. The card's reason still comes
 *   from `kanbanFromRows`.
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
import { kanbanFromRows } from '../../core/kanban.js';
import type { Db } from '../client.js';

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
  attempts: number;
  spentUsd: number;
  unread: number;
}

/** Cards' rows, by id (a primary-key lookup per card). */
export const CARD_ROWS = `SELECT w.id, w.title, w.branch, w.project_id AS projectId, p.name AS projectName, w.status,
    w.last_error AS lastError, w.created_at AS createdAt, w.updated_at AS updatedAt, w.archived_at AS archivedAt,
    w.budget_usd AS budgetUsd, pr.number AS prNumber, pr.url AS prUrl, pr.state AS prState,
    pr.ci_status AS ciStatus, pr.ratchet_state AS ratchetState, pr.ratchet_reason AS ratchetReason,
    w.board_column AS col, w.attempt_count AS attempts, w.cost_usd AS spentUsd, w.unread_count AS unread
  FROM json_each(@ids) j
  JOIN workspaces w ON w.id = j.value
  JOIN projects p ON p.id = w.project_id
  LEFT JOIN pull_requests pr ON pr.workspace_id = w.id`;

export interface Filters {
  project: string | null;
  needsMe: boolean;
  /** The search text, lowercased (ASCII, as SQLite's `lower`). */
  q: string | null;
  prNumber: number | null;
}

export function filtersOf(q: BoardQuery): Filters {
  const text = q.q?.trim() || null;
  return {
    project: q.project ?? null,
    needsMe: q.needsMe,
    q: text === null ? null : asciiLower(text),
    prNumber: text === null ? null : prNumberOf(text),
  };
}

/**
 * The WHERE of one column under the filters; each filter adds its condition only when set, so the
 * planner sees plain equalities and picks the column's index range.
 */
function columnWhere(column: string, f: Filters, withCursor: boolean): string {
  const parts = ['w.board_column = @column'];
  if (f.project !== null) parts.push('w.project_id = @project');
  // Needs me: all of Waiting, and elsewhere the cards with an unread notification.
  if (f.needsMe && column !== 'waiting') parts.push('w.unread_count > 0');
  if (f.q !== null)
    parts.push(
      `(instr(lower(w.title), @q) > 0 OR instr(lower(w.branch), @q) > 0${
        f.prNumber !== null
          ? ' OR w.id IN (SELECT pr.workspace_id FROM pull_requests pr WHERE pr.number = @prNumber)'
          : ''
      })`,
    );
  if (withCursor) parts.push('(w.created_at, w.id) < (@cursorAt, @cursorId)');
  return parts.join(' AND ');
}

/** One column's page: ids newest first from the cursor on. */
export function pageSql(column: string, f: Filters, withCursor: boolean): string {
  return `SELECT w.id AS id, w.created_at AS createdAt FROM workspaces w
    WHERE ${columnWhere(column, f, withCursor)} ORDER BY w.created_at DESC, w.id DESC LIMIT @limit`;
}

/** One column's total under the filters. */
export function totalSql(column: string, f: Filters): string {
  return `SELECT count(*) AS n FROM workspaces w WHERE ${columnWhere(column, f, false)}`;
}

/** Named parameters a statement uses (better-sqlite3 refuses unused ones). */
function bind(text: string, all: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(all).filter(([k]) => text.includes(`@${k}`)));
}

const cache = new WeakMap<object, Map<string, Statement>>();
/** Prepared once per connection and SQL text. */
function prepared(db: Db, text: string): Statement {
  let m = cache.get(db.$client);
  if (!m) cache.set(db.$client, (m = new Map()));
  let s = m.get(text);
  if (!s) m.set(text, (s = db.$client.prepare(text)));
  return s;
}

function run<T>(db: Db, text: string, params: Record<string, unknown>, get: true): T;
function run<T>(db: Db, text: string, params: Record<string, unknown>, get: false): T[];
function run<T>(db: Db, text: string, params: Record<string, unknown>, get: boolean): T | T[] {
  const stmt = prepared(db, text);
  const bound = bind(text, params);
  return (get ? stmt.get(bound) : stmt.all(bound)) as T | T[];
}

/** Rows → cards (the reason from core/kanban.ts; everything else is on the row). */
function toCards(rows: Row[]): BoardCard[] {
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
      attempts: r.attempts,
      spentUsd: r.spentUsd,
      unread: r.unread,
    };
  });
}

/** Rows of these ids, in the order given. */
function cardRows(db: Db, ids: readonly string[]): Row[] {
  if (ids.length === 0) return [];
  const rows = prepared(db, CARD_ROWS).all({ ids: JSON.stringify(ids) }) as Row[];
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** The columns a query shows, and the one its cursor pages (the archive, the filtered column, else Done). */
function shownColumns(query: BoardQuery): { shown: Array<BoardColumn | 'archived'>; paged: string } {
  const shown: Array<BoardColumn | 'archived'> =
    query.view === 'archived' ? ['archived'] : query.column ? [query.column] : [...BOARD_COLUMNS];
  const paged = query.view === 'archived' ? 'archived' : (query.column ?? 'done');
  return { shown, paged };
}

/**
 * The board for a query: the archive, one column, or all three. The paged list (the archive, the
 * filtered column, else Done) starts at `query.cursor`; the other columns show their first
 * `query.limit` cards and their total ("N more").
 */
export function listBoard({ db, query }: { db: Db; query: BoardQuery }): BoardPage {
  const { shown, paged } = shownColumns(query);
  const f = filtersOf(query);
  const pages = shown.map((column) => {
    const cursor = column === paged ? (query.cursor ?? null) : null;
    const params = {
      ...f,
      column,
      cursorAt: cursor?.createdAt ?? null,
      cursorId: cursor?.id ?? null,
      limit: query.limit + 1,
    };
    const ids = run<{ id: string; createdAt: number }>(
      db,
      pageSql(column, f, cursor !== null),
      params,
      false,
    );
    const total = run<{ n: number }>(db, totalSql(column, f), params, true).n;
    return { column, ids, total };
  });
  const wanted = pages.flatMap((p) => p.ids.slice(0, query.limit).map((r) => r.id));
  const cards = new Map(toCards(cardRows(db, wanted)).map((c) => [c.id, c]));
  const columns = pages.map(({ column, ids, total }): BoardColumnPage => {
    const more = ids.length > query.limit;
    const last = more ? ids[query.limit - 1] : undefined;
    return {
      column,
      total,
      cards: ids.slice(0, query.limit).flatMap((r) => cards.get(r.id) ?? []),
      nextCursor: last ? encodeCursor(last) : null,
    };
  });
  return { query, columns };
}

/** Column totals under the query's filters (paging ignored). */
export function countBoard({ db, query }: { db: Db; query: BoardQuery }): Map<string, number> {
  const { shown } = shownColumns(query);
  const f = filtersOf(query);
  return new Map(
    shown.map((column) => [column, run<{ n: number }>(db, totalSql(column, f), { ...f, column }, true).n]),
  );
}

/** Cards by id (any column, archived included), for the live channel. */
export function getBoardCards({ db, ids }: { db: Db; ids: readonly string[] }): BoardCard[] {
  return toCards(cardRows(db, ids));
}
