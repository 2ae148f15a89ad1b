/** Reads and writes of workspaces and their timeline. One-object arguments; multi-row writes in one transaction. */
import { and, asc, desc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import {
  workspaceEvents,
  workspaces,
  type NewWorkspace,
  type NewWorkspaceEvent,
  type Workspace,
  type WorkspaceEvent,
} from '../schema.js';

/** Inserts the row unless it exists (a retried activity); returns whether it was created now. */
export function insertWorkspaceIfAbsent({ db, row }: { db: Db; row: NewWorkspace }): boolean {
  const res = db.insert(workspaces).values(row).onConflictDoNothing({ target: workspaces.id }).run();
  return res.changes > 0;
}

export function getWorkspaceById({ db, id }: { db: Db; id: string }): Workspace | undefined {
  return db.select().from(workspaces).where(eq(workspaces.id, id)).get();
}

/** The workspace (archived or not) that owns `branch` in a project: each branch has one workspace. */
export function findWorkspaceByBranch({
  db,
  projectId,
  branch,
}: {
  db: Db;
  projectId: string;
  branch: string;
}): Workspace | undefined {
  return db
    .select()
    .from(workspaces)
    .where(and(eq(workspaces.projectId, projectId), eq(workspaces.branch, branch)))
    .get();
}

/** Appends a timeline event; a repeated `dedupeKey` is ignored, so retries land once. Returns true when written. */
export function appendEvent({ db, event }: { db: Db; event: NewWorkspaceEvent }): boolean {
  const res = db
    .insert(workspaceEvents)
    .values(event)
    .onConflictDoNothing({ target: workspaceEvents.dedupeKey })
    .run();
  return res.changes > 0;
}

/** Whether an event with exactly this dedupe key was recorded (a step that already finished). */
export function hasEventWithKey({ db, dedupeKey }: { db: Db; dedupeKey: string }): boolean {
  return (
    db
      .select({ id: workspaceEvents.id })
      .from(workspaceEvents)
      .where(eq(workspaceEvents.dedupeKey, dedupeKey))
      .get() !== undefined
  );
}

/** How many events of `kind` have a dedupe key starting with `prefix` (e.g. one activity's failures). */
export function countEventsByKeyPrefix({
  db,
  kind,
  prefix,
}: {
  db: Db;
  kind: string;
  prefix: string;
}): number {
  const row = db
    .select({ n: sql<number>`count(*)` })
    .from(workspaceEvents)
    .where(
      and(
        eq(workspaceEvents.kind, kind),
        sql`substr(${workspaceEvents.dedupeKey}, 1, ${prefix.length}) = ${prefix}`,
      ),
    )
    .get();
  return row?.n ?? 0;
}

/** Updates status (and optional fields) and appends the matching event, atomically. */
export function setWorkspaceStatus({
  db,
  id,
  patch,
  event,
}: {
  db: Db;
  id: string;
  patch: Partial<
    Pick<Workspace, 'status' | 'statusReason' | 'lastError' | 'archivedAt' | 'spentUsd' | 'budgetUsd'>
  >;
  event?: NewWorkspaceEvent;
}): void {
  db.transaction((tx) => {
    if (event) {
      const res = tx
        .insert(workspaceEvents)
        .values(event)
        .onConflictDoNothing({ target: workspaceEvents.dedupeKey })
        .run();
      // A replayed status write (same dedupe key) must not move the row backwards.
      if (res.changes === 0) return;
    }
    tx.update(workspaces)
      .set({ ...patch, updatedAt: Date.now() })
      .where(eq(workspaces.id, id))
      .run();
  });
}

export function listEvents({
  db,
  workspaceId,
  afterId = 0,
}: {
  db: Db;
  workspaceId: string;
  afterId?: number;
}): WorkspaceEvent[] {
  return db
    .select()
    .from(workspaceEvents)
    .where(and(eq(workspaceEvents.workspaceId, workspaceId), gt(workspaceEvents.id, afterId)))
    .orderBy(asc(workspaceEvents.id))
    .all();
}

/** The `data` of the workspace's newest event of `kind` (e.g. the pending `trust.requested`). */
export function getLatestEventData({
  db,
  workspaceId,
  kind,
}: {
  db: Db;
  workspaceId: string;
  kind: string;
}): unknown {
  return db
    .select({ data: workspaceEvents.data })
    .from(workspaceEvents)
    .where(and(eq(workspaceEvents.workspaceId, workspaceId), eq(workspaceEvents.kind, kind)))
    .orderBy(desc(workspaceEvents.id))
    .limit(1)
    .get()?.data;
}

/** Workspaces (not archived) waiting in `awaiting_budget`, with the workflow to wake. */
export function listWaitingForBudget({ db }: { db: Db }): { id: string; workflowId: string }[] {
  return db
    .select({ id: workspaces.id, workflowId: workspaces.workflowId })
    .from(workspaces)
    .where(and(eq(workspaces.status, 'awaiting_budget'), isNull(workspaces.archivedAt)))
    .all();
}
