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

const p = sql.placeholder;

/**
 * The hot statements of an agent turn, built once per connection: drizzle compiles a query on
 * every call otherwise, which cost more than SQLite itself here (see bench/agent-loop.ts).
 */
function buildStatements(db: Db) {
  return {
    maxSeq: db
      .select({ seq: sql<number | null>`max(${agentMessages.seq})` })
      .from(agentMessages)
      .where(eq(agentMessages.sessionId, p('sessionId')))
      .prepare(),
    insert: db
      .insert(agentMessages)
      .values({
        sessionId: p('sessionId'),
        seq: p('seq'),
        role: p('role'),
        content: p('content'),
        toolCallId: p('toolCallId'),
        toolName: p('toolName'),
        provider: p('provider'),
        model: p('model'),
        inputTokens: p('inputTokens'),
        outputTokens: p('outputTokens'),
        cacheReadTokens: p('cacheReadTokens'),
        cacheWriteTokens: p('cacheWriteTokens'),
        costUsd: p('costUsd'),
      })
      .prepare(),
    addTotals: db
      .update(agentSessions)
      .set({
        inputTokens: sql`${agentSessions.inputTokens} + ${p('inputTokens')}`,
        outputTokens: sql`${agentSessions.outputTokens} + ${p('outputTokens')}`,
        cacheReadTokens: sql`${agentSessions.cacheReadTokens} + ${p('cacheReadTokens')}`,
        cacheWriteTokens: sql`${agentSessions.cacheWriteTokens} + ${p('cacheWriteTokens')}`,
        costUsd: sql`${agentSessions.costUsd} + ${p('costUsd')}`,
      })
      .where(eq(agentSessions.id, p('sessionId')))
      .prepare(),
    hasToolResult: db
      .select({ id: agentMessages.id })
      .from(agentMessages)
      .where(
        and(
          eq(agentMessages.sessionId, p('sessionId')),
          eq(agentMessages.role, 'tool_result'),
          eq(agentMessages.toolCallId, p('toolCallId')),
        ),
      )
      .limit(1)
      .prepare(),
  };
}

const statements = new WeakMap<Db, ReturnType<typeof buildStatements>>();

function stmts(db: Db): ReturnType<typeof buildStatements> {
  let s = statements.get(db);
  if (!s) {
    s = buildStatements(db);
    statements.set(db, s);
  }
  return s;
}

/** Appends rows in order; returns their seqs. */
export function appendMessages({
  db,
  sessionId,
  rows,
}: {
  db: Db;
  sessionId: string;
  rows: readonly MessageRowInput[];
}): number[] {
  if (rows.length === 0) return [];
  const st = stmts(db);
  return db.$client
    .transaction(() => {
      let seq = st.maxSeq.get({ sessionId })?.seq ?? 0;
      const seqs: number[] = [];
      const totals = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };
      for (const row of rows) {
        seq += 1;
        const values = {
          sessionId,
          seq,
          role: row.role,
          // The json column's encoder runs for placeholders too, so `content` is stored as JSON text.
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
        st.insert.run(values);
        seqs.push(seq);
        totals.inputTokens += values.inputTokens;
        totals.outputTokens += values.outputTokens;
        totals.cacheReadTokens += values.cacheReadTokens;
        totals.cacheWriteTokens += values.cacheWriteTokens;
        totals.costUsd += values.costUsd;
      }
      if (
        totals.inputTokens + totals.outputTokens + totals.cacheReadTokens + totals.cacheWriteTokens > 0 ||
        totals.costUsd > 0
      ) {
        st.addTotals.run({ sessionId, ...totals });
      }
      return seqs;
    })
    .immediate();
}

/** Rows in seq order, optionally only those after `afterSeq` (the console's incremental read). */
export function listMessages({
  db,
  sessionId,
  afterSeq = 0,
}: {
  db: Db;
  sessionId: string;
  afterSeq?: number;
}): AgentMessage[] {
  return db
    .select()
    .from(agentMessages)
    .where(and(eq(agentMessages.sessionId, sessionId), gt(agentMessages.seq, afterSeq)))
    .orderBy(asc(agentMessages.seq))
    .all();
}

export function lastMessageSeq({ db, sessionId }: { db: Db; sessionId: string }): number {
  return stmts(db).maxSeq.get({ sessionId })?.seq ?? 0;
}

export function hasToolResultRow({
  db,
  sessionId,
  toolCallId,
}: {
  db: Db;
  sessionId: string;
  toolCallId: string;
}): boolean {
  return stmts(db).hasToolResult.get({ sessionId, toolCallId }) !== undefined;
}
