/**
 * The console's reads of the SQLite read model. Incremental reads page by autoincrement id: SQLite
 * has one writer at a time, so ids become visible in increasing order and a cursor never skips a row.
 */
import { and, asc, eq, gt, lte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import {
  agentMessages,
  agentSessions,
  projects,
  pullRequests,
  workspaceEvents,
  workspaces,
  type AgentSession,
  type Project,
  type PullRequest,
  type Workspace,
  type WorkspaceEvent,
} from '../../db/schema.js';

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

/** Transcript rows of every session of the workspace with `agent_messages.id > after`. */
export function listMessagesAfter(
  db: Db,
  workspaceId: string,
  after: number,
  limit = PAGE_LIMIT,
  upTo?: number,
): TranscriptMessage[] {
  return db
    .select({
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
    })
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
