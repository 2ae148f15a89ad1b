/**
 * Reads and writes of the `pull_requests` read model. Two writers, disjoint columns:
 * the poller owns the snapshot columns (state, head, CI, mergeability, snapshot JSON), the ratchet
 * workflow owns the ratchet columns (state, reason, snapshot key). Both recompute the Kanban
 * placement from the row as it stands after their write, in the same transaction.
 */
import { eq } from 'drizzle-orm';
import { rollupChecks } from '../../core/ci-rollup.js';
import { kanbanFromRows } from '../../core/kanban.js';
import type { PrSnapshot } from '../../core/pr.js';
import type { RatchetState } from '../../core/ratchet/state.js';
import type { Db } from '../client.js';
import {
  pullRequests,
  workspaceEvents,
  workspaces,
  type NewWorkspaceEvent,
  type PullRequest,
} from '../schema.js';

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

export type PrRowState = 'open' | 'draft' | 'merged' | 'closed';

export function rowStateOf(pr: Pick<PrSnapshot, 'state' | 'isDraft'>): PrRowState {
  if (pr.state === 'MERGED') return 'merged';
  if (pr.state === 'CLOSED') return 'closed';
  return pr.isDraft ? 'draft' : 'open';
}

/** Recomputes the Kanban placement of one row from the row and its workspace. */
function place(tx: Tx, workspaceId: string): void {
  const row = tx.select().from(pullRequests).where(eq(pullRequests.workspaceId, workspaceId)).get();
  const ws = tx.select().from(workspaces).where(eq(workspaces.id, workspaceId)).get();
  if (!row || !ws) return;
  const placement = kanbanFromRows({ workspace: ws, pr: row });
  tx.update(pullRequests)
    .set({ kanbanColumn: placement.column, kanbanReason: placement.reason })
    .where(eq(pullRequests.workspaceId, workspaceId))
    .run();
}

export interface OpenedPr {
  workspaceId: string;
  projectId: string;
  number: number;
  url: string;
  headBranch: string;
  baseBranch: string;
  headSha: string | null;
  draft: boolean;
}

/** Records the PR a workspace opened; a retry (or a re-open after continue-as-new) changes nothing but the link. */
export function recordOpenedPullRequest({ db, pr }: { db: Db; pr: OpenedPr }): void {
  db.transaction((tx) => {
    tx.insert(pullRequests)
      .values({
        workspaceId: pr.workspaceId,
        projectId: pr.projectId,
        number: pr.number,
        url: pr.url,
        headBranch: pr.headBranch,
        baseBranch: pr.baseBranch,
        state: pr.draft ? 'draft' : 'open',
        headSha: pr.headSha,
        ratchetState: 'watching',
        ratchetReason: 'PR opened; waiting for the first snapshot',
      })
      .onConflictDoUpdate({
        target: pullRequests.workspaceId,
        set: { number: pr.number, url: pr.url, updatedAt: Date.now() },
      })
      .run();
    place(tx, pr.workspaceId);
  });
}

export interface SnapshotWrite {
  workspaceId: string;
  snapshot: PrSnapshot;
  at: number;
}

/** The poller's write: every watched PR's snapshot columns, one transaction for the whole cycle. */
export function applySnapshots({ db, items }: { db: Db; items: readonly SnapshotWrite[] }): number {
  let changed = 0;
  db.transaction((tx) => {
    for (const { workspaceId, snapshot: s, at } of items) {
      const res = tx
        .update(pullRequests)
        .set({
          state: rowStateOf(s),
          headSha: s.headSha,
          mergeable: s.mergeable,
          mergeStateStatus: s.mergeStateStatus,
          reviewDecision: s.reviewDecision,
          ciStatus: rollupChecks(s.checks).status,
          snapshot: s,
          lastSnapshotAt: at,
          updatedAt: Date.now(),
        })
        .where(eq(pullRequests.workspaceId, workspaceId))
        .run();
      if (res.changes > 0) {
        changed++;
        place(tx, workspaceId);
      }
    }
  });
  return changed;
}

export interface RatchetDecisionWrite {
  workspaceId: string;
  state: RatchetState;
  reason: string;
  snapshotKey: string | null;
  /** The timeline event for this decision; its dedupe key makes a retried write land once. */
  event: NewWorkspaceEvent;
  /** Set when the loop learned the PR's final state itself (merge, or a missing PR). */
  prState?: PrRowState;
}

/** The ratchet's write: its state and reason, plus the timeline event, atomically. False on a replayed key. */
export function recordRatchetDecision({
  db,
  decision: d,
}: {
  db: Db;
  decision: RatchetDecisionWrite;
}): boolean {
  return db.transaction((tx) => {
    const res = tx
      .insert(workspaceEvents)
      .values(d.event)
      .onConflictDoNothing({ target: workspaceEvents.dedupeKey })
      .run();
    if (res.changes === 0) return false;
    tx.update(pullRequests)
      .set({
        ratchetState: d.state,
        ratchetReason: d.reason,
        ...(d.snapshotKey !== null ? { snapshotKey: d.snapshotKey } : {}),
        ...(d.prState ? { state: d.prState } : {}),
        updatedAt: Date.now(),
      })
      .where(eq(pullRequests.workspaceId, d.workspaceId))
      .run();
    place(tx, d.workspaceId);
    return true;
  });
}

export function getPullRequestByWorkspace({
  db,
  workspaceId,
}: {
  db: Db;
  workspaceId: string;
}): PullRequest | undefined {
  return db.select().from(pullRequests).where(eq(pullRequests.workspaceId, workspaceId)).get();
}

export function listPullRequestsByProject({ db, projectId }: { db: Db; projectId: string }): PullRequest[] {
  return db.select().from(pullRequests).where(eq(pullRequests.projectId, projectId)).all();
}
