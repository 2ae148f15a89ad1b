/**
 * Insights on a heavy read model (10,000 workspaces, 1,000,000 timeline events, 200,000 messages,
 * seeded by bench/seed-insights-model.ts): p95 of computing the whole answer of `GET /api/insights`
 * (the three reads of db/queries/insights.ts, core/insights.ts, JSON) for all projects over 90
 * days, 30 days and a from–to year. Baseline in the same run: one project of five over 90 days.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { insightsQuerySchema } from '../core/insights.js';
import { openDb } from '../db/client.js';
import { getInsights } from '../web/lib/insights.js';
import { figure, type Figure } from './figure.js';
import { seedInsightsModel } from './seed-insights-model.js';

const RUNS = 20;

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)]!.toFixed(1));
}

export async function benchInsights(): Promise<Figure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-bench-insights-'));
  try {
    const file = path.join(dir, 'ratchet.db');
    const t = performance.now();
    seedInsightsModel(file, { workspaces: 10_000, events: 1_000_000, messages: 200_000, projects: 5 });
    process.stdout.write(`seeded in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    const db = openDb(file);
    const time = (q: Record<string, string>) => {
      const query = insightsQuerySchema.parse(q);
      JSON.stringify(getInsights(db, query)); // warm the page cache and the statements
      const xs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const s = performance.now();
        JSON.stringify(getInsights(db, query));
        xs.push(performance.now() - s);
      }
      return p95(xs);
    };
    const one = time({ project: 'prj_bench_0', days: '90' });
    const all90 = time({ days: '90' });
    const all30 = time({ days: '30' });
    const year = new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10);
    const allYear = time({ from: year, to: new Date().toISOString().slice(0, 10) });
    db.$client.close();
    const base = { unit: 'ms', baselineName: 'one project of five, 90 days', baseline: one };
    return [
      figure({
        ...base,
        name: 'Insights p95, all projects, 90 days (10k workspaces, 1M events, 200k messages)',
        value: all90,
        goal: '≤ 200 ms',
        met: all90 <= 200,
      }),
      figure({
        ...base,
        name: 'Insights p95, all projects, 30 days',
        value: all30,
        goal: '≤ 200 ms',
        met: all30 <= 200,
      }),
      figure({ ...base, name: 'Insights p95, all projects, a whole year (from–to)', value: allYear }),
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
