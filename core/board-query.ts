/**
 * The board's query: which workspaces a board view shows (filters, search, paging), parsed from a
 * URL's search parameters so a view is shareable and the back button restores it. The same
 * schema parses `GET /api/workspaces` and the board page; `cardMatches` is the same filter for a
 * card that arrives on the live channel, so a live update never shows a card the query excludes.
 * Pure: no I/O.
 */
import { z } from 'zod';

export const BOARD_COLUMNS = ['working', 'waiting', 'done'] as const;
export type BoardColumn = (typeof BOARD_COLUMNS)[number];

/** @default 25 cards per column */
export const DEFAULT_BOARD_LIMIT = 25;
/** @default 200 */
export const MAX_BOARD_LIMIT = 200;

/**
 * A page cursor: the `(created_at, id)` of the last card shown, as `<ms>.<id>`. Cards are ordered
 * newest first by that pair, which never changes for a workspace, so paging never skips or repeats
 * a card while others move between columns.
 */
export interface BoardCursor {
  createdAt: number;
  id: string;
}

export function encodeCursor(c: BoardCursor): string {
  return `${c.createdAt}.${c.id}`;
}

const cursorSchema = z
  .string()
  .regex(/^\d{1,15}\.[A-Za-z0-9_-]{1,100}$/, 'must be a cursor from a previous page (<ms>.<id>)')
  .transform((s): BoardCursor => {
    const dot = s.indexOf('.');
    return { createdAt: Number(s.slice(0, dot)), id: s.slice(dot + 1) };
  });

const flag = z
  .enum(['1', '0', 'true', 'false'], { message: 'must be 1 or 0' })
  .transform((v) => v === '1' || v === 'true');

/** Empty parameters (`?q=`) count as absent, as a cleared search box submits them. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' || v === null ? undefined : v), schema.optional());

export const boardQuerySchema = z
  .object({
    /** `board` (the three columns) or `archived` (archived workspaces, paged). @default 'board' */
    view: optional(z.enum(['board', 'archived'])).default('board'),
    /** A project id. */
    project: optional(z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be a project id')),
    /** Only this column (then paged by `cursor`). */
    column: optional(z.enum(BOARD_COLUMNS)),
    /** Only workspaces waiting for a person: in Waiting, or with an unread notification. */
    needsMe: optional(flag).default(false),
    /** Title or branch contains it (case-insensitive), or a PR number (`42` or `#42`). */
    q: optional(z.string().max(200, 'must be at most 200 characters')),
    /** Where the paged list (the filtered column, the archive, else Done) continues. */
    cursor: optional(cursorSchema),
    /** Cards per column. @default 25 */
    limit: optional(z.coerce.number().int().min(1).max(MAX_BOARD_LIMIT)).default(DEFAULT_BOARD_LIMIT),
  })
  .strict();

export type BoardQuery = z.output<typeof boardQuerySchema>;

/** Parses URL search parameters (a repeated key is refused by name: a view has one of each). */
export function parseBoardQuery(params: URLSearchParams | Record<string, string | string[] | undefined>) {
  const entries: Record<string, unknown> = {};
  const pairs =
    params instanceof URLSearchParams
      ? [...params.entries()]
      : Object.entries(params).flatMap(([k, v]) =>
          v === undefined ? [] : Array.isArray(v) ? v.map((x) => [k, x] as const) : [[k, v] as const],
        );
  for (const [k, v] of pairs) entries[k] = k in entries ? [entries[k], v] : v;
  return boardQuerySchema.safeParse(entries);
}

/** The search parameters of a query (defaults left out), for links and the address bar. */
export function boardQueryToSearch(q: Partial<BoardQuery>): string {
  const p = new URLSearchParams();
  if (q.view && q.view !== 'board') p.set('view', q.view);
  if (q.project) p.set('project', q.project);
  if (q.column) p.set('column', q.column);
  if (q.needsMe) p.set('needsMe', '1');
  if (q.q) p.set('q', q.q);
  if (q.cursor) p.set('cursor', encodeCursor(q.cursor));
  if (q.limit && q.limit !== DEFAULT_BOARD_LIMIT) p.set('limit', String(q.limit));
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** `#42` or `42` → 42; anything else → null. */
export function prNumberOf(q: string): number | null {
  const m = /^#?(\d{1,9})$/.exec(q.trim());
  return m ? Number(m[1]) : null;
}

/** The fields of a card the filters read. */
export interface FilterableCard {
  projectId: string;
  column: BoardColumn | 'archived';
  title: string;
  branch: string;
  prNumber: number | null;
  unread: number;
}

/** SQLite's `lower()`: ASCII letters only, so the live filter and the SQL filter agree. */
export const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** Whether a card belongs in the view `q` (ignoring paging): the SQL filter, for one card. */
export function cardMatches(card: FilterableCard, q: BoardQuery): boolean {
  if (q.view === 'archived' ? card.column !== 'archived' : card.column === 'archived') return false;
  if (q.project && card.projectId !== q.project) return false;
  if (q.column && card.column !== q.column) return false;
  if (q.needsMe && card.column !== 'waiting' && card.unread === 0) return false;
  const text = q.q?.trim();
  if (text) {
    const needle = asciiLower(text);
    const n = prNumberOf(text);
    const hit =
      asciiLower(card.title).includes(needle) ||
      asciiLower(card.branch).includes(needle) ||
      (n !== null && card.prNumber === n);
    if (!hit) return false;
  }
  return true;
}
