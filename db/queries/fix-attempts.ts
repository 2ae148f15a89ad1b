/**
 * Reads and writes of `fix_attempts`: one row per fixer run. The row id is the fixer's workflow
 * id plus its fix number on the PR (`fix/<ws>/<sha>/<kind>#<fixNo>`; rows written before the
 * fix number was used carry the attempt number there instead): the workflow id
 * alone repeats when a later attempt on the same head SHA reuses it after the previous closed.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../client.js';
import { fixAttempts, type FixAttempt } from '../schema.js';

export type FixStatus = 'running' | 'pushed' | 'no_change' | 'failed' | 'asked_human';

/** Inserts the `running` row unless a retried activity already did. Returns whether it was created now. */
export function insertFixAttemptIfAbsent({
  db,
  row,
}: {
  db: Db;
  row: {
    id: string;
    workspaceId: string;
    kind: string;
    headSha: string;
    snapshotKey: string;
    attempt: number;
  };
}): boolean {
  const res = db
    .insert(fixAttempts)
    .values({
      workflowId: row.id,
      workspaceId: row.workspaceId,
      kind: row.kind,
      headSha: row.headSha,
      snapshotKey: row.snapshotKey,
      attempt: row.attempt,
      status: 'running',
    })
    .onConflictDoNothing({ target: fixAttempts.workflowId })
    .run();
  return res.changes > 0;
}

/** Settles a row once: a second settle (retry) leaves the first outcome in place. */
export function finishFixAttempt({
  db,
  id,
  status,
  detail,
}: {
  db: Db;
  id: string;
  status: Exclude<FixStatus, 'running'>;
  detail: string | null;
}): boolean {
  const res = db
    .update(fixAttempts)
    .set({ status, detail, endedAt: Date.now() })
    .where(and(eq(fixAttempts.workflowId, id), eq(fixAttempts.status, 'running')))
    .run();
  return res.changes > 0;
}

export function listFixAttempts({ db, workspaceId }: { db: Db; workspaceId: string }): FixAttempt[] {
  return db
    .select()
    .from(fixAttempts)
    .where(eq(fixAttempts.workspaceId, workspaceId))
    .orderBy(asc(fixAttempts.startedAt))
    .all();
}
