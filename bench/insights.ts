/**
 * `npm run bench -- insights`: the whole answer of `GET /api/insights` (the three reads of
 * db/queries/insights.ts, core/insights.ts, JSON) on a heavy read model (10,000 workspaces over a
 * year in five projects, 1,000,000 timeline events, 200,000 messages; bench/seed-read-model.ts),
 * p95 of 20 runs for all projects over 90 days, 30 days and a from–to year, and one project over
 * 90 days. The baseline is main's code measured in the same run on the same file: its
 * `getInsights` (web/lib/insights.ts of /work/main, `RATCHET_BASELINE_ROOT` to change) imported
 * beside ours, runs interleaved with ours so both see the same machine load.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { insightsQuerySchema, type InsightsQuery } from '../core/insights.js';
import { openDb, type Db } from '../db/client.js';
import { getInsights } from '../web/lib/insights.js';
import { figure, type Figure } from './figure.js';
import { seedReadModel } from './seed-read-model.js';

const RUNS = 20;
const BASELINE_ROOT = process.env.RATCHET_BASELINE_ROOT ?? '/work/main';

type GetInsights = (db: Db, query: InsightsQuery) => unknown;

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)]!.toFixed(1));
}

export async function benchInsights(): Promise<Figure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-bench-insights-'));
  try {
    const file = path.join(dir, 'ratchet.db');
    const seeded = await seedReadModel(file, {
      workspaces: 10_000,
      events: 1_000_000,
      messages: 200_000,
      projects: 5,
      days: 365,
    });
    process.stdout.write(`seeded ${JSON.stringify(seeded)}\n`);
    const mainModule = (await import(
      pathToFileURL(path.join(BASELINE_ROOT, 'web/lib/insights.ts')).href
    )) as {
      getInsights: GetInsights;
    };
    const commit = spawnSync('git', ['-C', BASELINE_ROOT, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
    }).stdout.trim();
    const ours = openDb(file);
    const theirs = openDb(file);
    /** p95 of ours and of main's for one query, runs interleaved. */
    const time = (q: Record<string, string>) => {
      const query = insightsQuerySchema.parse(q);
      const impls: Array<[GetInsights, Db]> = [
        [getInsights, ours],
        [mainModule.getInsights, theirs],
      ];
      for (const [fn, db] of impls) JSON.stringify(fn(db, query)); // warm the page cache and the statements
      const xs: number[][] = [[], []];
      for (let i = 0; i < RUNS; i++)
        impls.forEach(([fn, db], k) => {
          const s = performance.now();
          JSON.stringify(fn(db, query));
          xs[k]!.push(performance.now() - s);
        });
      return { ours: p95(xs[0]!), main: p95(xs[1]!) };
    };
    const all90 = time({ days: '90' });
    const all30 = time({ days: '30' });
    const year = new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10);
    const allYear = time({ from: year, to: new Date().toISOString().slice(0, 10) });
    const one = time({ project: 'prj_seed_00', days: '90' });
    ours.$client.close();
    theirs.$client.close();
    const base = (name: string, t: { main: number }) => ({
      unit: 'ms',
      baselineName: `main ${commit}, ${name}`,
      baseline: t.main,
    });
    return [
      figure({
        ...base('same query', all90),
        name: `Insights p95, all projects, 90 days (10k workspaces, 1M events, 200k messages)`,
        value: all90.ours,
        goal: '≤ 200 ms',
        met: all90.ours <= 200,
      }),
      figure({
        ...base('same query', all30),
        name: 'Insights p95, all projects, 30 days',
        value: all30.ours,
        goal: '≤ 200 ms',
        met: all30.ours <= 200,
      }),
      figure({
        ...base('same query', allYear),
        name: 'Insights p95, all projects, a whole year (from–to)',
        value: allYear.ours,
      }),
      figure({
        ...base('same query', one),
        name: 'Insights p95, one project of five, 90 days',
        value: one.ours,
      }),
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
