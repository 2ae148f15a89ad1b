/**
 * The reads behind Insights (core/insights.ts does the arithmetic and states the definitions).
 * Each read is bounded by the period and uses an index the schema already has:
 * - pull requests: every PR opened before the period's end and updated since its start (a merge or
 *   a merge-ready decision inside the period bumps `updated_at`, and it only grows), about the
 *   period's share of the table;
 * - their decision times: only the loop's own events, found through the dedupe-key index: every
 *   event the ratchet workflow writes is keyed `ratchet/<workspaceId>/…` (workflows/ratchet.ts
 *   `record` and `ratchetRecordEvent`), so the range [`ratchet/<id>/`, `ratchet/<id>0`) holds
 *   exactly them (`0` follows `/`), without reading the workspace's other timeline rows;
 * - fixer runs: started (`created_at`) inside the period (joined to the workspace for the project);
 * - spend: transcript messages completed inside the period, through `agent_messages_created_idx`.
 */
import { sql } from 'drizzle-orm';
import type { InsightFix, InsightPr, InsightSpend } from '../../core/insights.js';
import type { Db } from '../client.js';

export interface InsightRange {
  db: Db;
  /** Null: every project. */
  projectId: string | null;
  from: number;
  to: number;
}

export function listInsightPullRequests({ db, projectId, from, to }: InsightRange): InsightPr[] {
  return db.all<InsightPr>(sql`
    with prs as (
      select pr.workspace_id, pr.created_at, pr.state, pr.updated_at
      from pull_requests pr
      where pr.created_at < ${to} and pr.updated_at >= ${from}
        and (${projectId} is null or pr.project_id = ${projectId})
    ),
    keyed as (
      select prs.*, 'ratchet/' || prs.workspace_id || '/' as lo, 'ratchet/' || prs.workspace_id || '0' as hi
      from prs
    )
    select k.workspace_id as workspaceId,
      k.created_at as openedAt,
      (select min(e.at) from workspace_events e
        where e.dedupe_key >= k.lo and e.dedupe_key < k.hi
          and e.kind in ('ratchet.merge', 'ratchet.wait') and json_extract(e.data, '$.rule') = 'merge_ready'
      ) as mergeReadyAt,
      case when k.state = 'merged' then coalesce(
        (select max(e.at) from workspace_events e
          where e.dedupe_key >= k.lo and e.dedupe_key < k.hi and e.kind = 'ratchet.done'),
        k.updated_at) end as mergedAt,
      (select count(*) from fix_attempts f where f.workspace_id = k.workspace_id) as fixAttempts,
      (select coalesce(sum(s.cost_usd), 0) from agent_sessions s where s.workspace_id = k.workspace_id)
        as spentUsd
    from keyed k
  `);
}

export function listInsightFixes({ db, projectId, from, to }: InsightRange): InsightFix[] {
  return db.all<InsightFix>(sql`
    select f.workspace_id as workspaceId, f.kind, f.status, f.created_at as startedAt,
      f.snapshot_key as snapshotKey
    from fix_attempts f
    ${projectId === null ? sql`` : sql`join workspaces w on w.id = f.workspace_id and w.project_id = ${projectId}`}
    where f.created_at >= ${from} and f.created_at < ${to}
  `);
}

export function listInsightSpend({ db, projectId, from, to }: InsightRange): InsightSpend[] {
  const stmt =
    projectId === null
      ? db.$client.prepare(
          `select created_at, cost_usd from agent_messages
           where created_at >= ? and created_at < ? and cost_usd > 0`,
        )
      : db.$client.prepare(
          `select m.created_at, m.cost_usd from agent_messages m
           join agent_sessions s on s.id = m.session_id
           join workspaces w on w.id = s.workspace_id
           where m.created_at >= ? and m.created_at < ? and m.cost_usd > 0 and w.project_id = ?`,
        );
  const args = projectId === null ? [from, to] : [from, to, projectId];
  return stmt.raw(true).all(...args) as InsightSpend[];
}
