/**
 * The durable agent transcript: one row per completed message, `seq` dense per session from 1.
 * An append inserts its rows and adds their tokens and dollars to the session's totals in one
 * IMMEDIATE transaction, so a crash can never leave totals and rows disagreeing, and a zombie
 * attempt racing a retry fails on the (session, seq) unique index instead of interleaving.
 */
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { agentMessages, agentSessions, type AgentMessage } from '../schema.js';

export interface MessageRowInput {
  role: string;
  content: unknown;
  toolCallId?: string | null;
  toolName?: string | null;
  provider?: string | null;
  model?: string | null;
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  costUsd?: number;
}

/** Appends rows in order; returns their seqs. */
export function appendMessages({ db, sessionId, rows }: { db: Db; sessionId: string; rows: readonly MessageRowInput[] }): number[] {
  if (rows.length === 0) return [];
  return db.transaction(
    (tx) => {
      const max = tx
        .select({ seq: sql<number | null>`max(${agentMessages.seq})` })
        .from(agentMessages)
        .where(eq(agentMessages.sessionId, sessionId))
        .get();
      let seq = max?.seq ?? 0;
      const seqs: number[] = [];
      const totals = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };
      for (const row of rows) {
        seq += 1;
        const values = {
          sessionId,
          seq,
          role: row.role,
          content: row.content,
          toolCallId: row.toolCallId ?? null,
          toolName: row.toolName ?? null,
          provider: row.provider ?? null,
          model: row.model ?? null,
          inputTokens: row.inputTokens ?? 0,
          outputTokens: row.outputTokens ?? 0,
          cacheReadTokens: row.cacheReadTokens ?? 0,
          cacheWriteTokens: row.cacheWriteTokens ?? 0,
          costUsd: row.costUsd ?? 0,
        };
        tx.insert(agentMessages).values(values).run();
        seqs.push(seq);
        totals.inputTokens += values.inputTokens;
        totals.outputTokens += values.outputTokens;
        totals.cacheReadTokens += values.cacheReadTokens;
        totals.cacheWriteTokens += values.cacheWriteTokens;
        totals.costUsd += values.costUsd;
      }
      if (totals.inputTokens + totals.outputTokens + totals.cacheReadTokens + totals.cacheWriteTokens > 0 || totals.costUsd > 0) {
        tx.update(agentSessions)
          .set({
            inputTokens: sql`${agentSessions.inputTokens} + ${totals.inputTokens}`,
            outputTokens: sql`${agentSessions.outputTokens} + ${totals.outputTokens}`,
            cacheReadTokens: sql`${agentSessions.cacheReadTokens} + ${totals.cacheReadTokens}`,
            cacheWriteTokens: sql`${agentSessions.cacheWriteTokens} + ${totals.cacheWriteTokens}`,
            costUsd: sql`${agentSessions.costUsd} + ${totals.costUsd}`,
          })
          .where(eq(agentSessions.id, sessionId))
          .run();
      }
      return seqs;
    },
    { behavior: 'immediate' },
  );
}

/** Rows in seq order, optionally only those after `afterSeq` (the console's incremental read). */
export function listMessages({ db, sessionId, afterSeq = 0 }: { db: Db; sessionId: string; afterSeq?: number }): AgentMessage[] {
  return db
    .select()
    .from(agentMessages)
    .where(and(eq(agentMessages.sessionId, sessionId), gt(agentMessages.seq, afterSeq)))
    .orderBy(asc(agentMessages.seq))
    .all();
}

export function lastMessageSeq({ db, sessionId }: { db: Db; sessionId: string }): number {
  const row = db
    .select({ seq: sql<number | null>`max(${agentMessages.seq})` })
    .from(agentMessages)
    .where(eq(agentMessages.sessionId, sessionId))
    .get();
  return row?.seq ?? 0;
}

export function hasToolResultRow({ db, sessionId, toolCallId }: { db: Db; sessionId: string; toolCallId: string }): boolean {
  const row = db
    .select({ id: agentMessages.id })
    .from(agentMessages)
    .where(and(eq(agentMessages.sessionId, sessionId), eq(agentMessages.role, 'tool_result'), eq(agentMessages.toolCallId, toolCallId)))
    .limit(1)
    .get();
  return row !== undefined;
}
