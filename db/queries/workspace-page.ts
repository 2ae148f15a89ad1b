/**
 * The console's reads of the SQLite read model. Incremental reads page by autoincrement id: SQLite
 * has one writer at a time, so ids become visible in increasing order and a cursor never skips a row.
 */
import { and, asc, count, eq, gt, lte, max, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import {
  agentMessages,
  agentSessions,
  fixAttempts,
  projects,
  pullRequests,
  workspaceEvents,
  workspaces,
  type AgentSession,
  type Project,
  type PullRequest,
  type Workspace,
  type WorkspaceEvent,
} from '../schema.js';

/** @default 500 */
export const PAGE_LIMIT = 500;

export interface WorkspaceDetail {
  workspace: Workspace;
  project: Project;
  pr: PullRequest | null;
  sessions: AgentSession[];
  events: WorkspaceEvent[];
}

export function getWorkspaceDetail(db: Db, id: string): WorkspaceDetail | null {
  const row = db
    .select({ workspace: workspaces, project: projects, pr: pullRequests })
    .from(workspaces)
    .innerJoin(projects, eq(projects.id, workspaces.projectId))
    .leftJoin(pullRequests, eq(pullRequests.workspaceId, workspaces.id))
    .where(eq(workspaces.id, id))
    .get();
  if (!row) return null;
  const sessions = db
    .select()
    .from(agentSessions)
    .where(eq(agentSessions.workspaceId, id))
    .orderBy(asc(agentSessions.startedAt))
    .all();
  return { ...row, sessions, events: listEventsAfter(db, id, 0) };
}

export function listEventsAfter(
  db: Db,
  workspaceId: string,
  after: number,
  limit = PAGE_LIMIT,
  upTo?: number,
): WorkspaceEvent[] {
  return db
    .select()
    .from(workspaceEvents)
    .where(
      and(
        eq(workspaceEvents.workspaceId, workspaceId),
        gt(workspaceEvents.id, after),
        upTo === undefined ? undefined : lte(workspaceEvents.id, upTo),
      ),
    )
    .orderBy(asc(workspaceEvents.id))
    .limit(limit)
    .all();
}

export interface TranscriptMessage {
  id: number;
  sessionId: string;
  purpose: string;
  seq: number;
  role: string;
  content: unknown;
  toolCallId: string | null;
  toolName: string | null;
  provider: string | null;
  model: string | null;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
  createdAt: number;
}

const transcriptColumns = {
  id: agentMessages.id,
  sessionId: agentMessages.sessionId,
  purpose: agentSessions.purpose,
  seq: agentMessages.seq,
  role: agentMessages.role,
  content: agentMessages.content,
  toolCallId: agentMessages.toolCallId,
  toolName: agentMessages.toolName,
  provider: agentMessages.provider,
  model: agentMessages.model,
  inputTokens: agentMessages.inputTokens,
  outputTokens: agentMessages.outputTokens,
  cacheReadTokens: agentMessages.cacheReadTokens,
  cacheWriteTokens: agentMessages.cacheWriteTokens,
  costUsd: agentMessages.costUsd,
  createdAt: agentMessages.createdAt,
};

/** Transcript rows of every session of the workspace with `agent_messages.id > after`. */
export function listMessagesAfter(
  db: Db,
  workspaceId: string,
  after: number,
  limit = PAGE_LIMIT,
  upTo?: number,
): TranscriptMessage[] {
  return db
    .select(transcriptColumns)
    .from(agentMessages)
    .innerJoin(agentSessions, eq(agentSessions.id, agentMessages.sessionId))
    .where(
      and(
        eq(agentSessions.workspaceId, workspaceId),
        gt(agentMessages.id, after),
        upTo === undefined ? undefined : lte(agentMessages.id, upTo),
      ),
    )
    .orderBy(asc(agentMessages.id))
    .limit(limit)
    .all();
}

/** How many rows the workspace page shows at first and each "Load earlier" fetches. @default 100 */
export const TRANSCRIPT_PAGE = 100;

export interface TranscriptPage {
  /** Oldest first. */
  messages: TranscriptMessage[];
  /** Whether rows older than the first one exist (the next page is `before = messages[0].id`). */
  hasEarlier: boolean;
}

interface RawTranscriptRow {
  id: number;
  session_id: string;
  purpose: string;
  seq: number;
  role: string;
  content: string;
  tool_call_id: string | null;
  tool_name: string | null;
  provider: string | null;
  model: string | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_usd: number;
  created_at: number;
}

/**
 * The page reads, prepared once per connection (drizzle builds and maps a query per call, which
 * cost twice what SQLite did here; see bench/workspace-page.ts). Ids first: the (session_id, seq)
 * index holds the rowid, so choosing a page sorts integers without reading any content; then
 * only the page's own rows are read, by rowid.
 */
function buildPageStatements(sqlite: Db['$client']) {
  const ids = (where: string) =>
    sqlite
      .prepare(
        `SELECT m.id AS id FROM agent_messages m JOIN agent_sessions s ON s.id = m.session_id
         WHERE s.workspace_id = ? ${where} ORDER BY m.id DESC LIMIT ?`,
      )
      .pluck();
  return {
    newestIds: ids(''),
    idsBefore: ids('AND m.id < ?'),
    rows: sqlite.prepare(
      `SELECT m.id, m.session_id, s.purpose, m.seq, m.role, m.content, m.tool_call_id, m.tool_name,
              m.provider, m.model, m.input_tokens, m.output_tokens, m.cache_read_tokens,
              m.cache_write_tokens, m.cost_usd, m.created_at
         FROM agent_messages m JOIN agent_sessions s ON s.id = m.session_id
        WHERE m.id IN (SELECT value FROM json_each(?)) ORDER BY m.id`,
    ),
  };
}

const pageStatements = new WeakMap<Db['$client'], ReturnType<typeof buildPageStatements>>();

const toTranscriptMessage = (r: RawTranscriptRow): TranscriptMessage => ({
  id: r.id,
  sessionId: r.session_id,
  purpose: r.purpose,
  seq: r.seq,
  role: r.role,
  content: JSON.parse(r.content) as unknown,
  toolCallId: r.tool_call_id,
  toolName: r.tool_name,
  provider: r.provider,
  model: r.model,
  inputTokens: r.input_tokens,
  outputTokens: r.output_tokens,
  cacheReadTokens: r.cache_read_tokens,
  cacheWriteTokens: r.cache_write_tokens,
  costUsd: r.cost_usd,
  createdAt: r.created_at,
});

/**
 * The newest `limit` transcript rows with `id < before` (no `before`: the newest of all), by
 * keyset: one more row than asked is read to learn whether an earlier page exists.
 */
export function listMessagesBefore(
  db: Db,
  workspaceId: string,
  before: number | null,
  limit = TRANSCRIPT_PAGE,
): TranscriptPage {
  let st = pageStatements.get(db.$client);
  if (!st) {
    st = buildPageStatements(db.$client);
    pageStatements.set(db.$client, st);
  }
  const ids = (
    before === null
      ? st.newestIds.all(workspaceId, limit + 1)
      : st.idsBefore.all(workspaceId, before, limit + 1)
  ) as number[];
  const hasEarlier = ids.length > limit;
  const page = ids.slice(0, limit);
  if (page.length === 0) return { messages: [], hasEarlier };
  const rows = st.rows.all(JSON.stringify(page)) as RawTranscriptRow[];
  return { messages: rows.map(toTranscriptMessage), hasEarlier };
}

/** The largest message and event ids (any workspace): where a live tail starts. */
export function maxRowIds(db: Db): { messages: number; events: number } {
  const m = db
    .select({ id: sql<number>`coalesce(max(${agentMessages.id}), 0)` })
    .from(agentMessages)
    .get();
  const e = db
    .select({ id: sql<number>`coalesce(max(${workspaceEvents.id}), 0)` })
    .from(workspaceEvents)
    .get();
  return { messages: m?.id ?? 0, events: e?.id ?? 0 };
}

/** The live header's rows: the workspace's status, its PR's ratchet state and its fixers' times. */
export interface LiveStateRows {
  status: string;
  statusReason: string | null;
  updatedAt: number;
  pr: { updatedAt: number; state: string; ratchetState: string | null; ciStatus: string | null } | null;
  fixes: { count: number; lastStartedAt: number | null; lastEndedAt: number | null };
}

export function getLiveStateRows({ db, workspaceId }: { db: Db; workspaceId: string }): LiveStateRows | null {
  const ws = db
    .select({
      status: workspaces.status,
      statusReason: workspaces.statusReason,
      updatedAt: workspaces.updatedAt,
    })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId))
    .get();
  if (!ws) return null;
  const pr = db
    .select({
      updatedAt: pullRequests.updatedAt,
      state: pullRequests.state,
      ratchetState: pullRequests.ratchetState,
      ciStatus: pullRequests.ciStatus,
    })
    .from(pullRequests)
    .where(eq(pullRequests.workspaceId, workspaceId))
    .get();
  const fixes = db
    .select({
      count: count(),
      lastStartedAt: max(fixAttempts.startedAt),
      lastEndedAt: max(fixAttempts.endedAt),
    })
    .from(fixAttempts)
    .where(eq(fixAttempts.workspaceId, workspaceId))
    .get();
  return {
    ...ws,
    pr: pr ?? null,
    fixes: {
      count: fixes?.count ?? 0,
      lastStartedAt: fixes?.lastStartedAt ?? null,
      lastEndedAt: fixes?.lastEndedAt ?? null,
    },
  };
}
