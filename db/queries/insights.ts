/**
 * The reads behind Insights (core/insights.ts does the arithmetic and states the definitions).
 * Each read is bounded by the period and uses an index the schema already has:
 * - pull requests: every PR opened before the period's end and updated since its start (a merge or
 *   a merge-ready decision inside the period bumps `updated_at`, and it only grows), about the
 *   period's share of the table;
 * - their decision times: one pass over each such workspace's events through
 *   `workspace_events_ws_idx`, keeping only the two kinds that matter;
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
    decided as (
      select e.workspace_id,
        min(case when e.kind in ('ratchet.merge', 'ratchet.wait')
                  and json_extract(e.data, '$.rule') = 'merge_ready' then e.at end) as ready_at,
        max(case when e.kind = 'ratchet.done' then e.at end) as done_at
      from prs join workspace_events e on e.workspace_id = prs.workspace_id
      where e.kind in ('ratchet.merge', 'ratchet.wait', 'ratchet.done')
      group by e.workspace_id
    )
    select prs.workspace_id as workspaceId,
      prs.created_at as openedAt,
      decided.ready_at as mergeReadyAt,
      case when prs.state = 'merged' then coalesce(decided.done_at, prs.updated_at) end as mergedAt,
      (select count(*) from fix_attempts f where f.workspace_id = prs.workspace_id) as fixAttempts,
      (select coalesce(sum(s.cost_usd), 0) from agent_sessions s where s.workspace_id = prs.workspace_id)
        as spentUsd
    from prs left join decided on decided.workspace_id = prs.workspace_id
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
