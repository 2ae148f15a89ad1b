/**
 * Money and tokens as the console shows them, always summed from the stored rows (the transcript
 * is the source of truth for cost; `workspaces.spent_usd` is only a cache the budget route writes).
 */
import { and, eq, gte, sql } from 'drizzle-orm';
import { utcDayStart } from '../../core/budget.js';
import type { Db } from '../client.js';
import { agentMessages, agentSessions } from '../schema.js';

export interface Tokens {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface SessionCost {
  sessionId: string;
  purpose: string;
  runner: string;
  provider: string | null;
  model: string | null;
  status: string;
  tokens: Tokens;
  costUsd: number;
}

export interface WorkspaceCosts {
  /** The workspace's total over every session (every attempt, including crashed ones). */
  workspaceUsd: number;
  /** Everything spent since 00:00 UTC today, over all workspaces (what the daily budget counts). */
  todayUsd: number;
  /** This workspace's spend since 00:00 UTC today. */
  workspaceTodayUsd: number;
  tokens: Tokens;
  sessions: SessionCost[];
}

export function getWorkspaceCosts({
  db,
  workspaceId,
  now = Date.now(),
}: {
  db: Db;
  workspaceId: string;
  now?: number;
}): WorkspaceCosts {
  const rows = db
    .select()
    .from(agentSessions)
    .where(eq(agentSessions.workspaceId, workspaceId))
    .orderBy(agentSessions.startedAt)
    .all();
  const sessions = rows.map((s) => ({
    sessionId: s.id,
    purpose: s.purpose,
    runner: s.runner,
    provider: s.provider,
    model: s.model,
    status: s.status,
    tokens: {
      input: s.inputTokens,
      output: s.outputTokens,
      cacheRead: s.cacheReadTokens,
      cacheWrite: s.cacheWriteTokens,
    },
    costUsd: s.costUsd,
  }));
  const since = utcDayStart(now);
  const today = db
    .select({ total: sql<number>`coalesce(sum(${agentMessages.costUsd}), 0)` })
    .from(agentMessages)
    .where(gte(agentMessages.createdAt, since))
    .get();
  const wsToday = db
    .select({ total: sql<number>`coalesce(sum(${agentMessages.costUsd}), 0)` })
    .from(agentMessages)
    .innerJoin(agentSessions, eq(agentSessions.id, agentMessages.sessionId))
    .where(and(eq(agentSessions.workspaceId, workspaceId), gte(agentMessages.createdAt, since)))
    .get();
  const tokens = sessions.reduce(
    (t, s) => ({
      input: t.input + s.tokens.input,
      output: t.output + s.tokens.output,
      cacheRead: t.cacheRead + s.tokens.cacheRead,
      cacheWrite: t.cacheWrite + s.tokens.cacheWrite,
    }),
    { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 },
  );
  return {
    workspaceUsd: sessions.reduce((sum, s) => sum + s.costUsd, 0),
    todayUsd: today?.total ?? 0,
    workspaceTodayUsd: wsToday?.total ?? 0,
    tokens,
    sessions,
  };
}
