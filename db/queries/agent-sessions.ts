/** Reads and writes of agent sessions. One-object arguments except `ensureSession(db, row)`. */
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { agentSessions, type AgentSession } from '../schema.js';

export const SESSION_STATUSES = ['running', 'completed', 'failed', 'awaiting_budget', 'cancelled'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export interface EnsureSessionInput {
  id: string;
  workspaceId: string;
  purpose: string;
  runner: string;
  provider?: string | null;
  model?: string | null;
  /** @default 'agent' */
  mode?: string;
}

/** Inserts the session unless it exists (a retried activity); returns whether it was created now. */
export function ensureSession(db: Db, input: EnsureSessionInput): boolean {
  const res = db
    .insert(agentSessions)
    .values({
      id: input.id,
      workspaceId: input.workspaceId,
      purpose: input.purpose,
      runner: input.runner,
      provider: input.provider ?? null,
      model: input.model ?? null,
      mode: input.mode ?? 'agent',
      status: 'running',
    })
    .onConflictDoNothing({ target: agentSessions.id })
    .run();
  return res.changes > 0;
}

export function getSession({ db, id }: { db: Db; id: string }): AgentSession | undefined {
  return db.select().from(agentSessions).where(eq(agentSessions.id, id)).get();
}

export function listSessions({ db, workspaceId }: { db: Db; workspaceId: string }): AgentSession[] {
  return db
    .select()
    .from(agentSessions)
    .where(eq(agentSessions.workspaceId, workspaceId))
    .orderBy(desc(agentSessions.startedAt))
    .all();
}

/**
 * The workspace's session started just before `sessionId` (by start time, then insertion order),
 * or undefined: what ran before this turn, e.g. a turn the user stopped.
 */
export function getPreviousSession({
  db,
  workspaceId,
  sessionId,
}: {
  db: Db;
  workspaceId: string;
  sessionId: string;
}): AgentSession | undefined {
  return db
    .select()
    .from(agentSessions)
    .where(
      and(
        eq(agentSessions.workspaceId, workspaceId),
        sql`(${agentSessions.startedAt}, ${agentSessions}.rowid) < (SELECT s.${sql.identifier(agentSessions.startedAt.name)}, s.rowid FROM ${agentSessions} s WHERE s.id = ${sessionId})`,
      ),
    )
    .orderBy(desc(agentSessions.startedAt), desc(sql`${agentSessions}.rowid`))
    .limit(1)
    .get();
}

/** Sets the status; terminal statuses stamp `endedAt`, `running` clears it (a resumed session). */
export function setSessionStatus({
  db,
  id,
  status,
  error = null,
}: {
  db: Db;
  id: string;
  status: SessionStatus;
  error?: string | null;
}): void {
  const ended = status === 'running' ? null : Date.now();
  db.update(agentSessions).set({ status, error, endedAt: ended }).where(eq(agentSessions.id, id)).run();
}

/**
 * Ends a session a Stop cut short: `cancelled` with `endedAt`, unless it already ended (the run
 * finished as the Stop came, or a retried activity wrote it): a second call changes nothing.
 */
export function stopSession({ db, id }: { db: Db; id: string }): { stopped: boolean } {
  const res = db
    .update(agentSessions)
    .set({ status: 'cancelled', endedAt: Date.now() })
    .where(and(eq(agentSessions.id, id), inArray(agentSessions.status, ['running', 'awaiting_budget'])))
    .run();
  return { stopped: res.changes > 0 };
}

/** Records which runner/provider/model is serving the session now (a fallback changes them). */
export function setSessionServing({
  db,
  id,
  runner,
  provider,
  model,
}: {
  db: Db;
  id: string;
  runner: string;
  provider: string | null;
  model: string | null;
}): void {
  db.update(agentSessions).set({ runner, provider, model }).where(eq(agentSessions.id, id)).run();
}

/** Total spend of a workspace's sessions (what the budget is checked against). */
export function workspaceSessionCostUsd({ db, workspaceId }: { db: Db; workspaceId: string }): number {
  const row = db
    .select({ total: sql<number>`coalesce(sum(${agentSessions.costUsd}), 0)` })
    .from(agentSessions)
    .where(eq(agentSessions.workspaceId, workspaceId))
    .get();
  return row?.total ?? 0;
}
