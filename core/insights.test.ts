import { describe, expect, it } from 'vitest';
import {
  computeInsights,
  insightsQuerySchema,
  median,
  percentile,
  resolvePeriod,
  type InsightFix,
  type InsightPr,
  type InsightRows,
} from './insights.js';

const H = 3_600_000;
const D = 24 * H;
/** 2026-11-01 00:00 UTC; the period is 2026-11-01 … 2026-11-07. */
const t0 = Date.UTC(2026, 10, 1);
const period = resolvePeriod({ from: '2026-11-01', to: '2026-11-07' }, 0);

const pr = (workspaceId: string, openedAt: number, extra: Partial<InsightPr> = {}): InsightPr => ({
  workspaceId,
  openedAt,
  mergeReadyAt: null,
  mergedAt: null,
  fixAttempts: 0,
  spentUsd: 0,
  ...extra,
});
const fix = (workspaceId: string, kind: string, status: string, startedAt: number, ci = ''): InsightFix => ({
  workspaceId,
  kind,
  status,
  startedAt,
  snapshotKey: `pr:1|sha:abc|ci:${ci}|rev:|thr:|conflict:0`,
});

/** The hand-worked example: every figure below is computed by hand in the comments. */
const rows: InsightRows = {
  prs: [
    // opened Nov 1, ready after 4 h, merged after 24 h (Nov 2)
    pr('A', t0 + H, { mergeReadyAt: t0 + 5 * H, mergedAt: t0 + D + H, fixAttempts: 2, spentUsd: 3 }),
    // opened Nov 3, ready after 2 h, merged after 10 h (Nov 3)
    pr('B', t0 + 2 * D, { mergeReadyAt: t0 + 2 * D + 2 * H, mergedAt: t0 + 2 * D + 10 * H, spentUsd: 1 }),
    // opened before the period, ready before it too, merged Nov 4 after 8 days = 192 h
    pr('C', t0 - 5 * D, { mergeReadyAt: t0 - D, mergedAt: t0 + 3 * D, fixAttempts: 4, spentUsd: 5 }),
    // opened Nov 5, still open
    pr('D', t0 + 4 * D, { fixAttempts: 1, spentUsd: 0.5 }),
    // opened Nov 7 23:00, merged after the period
    pr('E', t0 + 6 * D + 23 * H, { mergedAt: t0 + 7 * D + H, spentUsd: 7 }),
  ],
  fixes: [
    fix('A', 'ci', 'pushed', t0 + 2 * H, 'build:FAILURE,lint:FAILURE'),
    fix('A', 'ci', 'failed', t0 + 3 * H, 'build:FAILURE'),
    fix('C', 'ci', 'no_change', t0 + D, 'CI%20%2F%20test:TIMED_OUT'),
    fix('C', 'review', 'pushed', t0 + D),
    fix('C', 'review', 'asked_human', t0 + 2 * D),
    fix('C', 'conflict', 'pushed', t0 + 2 * D),
    fix('D', 'ci', 'running', t0 + 4 * D + H, 'build:FAILURE'),
    fix('E', 'ci', 'pushed', t0 + 7 * D + 2 * H, 'lint:FAILURE'), // after the period
    fix('X', 'ci', 'pushed', t0 - H, 'lint:FAILURE'), // before it
  ],
  spend: [
    [t0 + H, 1.25],
    [t0 + D + 3 * H, 2.5],
    [t0 + D + 4 * H, 0.25],
    [t0 + 6 * D, 1],
    [t0 - H, 9], // before
    [t0 + 7 * D, 4], // after (the first instant of Nov 8)
  ],
};

describe('computeInsights on the hand-worked example', () => {
  const r = computeInsights(rows, period);
  it.each<[string, unknown, unknown]>([
    [
      'period names its first and last day',
      r.period,
      { from: '2026-11-01', to: '2026-11-07', days: 7, label: 'custom' },
    ],
    ['counts PRs opened inside the period (A, B, D, E)', r.prsOpened, 4],
    ['counts PRs merged inside the period (A, B, C)', r.prsMerged, 3],
    [
      'CI fixes: 1 pushed of 3 settled, 1 running',
      r.fixSuccess.ci,
      { settled: 3, succeeded: 1, running: 1, rate: 0.3333 },
    ],
    [
      'review fixes: asking a person is not a success',
      r.fixSuccess.review,
      { settled: 2, succeeded: 1, running: 0, rate: 0.5 },
    ],
    ['conflict fixes: 1 of 1', r.fixSuccess.conflict, { settled: 1, succeeded: 1, running: 0, rate: 1 }],
    ['attempts per merged PR: [2, 0, 4]', r.attemptsPerMergedPr, { mean: 2, median: 2 }],
    [
      'time to merge-ready: [4 h, 2 h] (C was ready before the period)',
      r.timeToMergeReady,
      { n: 2, medianMs: 3 * H, p90Ms: 4 * H },
    ],
    ['time to merged: [24 h, 10 h, 192 h]', r.timeToMerged, { n: 3, medianMs: 24 * H, p90Ms: 192 * H }],
    ['spend inside the period: 1.25 + 2.5 + 0.25 + 1', r.spendUsd, 5],
    ['dollars per merged PR: (3 + 1 + 5) / 3', r.dollarsPerMergedPr, 3],
    ['dollars per day: 5 / 7', r.dollarsPerDay, 0.7143],
    [
      'checks that fail most: build in 3 CI fixes on 2 PRs, then ties by name',
      r.topFailingChecks,
      [
        { check: 'build', fixes: 3, prs: 2 },
        { check: 'CI / test', fixes: 1, prs: 1 },
        { check: 'lint', fixes: 1, prs: 1 },
      ],
    ],
    [
      'daily buckets are UTC days, one per day of the period',
      r.daily,
      [
        { day: '2026-11-01', opened: 1, merged: 0, usd: 1.25 },
        { day: '2026-11-02', opened: 0, merged: 1, usd: 2.75 },
        { day: '2026-11-03', opened: 1, merged: 1, usd: 0 },
        { day: '2026-11-04', opened: 0, merged: 1, usd: 0 },
        { day: '2026-11-05', opened: 1, merged: 0, usd: 0 },
        { day: '2026-11-06', opened: 0, merged: 0, usd: 0 },
        { day: '2026-11-07', opened: 1, merged: 0, usd: 1 },
      ],
    ],
  ])('computeInsights %s', (_name, got, want) => {
    expect(got).toEqual(want);
  });

  it('computeInsights with no rows reports zeros and nulls, never NaN', () => {
    const empty = computeInsights({ prs: [], fixes: [], spend: [] }, period);
    expect(empty.prsMerged).toBe(0);
    expect(empty.fixSuccess.ci.rate).toBeNull();
    expect(empty.attemptsPerMergedPr).toEqual({ mean: null, median: null });
    expect(empty.timeToMerged).toEqual({ n: 0, medianMs: null, p90Ms: null });
    expect(empty.dollarsPerMergedPr).toBeNull();
    expect(empty.dollarsPerDay).toBe(0);
    expect(empty.daily).toHaveLength(7);
  });

  it('computeInsights ignores fixer kinds it does not know for the rates', () => {
    const r2 = computeInsights({ prs: [], fixes: [fix('A', 'rebase', 'pushed', t0)], spend: [] }, period);
    expect(Object.values(r2.fixSuccess).every((f) => f.settled === 0)).toBe(true);
  });
});

describe('median and percentile', () => {
  it.each<[string, number[], number | null, number | null]>([
    ['no values', [], null, null],
    ['one value', [5], 5, 5],
    ['an even count averages the middle two', [4, 1, 3, 2], 2.5, 4],
    ['ten values: p90 is the 9th', [10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 5.5, 9],
    ['eleven values: p90 is the 10th', [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 6, 10],
  ])('median and percentile(90) of %s', (_name, xs, med, p90) => {
    expect(median(xs)).toBe(med);
    expect(percentile(xs, 90)).toBe(p90);
  });
});

describe('resolvePeriod', () => {
  const now = Date.UTC(2026, 11, 1, 16, 30);
  it.each<[string, Record<string, string>, { from: string; to: string; days: number }]>([
    ['defaults to 30 days ending today', {}, { from: '2026-11-02', to: '2026-12-02', days: 30 }],
    ['7 days end with today', { days: '7' }, { from: '2026-11-25', to: '2026-12-02', days: 7 }],
    ['90 days', { days: '90' }, { from: '2026-09-03', to: '2026-12-02', days: 90 }],
    [
      'from–to includes both days',
      { from: '2026-02-27', to: '2026-03-01' },
      { from: '2026-02-27', to: '2026-03-02', days: 3 },
    ],
  ])('resolvePeriod %s', (_name, q, want) => {
    const p = resolvePeriod(insightsQuerySchema.parse(q), now);
    expect({
      from: new Date(p.from).toISOString().slice(0, 10),
      to: new Date(p.to).toISOString().slice(0, 10),
      days: p.days,
    }).toEqual(want);
  });
});

describe('insightsQuerySchema', () => {
  it.each<[string, Record<string, string>, string]>([
    ['days other than 7, 30, 90', { days: '14' }, 'days'],
    ['from without to', { from: '2026-11-01' }, 'to'],
    ['to without from', { to: '2026-11-01' }, 'from'],
    ['a date that is not YYYY-MM-DD', { from: '11/01/2026', to: '2026-11-02' }, 'from'],
    ['a date that does not exist', { from: '2026-13-40', to: '2026-11-02' }, 'from'],
    ['to before from', { from: '2026-11-05', to: '2026-11-01' }, 'to'],
    ['more than 366 days', { from: '2024-01-01', to: '2026-01-01' }, 'to'],
    ['days with from–to', { days: '7', from: '2026-11-01', to: '2026-11-02' }, 'days'],
    ['an empty project', { project: '' }, 'project'],
    ['an unknown key', { since: '2026-01-01' }, ''],
  ])('insightsQuerySchema refuses %s, naming the field', (_name, q, field) => {
    const res = insightsQuerySchema.safeParse(q);
    expect(res.success).toBe(false);
    const paths = res.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toContain(field);
  });
});
