/**
 * The workspace page and its messages API at a 2,000-message transcript, against `next start`
 * (production build) on a real SQLite file: p95 of 60 sequential requests each, after 5 warm-ups.
 * Baseline in the same run: the same requests for a 20-message transcript. The page renders the
 * header and cards on the server; the transcript arrives through the messages API (500 rows a
 * page) and the live channel, so both the page and each API page are measured.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { appendMessages } from '../db/queries/agent-messages.js';
import { agentSessions, projects, workspaces } from '../db/schema.js';
import { ensureConsoleBuilt, startConsole } from '../tests/web/console-harness.js';
import { figure, type Figure } from './figure.js';

const RUNS = 60;

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.95))] ?? NaN;
}

function seed(dbFile: string, home: string, id: string, messages: number): void {
  const db = openDb(dbFile);
  db.insert(workspaces)
    .values({
      id,
      projectId: 'p1',
      title: `bench ${messages}`,
      prompt: 'bench',
      branch: `ratchet/${id}`,
      baseBranch: 'main',
      worktreePath: home,
      status: 'idle',
      agentConfig: { runner: 'anthropic', mode: 'agent', maxTurns: 10 },
      workflowId: `workspace/${id}`,
    })
    .run();
  // Sessions of 100 messages each: a user prompt, then assistant text, tool calls and results.
  for (let s = 0; s * 100 < messages; s++) {
    const sessionId = `${id}-t${s + 1}-followup`;
    db.insert(agentSessions)
      .values({
        id: sessionId,
        workspaceId: id,
        purpose: 'followup',
        runner: 'anthropic',
        status: 'completed',
      })
      .run();
    const n = Math.min(100, messages - s * 100);
    appendMessages({
      db,
      sessionId,
      rows: Array.from({ length: n }, (_, i) => {
        const role = i === 0 ? 'user' : ['assistant', 'tool_call', 'tool_result'][i % 3]!;
        return {
          role,
          content:
            role === 'tool_call'
              ? { input: { command: `grep -rn thing src/${i}` } }
              : role === 'tool_result'
                ? { ok: true, output: `src/file${i}.ts:${i}: a matching line\n`.repeat(8) }
                : {
                    text: `Message ${i} of session ${s}: **some Markdown** and \`code\`, ${'words '.repeat(40)}`,
                  },
          toolCallId: role.startsWith('tool') ? `call_${s}_${i - (role === 'tool_result' ? 1 : 0)}` : null,
          toolName: role.startsWith('tool') ? 'run_command' : null,
          provider: 'anthropic',
          model: 'claude-sonnet-4-6',
          inputTokens: role === 'assistant' ? 1000 : 0,
          outputTokens: role === 'assistant' ? 50 : 0,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          costUsd: role === 'assistant' ? 0.00375 : 0,
        };
      }),
    });
  }
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

/** The messages API read whole, page by page (what a client catching up reads); the slowest page's p95. */
async function lastPageAfter(base: string, id: string): Promise<number> {
  let after = 0;
  for (;;) {
    const res = await fetch(`${base}/api/workspaces/${id}/messages?after=${after}`);
    const body = (await res.json()) as { messages: unknown[]; cursor: number };
    if (body.messages.length < 500) return after;
    after = body.cursor;
  }
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
    const first = {
      small: await timeRequests(`${server.base}/api/workspaces/ws-page-20/messages?after=0`),
      big: await timeRequests(`${server.base}/api/workspaces/ws-page-2000/messages?after=0`),
    };
    out.push(
      figure({
        name: 'Messages API, first page (500 rows), 2,000-message transcript, p95 of 60',
        value: first.big,
        unit: 'ms',
        baselineName: 'the whole 20-message transcript',
        baseline: first.small,
        goal: '≤ 100 ms',
        met: first.big <= 100,
      }),
    );
    const tail = await lastPageAfter(server.base, 'ws-page-2000');
    const last = await timeRequests(`${server.base}/api/workspaces/ws-page-2000/messages?after=${tail}`);
    out.push(
      figure({
        name: 'Messages API, last page (after the 1,500th row), 2,000-message transcript, p95 of 60',
        value: last,
        unit: 'ms',
        baselineName: 'the whole 20-message transcript',
        baseline: first.small,
        goal: '≤ 100 ms',
        met: last <= 100,
      }),
    );
    return out;
  } finally {
    await server.stop();
    fs.rmSync(home, { recursive: true, force: true });
  }
}
