/** Spend figures for budget checks, summed from the transcript (the source of truth for cost). */
import { and, eq, gte, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { agentMessages, agentSessions, settings, workspaces } from '../schema.js';

export function getWorkspaceSpend({ db, workspaceId }: { db: Db; workspaceId: string }): {
  capUsd: number | null;
  spentUsd: number;
} {
  const ws = db
    .select({ cap: workspaces.budgetUsd })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId))
    .get();
  const spent = db
    .select({ total: sql<number>`coalesce(sum(${agentSessions.costUsd}), 0)` })
    .from(agentSessions)
    .where(eq(agentSessions.workspaceId, workspaceId))
    .get();
  return { capUsd: ws?.cap ?? null, spentUsd: spent?.total ?? 0 };
}

export function getSpendSince({ db, since }: { db: Db; since: number }): number {
  const row = db
    .select({ total: sql<number>`coalesce(sum(${agentMessages.costUsd}), 0)` })
    .from(agentMessages)
    .where(and(gte(agentMessages.createdAt, since)))
    .get();
  return row?.total ?? 0;
}

/** Sets the per-workspace cap (null removes it). */
export function setWorkspaceBudget({
  db,
  workspaceId,
  budgetUsd,
}: {
  db: Db;
  workspaceId: string;
  budgetUsd: number | null;
}): void {
  db.update(workspaces).set({ budgetUsd, updatedAt: Date.now() }).where(eq(workspaces.id, workspaceId)).run();
  const spent = getWorkspaceSpend({ db, workspaceId }).spentUsd;
  db.update(workspaces).set({ spentUsd: spent }).where(eq(workspaces.id, workspaceId)).run();
}

export function getSetting<T>({ db, key }: { db: Db; key: string }): T | undefined {
  return db.select().from(settings).where(eq(settings.key, key)).get()?.value as T | undefined;
}

export function putSetting({ db, key, value }: { db: Db; key: string; value: unknown }): void {
  db.insert(settings)
    .values({ key, value, updatedAt: Date.now() })
    .onConflictDoUpdate({ target: settings.key, set: { value, updatedAt: Date.now() } })
    .run();
}
