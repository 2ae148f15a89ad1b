/**
 * The workspace page and its messages API at a 2,000-message transcript, against `next start`
 * (production build) on a real SQLite file: p95 of 60 sequential requests each, after 5 warm-ups.
 * Baseline in the same run: the same requests for a 20-message transcript. The page renders the
 * header and cards on the server and hands the newest transcript page (100 rows) to the browser;
 * older pages come from the messages API by keyset (`?before=`), so the page, the API's newest
 * page and a "Load earlier" page are measured. The load average is printed beside the figures.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { projects } from '../db/schema.js';
import { seedTranscript } from './seed-transcript.js';
import { ensureConsoleBuilt, startConsole } from '../tests/support/console-harness.js';
import { figure, type Figure } from './figure.js';

const RUNS = 60;

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))] ?? NaN;
}

function seed(dbFile: string, home: string, id: string, messages: number): void {
  const db = openDb(dbFile);
  seedTranscript(db, { id, projectId: 'p1', worktreePath: home, messages });
  db.$client.close();
}

async function timeRequests(url: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS + 5; i++) {
    const t0 = performance.now();
    const res = await fetch(url);
    await res.arrayBuffer();
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    if (i >= 5) times.push(performance.now() - t0);
  }
  return Math.round(p95(times) * 10) / 10;
}

export async function benchWorkspacePage(): Promise<Figure[]> {
  ensureConsoleBuilt();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-bench-page-'));
  const dbFile = path.join(home, 'ratchet.db');
  migrateDatabase(dbFile);
  const db = openDb(dbFile);
  db.insert(projects).values({ id: 'p1', name: 'bench', repoPath: home }).run();
  db.$client.close();
  seed(dbFile, home, 'ws-page-20', 20);
  seed(dbFile, home, 'ws-page-2000', 2000);
  const server = await startConsole({ RATCHET_HOME: home }, { readyPath: '/api/projects' });
  try {
    const out: Figure[] = [];
    const page = { small: await timeRequests(`${server.base}/workspaces/ws-page-20`), big: 0 };
    page.big = await timeRequests(`${server.base}/workspaces/ws-page-2000`);
    out.push(
      figure({
        name: 'Workspace page (server render), 2,000-message transcript, p95 of 60',
        value: page.big,
        unit: 'ms',
        baselineName: 'the same page at 20 messages',
        baseline: page.small,
        goal: '≤ 100 ms',
        met: page.big <= 100,
      }),
    );
    // The page's own API: the newest page (what a client without the server render reads first)
    // and the page before it by keyset (what "Load earlier" reads).
    const api = (id: string, q = '') => `${server.base}/api/workspaces/${id}/messages${q}`;
    const first = {
      small: await timeRequests(api('ws-page-20')),
      big: await timeRequests(api('ws-page-2000')),
    };
    out.push(
      figure({
        name: 'Messages API, newest page (100 rows), 2,000-message transcript, p95 of 60',
        value: first.big,
        unit: 'ms',
        baselineName: 'the whole 20-message transcript',
        baseline: first.small,
        goal: '≤ 100 ms',
        met: first.big <= 100,
      }),
    );
    const newest = (await (await fetch(api('ws-page-2000'))).json()) as { messages: Array<{ id: number }> };
    const earlier = await timeRequests(api('ws-page-2000', `?before=${newest.messages[0]!.id}`));
    out.push(
      figure({
        name: 'Messages API, "Load earlier" page (100 rows before the newest), 2,000-message transcript, p95 of 60',
        value: earlier,
        unit: 'ms',
        baselineName: 'the whole 20-message transcript',
        baseline: first.small,
        goal: '≤ 100 ms',
        met: earlier <= 100,
      }),
    );
    return out;
  } finally {
    await server.stop();
    fs.rmSync(home, { recursive: true, force: true });
  }
}
