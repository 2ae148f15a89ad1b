/**
 * Stream delay: a runner's delta (written through the same live sink the agent activity uses) →
 * an SSE client of `next start` (production build) has it, with 50 clients following one busy
 * workspace (a delta every 20 ms for 8 s). Baseline in the same run: one client. Clients are
 * Node fetch streams reading the same `text/event-stream` an EventSource reads.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLiveSink } from '../activities/agents/live.js';
import { openDb } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { agentSessions, projects, workspaces } from '../db/schema.js';
import { ensureConsoleBuilt, startConsole } from '../tests/support/console-harness.js';
import { figure, type Figure } from './figure.js';

const DELTA_EVERY_MS = 20;
const RUN_MS = 8000;

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))] ?? NaN;
}

/** Follows the workspace's SSE stream; records, per delta marker, when it arrived. */
function follow(url: string, seen: Map<number, number>, ready: () => void): AbortController {
  const controller = new AbortController();
  void (async () => {
    const res = await fetch(url, { signal: controller.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      const now = performance.timeOrigin + performance.now();
      buf += decoder.decode(value, { stream: true });
      const frames = buf.split('\n\n');
      buf = frames.pop() ?? '';
      for (const frame of frames) {
        if (!frame.includes('event: batch')) continue;
        ready();
        const data = /^data: (.+)$/m.exec(frame)?.[1];
        if (!data) continue;
        for (const d of (JSON.parse(data) as { deltas: Array<{ data: { text?: string } }> }).deltas) {
          const n = Number(/#(\d+);/.exec(d.data.text ?? '')?.[1]);
          if (Number.isFinite(n) && !seen.has(n)) seen.set(n, now);
        }
      }
    }
  })().catch(() => undefined);
  return controller;
}

async function measure(base: string, dbFile: string, workspaceId: string, clients: number): Promise<number> {
  const db = openDb(dbFile);
  const sessionId = `${workspaceId}-s${clients}`;
  db.insert(agentSessions)
    .values({ id: sessionId, workspaceId, purpose: 'implement', runner: 'anthropic', status: 'running' })
    .run();
  const maps = Array.from({ length: clients }, () => new Map<number, number>());
  let connected = 0;
  const followers = maps.map((m) => {
    let counted = false;
    return follow(`${base}/api/workspaces/${workspaceId}/live`, m, () => {
      if (!counted) connected += 1;
      counted = true;
    });
  });
  const deadline = Date.now() + 30_000;
  while (connected < clients) {
    if (Date.now() > deadline) throw new Error(`only ${connected}/${clients} SSE clients connected`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const sink = createLiveSink({ db, workspaceId, sessionId, attempt: 1 });
  const stream = sink.begin();
  const sent = new Map<number, number>();
  const start = Date.now();
  for (let n = 0; Date.now() - start < RUN_MS; n++) {
    sent.set(n, performance.timeOrigin + performance.now());
    sink.emit(stream, { kind: 'text', text: `#${n}; some streamed words ` });
    await new Promise((r) => setTimeout(r, DELTA_EVERY_MS));
  }
  sink.end(stream);
  sink.flush();
  await new Promise((r) => setTimeout(r, 1000));
  for (const f of followers) f.abort();
  db.$client.close();
  const delays: number[] = [];
  for (const m of maps)
    for (const [n, t0] of sent) {
      const t1 = m.get(n);
      if (t1 === undefined) throw new Error(`a client never received delta #${n}`);
      delays.push(t1 - t0);
    }
  return Math.round(p95(delays));
}

export async function benchLiveStream(): Promise<Figure[]> {
  ensureConsoleBuilt();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-bench-live-'));
  const dbFile = path.join(home, 'ratchet.db');
  migrateDatabase(dbFile);
  const db = openDb(dbFile);
  db.insert(projects).values({ id: 'p1', name: 'bench', repoPath: home }).run();
  db.insert(workspaces)
    .values({
      id: 'ws-live-bench',
      projectId: 'p1',
      title: 'bench',
      prompt: 'bench',
      branch: 'ratchet/bench',
      baseBranch: 'main',
      worktreePath: home,
      status: 'running_agent',
      agentConfig: { runner: 'anthropic', mode: 'agent', maxTurns: 10 },
      workflowId: 'workspace/ws-live-bench',
    })
    .run();
  db.$client.close();
  const server = await startConsole({ RATCHET_HOME: home }, { readyPath: '/api/projects' });
  try {
    const one = await measure(server.base, dbFile, 'ws-live-bench', 1);
    const fifty = await measure(server.base, dbFile, 'ws-live-bench', 50);
    return [
      figure({
        name: `Stream delay, runner delta → SSE client, p95 (50 clients on one workspace, a delta every ${DELTA_EVERY_MS} ms for ${RUN_MS / 1000} s)`,
        value: fifty,
        unit: 'ms',
        baselineName: 'the same with 1 client',
        baseline: one,
        goal: '≤ 250 ms',
        met: fifty <= 250,
      }),
    ];
  } finally {
    await server.stop();
    fs.rmSync(home, { recursive: true, force: true });
  }
}
