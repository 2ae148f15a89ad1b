/**
 * Insights for one project or all of them over a period: the three bounded reads of
 * db/queries/insights.ts handed to core/insights.ts, which computes every figure.
 */
import {
  computeInsights,
  resolvePeriod,
  type InsightsQuery,
  type InsightsReport,
} from '../../core/insights.js';
import type { Db } from '../../db/client.js';
import { listInsightFixes, listInsightPullRequests, listInsightSpend } from '../../db/queries/insights.js';
import { getProjectOrThrow } from './projects.js';

export interface InsightsAnswer extends InsightsReport {
  /** Null: every project. */
  project: { id: string; name: string } | null;
}

/** Throws ProjectNotFound (404) for an unknown project id. */
export function getInsights(db: Db, query: InsightsQuery, now = Date.now()): InsightsAnswer {
  const project = query.project ? getProjectOrThrow(db, query.project) : null;
  const period = resolvePeriod(query, now);
  const range = { db, projectId: project?.id ?? null, from: period.from, to: period.to };
  const report = computeInsights(
    {
      prs: listInsightPullRequests(range),
      fixes: listInsightFixes(range),
      spend: listInsightSpend(range),
    },
    period,
  );
  return { ...report, project: project ? { id: project.id, name: project.name } : null };
}

/** A URL's query as a plain object, every parameter kept so an unknown one is refused by name. */
export function queryObject(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) out[k] = v;
  return out;
}
