/**
 * The reads behind Insights (core/insights.ts does the arithmetic and states the definitions).
 * Each read is one index range bounded by the period, with no per-row subquery over events or
 * messages (tests/db/query-plans.test.ts asserts the plans):
 * - pull requests: every PR opened before the period's end and updated since its start (a merge or
 *   a merge-ready decision inside the period bumps `updated_at`, and it only grows), through
 *   `pull_requests_updated_idx` (`pull_requests_project_updated_idx` for one project). The loop's
 *   decision times (`merge_ready_at`, `done_at`) and the workspace's fix attempts and dollars
 *   (`attempt_count`, `cost_usd`) are columns the triggers of migration 0004 keep;
 * - fixer runs: started (`created_at`) inside the period, through `fix_attempts_started_idx`
 *   (joined to the workspace by primary key for the project);
 * - spend: the per-project, per-UTC-day totals of `spend_days` (kept by a trigger on every
 *   transcript message with a cost), at most one row per day of the period and project.
 */
import type { InsightFix, InsightPr, InsightSpend } from '../../core/insights.js';
import type { Db } from '../client.js';

export interface InsightRange {
  db: Db;
  /** Null: every project. */
  projectId: string | null;
  from: number;
  to: number;
}

/** The statements (`CROSS JOIN` keeps SQLite from starting at the workspaces of a project). */
export const INSIGHT_SQL = {
  prs: (oneProject: boolean) => `
    SELECT pr.workspace_id AS workspaceId, pr.created_at AS openedAt, pr.merge_ready_at AS mergeReadyAt,
      CASE WHEN pr.state = 'merged' THEN coalesce(pr.done_at, pr.updated_at) END AS mergedAt,
      w.attempt_count AS fixAttempts, w.cost_usd AS spentUsd
    FROM pull_requests pr CROSS JOIN workspaces w ON w.id = pr.workspace_id
    WHERE ${oneProject ? 'pr.project_id = @projectId AND ' : ''}pr.updated_at >= @from AND pr.created_at < @to`,
  fixes: (oneProject: boolean) => `
    SELECT f.workspace_id AS workspaceId, f.kind, f.status, f.created_at AS startedAt, f.snapshot_key AS snapshotKey
    FROM fix_attempts f${oneProject ? ' CROSS JOIN workspaces w ON w.id = f.workspace_id AND w.project_id = @projectId' : ''}
    WHERE f.created_at >= @from AND f.created_at < @to`,
  spend: (oneProject: boolean) =>
    oneProject
      ? `SELECT day, usd FROM spend_days WHERE project_id = @projectId AND day >= @from AND day < @to`
      : `SELECT day, sum(usd) AS usd FROM spend_days WHERE day >= @from AND day < @to GROUP BY day`,
} as const;

function params({ projectId, from, to }: InsightRange) {
  return projectId === null ? { from, to } : { projectId, from, to };
}

export function listInsightPullRequests(range: InsightRange): InsightPr[] {
  return range.db.$client
    .prepare(INSIGHT_SQL.prs(range.projectId !== null))
    .all(params(range)) as InsightPr[];
}

export function listInsightFixes(range: InsightRange): InsightFix[] {
  return range.db.$client
    .prepare(INSIGHT_SQL.fixes(range.projectId !== null))
    .all(params(range)) as InsightFix[];
}

/** Each day's dollars as `[day start, usd]` (days without spend are absent). */
export function listInsightSpend(range: InsightRange): InsightSpend[] {
  return range.db.$client
    .prepare(INSIGHT_SQL.spend(range.projectId !== null))
    .raw(true)
    .all(params(range)) as InsightSpend[];
}
