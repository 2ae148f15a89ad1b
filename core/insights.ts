/**
 * Insights: the ratchet loop's figures over a period, from rows the read model already holds
 * (db/queries/insights.ts reads them; this module does all the arithmetic). Pure: no I/O.
 *
 * Definitions (each figure counts what happened inside the period [from, to)):
 * - PRs opened: pull requests whose row was created (the PR was opened) in the period.
 * - PRs merged: pull requests merged in the period; the merge time is the loop's `done` decision,
 *   else (ratchet off) the row's last update.
 * - Fix success per kind: fixer runs started in the period and settled; a success is a run that
 *   pushed a change (`pushed`); `no_change`, `failed` and `asked_human` are not. Running ones are
 *   reported apart and left out of the rate.
 * - Attempts per merged PR: fixer runs of every kind on the PRs merged in the period.
 * - Time to merge-ready / merged: from the PR opening to the first `merge_ready` decision / to the
 *   merge, over PRs that reached it in the period. Median (mean of the two middle values) and p90
 *   (nearest rank).
 * - Dollars per merged PR: the whole spend of the workspaces whose PR merged in the period, divided
 *   by their number. Dollars per day: the spend recorded in the period (each transcript message on
 *   the UTC day it completed) divided by the days of the period.
 * - Checks that fail most: the checks named failing in the snapshot of each CI fix started in the
 *   period (only checks the ratchet acted on), by number of fixes, then PRs.
 */
import { z } from 'zod';
import type { FixKind } from './ids.js';
import { failingChecksOfKey } from './ratchet/snapshot-key.js';

export const DAY_MS = 86_400_000;
/** Periods the page offers. */
export const PERIOD_DAYS = [7, 30, 90] as const;
/** @default 30 */
export const DEFAULT_PERIOD_DAYS = 30;
/** Longest from–to period, so one request cannot ask for decades of day buckets. @default 366 */
export const MAX_PERIOD_DAYS = 366;
/** @default 10 */
export const TOP_CHECKS = 10;
export const FIX_KINDS = ['ci', 'review', 'conflict'] as const satisfies readonly FixKind[];

const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'must be a real calendar date');

/**
 * The query of `/api/insights` and `/insights`: `project` (an id; absent = every project), and
 * either `days` (7, 30 or 90) or `from` and `to` (UTC dates, both included). Unknown keys are refused.
 */
export const insightsQuerySchema = z
  .object({
    project: z.string().min(1, 'must not be empty').max(200).optional(),
    days: z
      .enum(PERIOD_DAYS.map(String) as [string, ...string[]], { message: 'must be 7, 30 or 90' })
      .optional(),
    from: isoDay.optional(),
    to: isoDay.optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    if ((q.from === undefined) !== (q.to === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [q.from === undefined ? 'from' : 'to'],
        message: 'from and to go together',
      });
      return;
    }
    if (q.from !== undefined && q.days !== undefined)
      ctx.addIssue({ code: 'custom', path: ['days'], message: 'give days or from–to, not both' });
    if (q.from !== undefined && q.to !== undefined) {
      const span = (Date.parse(`${q.to}T00:00:00Z`) - Date.parse(`${q.from}T00:00:00Z`)) / DAY_MS + 1;
      if (span < 1) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
      else if (span > MAX_PERIOD_DAYS)
        ctx.addIssue({
          code: 'custom',
          path: ['to'],
          message: `the period is at most ${MAX_PERIOD_DAYS} days`,
        });
    }
  });
export type InsightsQuery = z.infer<typeof insightsQuerySchema>;

export interface Period {
  /** Inclusive, ms since the epoch, at 00:00 UTC. */
  from: number;
  /** Exclusive, ms since the epoch, at 00:00 UTC. */
  to: number;
  days: number;
  /** `7`, `30`, `90` or `custom`. */
  label: string;
}

const startOfDay = (t: number) => Math.floor(t / DAY_MS) * DAY_MS;
export const dayOf = (t: number) => new Date(startOfDay(t)).toISOString().slice(0, 10);

/** The period a parsed query names: `days` whole UTC days ending with today, or from–to inclusive. */
export function resolvePeriod(q: InsightsQuery, now: number): Period {
  if (q.from !== undefined && q.to !== undefined) {
    const from = Date.parse(`${q.from}T00:00:00Z`);
    const to = Date.parse(`${q.to}T00:00:00Z`) + DAY_MS;
    return { from, to, days: (to - from) / DAY_MS, label: 'custom' };
  }
  const days = q.days !== undefined ? Number(q.days) : DEFAULT_PERIOD_DAYS;
  const to = startOfDay(now) + DAY_MS;
  return { from: to - days * DAY_MS, to, days, label: String(days) };
}

/** Median: the middle value, or the mean of the two middle ones; null for no values. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Nearest-rank percentile (p in (0, 100]): the smallest value with at least p% of values at or below it. */
export function percentile(xs: readonly number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** A PR row as db/queries/insights.ts reads it. */
export interface InsightPr {
  workspaceId: string;
  openedAt: number;
  mergeReadyAt: number | null;
  mergedAt: number | null;
  /** Fixer runs of every kind on this PR's workspace. */
  fixAttempts: number;
  /** The workspace's whole spend. */
  spentUsd: number;
}
export interface InsightFix {
  workspaceId: string;
  kind: string;
  status: string;
  startedAt: number;
  snapshotKey: string;
}
/**
 * Dollars spent at a moment: `[at, usd]`, a transcript message's cost when it completed, or (as
 * db/queries/insights.ts reads them) a UTC day's total at the day's start: both land in that day.
 */
export type InsightSpend = readonly [number, number];

export interface InsightRows {
  prs: readonly InsightPr[];
  fixes: readonly InsightFix[];
  spend: readonly InsightSpend[];
}

export interface Durations {
  n: number;
  medianMs: number | null;
  p90Ms: number | null;
}
export interface FixRate {
  settled: number;
  succeeded: number;
  running: number;
  /** succeeded / settled; null when nothing settled. */
  rate: number | null;
}
export interface InsightDay {
  day: string;
  opened: number;
  merged: number;
  usd: number;
}
export interface InsightsReport {
  period: { from: string; to: string; days: number; label: string };
  prsOpened: number;
  prsMerged: number;
  fixSuccess: Record<(typeof FIX_KINDS)[number], FixRate>;
  attemptsPerMergedPr: { mean: number | null; median: number | null };
  timeToMergeReady: Durations;
  timeToMerged: Durations;
  spendUsd: number;
  dollarsPerMergedPr: number | null;
  dollarsPerDay: number;
  topFailingChecks: Array<{ check: string; fixes: number; prs: number }>;
  daily: InsightDay[];
}

const round = (x: number, digits = 4) => Number(x.toFixed(digits));
const inPeriod = (t: number | null, p: Period): t is number => t !== null && t >= p.from && t < p.to;

function durations(xs: number[]): Durations {
  return { n: xs.length, medianMs: median(xs), p90Ms: percentile(xs, 90) };
}

export function computeInsights(rows: InsightRows, period: Period): InsightsReport {
  const daily = new Map<number, InsightDay>();
  for (let t = period.from; t < period.to; t += DAY_MS)
    daily.set(t, { day: dayOf(t), opened: 0, merged: 0, usd: 0 });
  const bucket = (t: number) => daily.get(startOfDay(t))!;

  let opened = 0;
  const merged: InsightPr[] = [];
  const toReady: number[] = [];
  const toMerged: number[] = [];
  for (const pr of rows.prs) {
    if (inPeriod(pr.openedAt, period)) {
      opened++;
      bucket(pr.openedAt).opened++;
    }
    if (inPeriod(pr.mergeReadyAt, period)) toReady.push(Math.max(0, pr.mergeReadyAt - pr.openedAt));
    if (inPeriod(pr.mergedAt, period)) {
      merged.push(pr);
      bucket(pr.mergedAt).merged++;
      toMerged.push(Math.max(0, pr.mergedAt - pr.openedAt));
    }
  }

  const fixSuccess = Object.fromEntries(
    FIX_KINDS.map((k) => [k, { settled: 0, succeeded: 0, running: 0, rate: null as number | null }]),
  ) as InsightsReport['fixSuccess'];
  const checks = new Map<string, { fixes: number; prs: Set<string> }>();
  for (const f of rows.fixes) {
    if (!inPeriod(f.startedAt, period)) continue;
    const rate = fixSuccess[f.kind as keyof typeof fixSuccess];
    if (rate) {
      if (f.status === 'running') rate.running++;
      else {
        rate.settled++;
        if (f.status === 'pushed') rate.succeeded++;
      }
    }
    if (f.kind !== 'ci') continue;
    for (const check of failingChecksOfKey(f.snapshotKey)) {
      const c = checks.get(check) ?? { fixes: 0, prs: new Set<string>() };
      c.fixes++;
      c.prs.add(f.workspaceId);
      checks.set(check, c);
    }
  }
  for (const r of Object.values(fixSuccess)) r.rate = r.settled ? round(r.succeeded / r.settled) : null;

  let spendUsd = 0;
  for (const [at, usd] of rows.spend) {
    if (!inPeriod(at, period)) continue;
    spendUsd += usd;
    bucket(at).usd += usd;
  }
  const attempts = merged.map((m) => m.fixAttempts);
  const mergedSpend = merged.reduce((s, m) => s + m.spentUsd, 0);
  return {
    period: {
      from: dayOf(period.from),
      to: dayOf(period.to - DAY_MS),
      days: period.days,
      label: period.label,
    },
    prsOpened: opened,
    prsMerged: merged.length,
    fixSuccess,
    attemptsPerMergedPr: {
      mean: attempts.length ? round(attempts.reduce((a, b) => a + b, 0) / attempts.length) : null,
      median: median(attempts),
    },
    timeToMergeReady: durations(toReady),
    timeToMerged: durations(toMerged),
    spendUsd: round(spendUsd),
    dollarsPerMergedPr: merged.length ? round(mergedSpend / merged.length) : null,
    dollarsPerDay: round(spendUsd / period.days),
    topFailingChecks: [...checks.entries()]
      .map(([check, c]) => ({ check, fixes: c.fixes, prs: c.prs.size }))
      .sort((a, b) => b.fixes - a.fixes || b.prs - a.prs || a.check.localeCompare(b.check))
      .slice(0, TOP_CHECKS),
    daily: [...daily.values()].map((d) => ({ ...d, usd: round(d.usd) })),
  };
}
