/**
 * The live-delta ring (`live_deltas`): appended in small batches by the agent activity, tailed by
 * the console. Raw prepared statements: this is the hottest write path of a streaming turn, and
 * drizzle compiles a query per call otherwise.
 */
import type Database from 'better-sqlite3';
import type { Db } from '../client.js';

export interface LiveDeltaInput {
  workspaceId: string;
  sessionId: string;
  stream: string;
  attempt: number;
  kind: string;
  data: unknown;
  at: number;
}

export interface LiveDeltaRow {
  id: number;
  sessionId: string;
  stream: string;
  attempt: number;
  kind: string;
  data: unknown;
  at: number;
}

/** How long deltas are kept: long enough for a reload to replay an open stream. @default 15 min */
export const LIVE_DELTA_TTL_MS = 15 * 60_000;
/** At most this many rows are kept whatever their age. @default 50000 */
export const LIVE_DELTA_MAX_ROWS = 50_000;

interface RawRow {
  id: number;
  session_id: string;
  stream: string;
  attempt: number;
  kind: string;
  data: string | null;
  at: number;
}

function build(sqlite: Database.Database) {
  return {
    insert: sqlite.prepare(
      'INSERT INTO live_deltas (workspace_id, session_id, stream, attempt, kind, data, at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    pruneOld: sqlite.prepare('DELETE FROM live_deltas WHERE at < ?'),
    pruneMany: sqlite.prepare('DELETE FROM live_deltas WHERE id <= (SELECT max(id) FROM live_deltas) - ?'),
    after: sqlite.prepare(
      'SELECT id, session_id, stream, attempt, kind, data, at FROM live_deltas WHERE workspace_id = ? AND id > ? AND id <= ? ORDER BY id LIMIT 5000',
    ),
    maxId: sqlite.prepare('SELECT coalesce(max(id), 0) AS id FROM live_deltas'),
    latestStreams: sqlite.prepare(
      `SELECT session_id, stream, max(id) AS last, sum(kind = 'end') AS ended FROM live_deltas
       WHERE workspace_id = ? AND id <= ? GROUP BY session_id, stream ORDER BY last`,
    ),
    ofStream: sqlite.prepare(
      'SELECT id, session_id, stream, attempt, kind, data, at FROM live_deltas WHERE workspace_id = ? AND stream = ? AND id <= ? ORDER BY id',
    ),
  };
}

const cache = new WeakMap<Database.Database, ReturnType<typeof build>>();
function stmts(db: Db) {
  let s = cache.get(db.$client);
  if (!s) {
    s = build(db.$client);
    cache.set(db.$client, s);
  }
  return s;
}

const toRow = (r: RawRow): LiveDeltaRow => ({
  id: r.id,
  sessionId: r.session_id,
  stream: r.stream,
  attempt: r.attempt,
  kind: r.kind,
  data: r.data === null ? null : (JSON.parse(r.data) as unknown),
  at: r.at,
});

/** Appends a batch in one transaction. */
export function insertLiveDeltas({ db, rows }: { db: Db; rows: readonly LiveDeltaInput[] }): void {
  if (rows.length === 0) return;
  const s = stmts(db);
  db.$client.transaction(() => {
    for (const r of rows)
      s.insert.run(
        r.workspaceId,
        r.sessionId,
        r.stream,
        r.attempt,
        r.kind,
        r.data === undefined ? null : JSON.stringify(r.data),
        r.at,
      );
  })();
}

/** Drops rows past the TTL and beyond the row cap. */
export function pruneLiveDeltas({ db, now = Date.now() }: { db: Db; now?: number }): void {
  const s = stmts(db);
  s.pruneOld.run(now - LIVE_DELTA_TTL_MS);
  s.pruneMany.run(LIVE_DELTA_MAX_ROWS);
}

export function maxLiveDeltaId({ db }: { db: Db }): number {
  return (stmts(db).maxId.get() as { id: number }).id;
}

/** The workspace's deltas with `after < id <= upTo`, oldest first (at most 5000). */
export function listLiveDeltasAfter({
  db,
  workspaceId,
  after,
  upTo,
}: {
  db: Db;
  workspaceId: string;
  after: number;
  upTo: number;
}): LiveDeltaRow[] {
  return (stmts(db).after.all(workspaceId, after, upTo) as RawRow[]).map(toRow);
}

/**
 * What a fresh viewer needs of the tail: the deltas of each session's latest stream that has not
 * ended (only a session's latest model call can still be streaming; an older unended one belongs
 * to an attempt that died, which the reset row already discards).
 */
export function listOpenStreamDeltas({
  db,
  workspaceId,
  upTo,
}: {
  db: Db;
  workspaceId: string;
  upTo: number;
}): LiveDeltaRow[] {
  const s = stmts(db);
  const latest = new Map<string, { stream: string; ended: number }>();
  for (const r of s.latestStreams.all(workspaceId, upTo) as Array<{
    session_id: string;
    stream: string;
    ended: number;
  }>)
    latest.set(r.session_id, { stream: r.stream, ended: r.ended });
  const out: LiveDeltaRow[] = [];
  for (const { stream, ended } of latest.values()) {
    if (ended) continue;
    out.push(...(s.ofStream.all(workspaceId, stream, upTo) as RawRow[]).map(toRow));
  }
  return out.sort((a, b) => a.id - b.id);
}
