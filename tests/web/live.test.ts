/**
 * The workspace page live, with real parts throughout: a Temporal dev server process, the real
 * worker process (so it can be SIGKILLed) running the Anthropic runner against a loopback Messages
 * API that streams slowly, `next start` (production build) on the same SQLite file, and Chromium.
 *
 * - Text shows in the page while its message is still streaming (no assistant row stored yet).
 * - A reload mid-stream shows the stored rows and picks the unfinished tail up again.
 * - Markdown renders; a <script>, an <img onerror> and a javascript: link in model text are inert.
 * - Per-message cost and Spend equal the stored rows.
 * - A worker SIGKILL mid-stream: the partial tail goes when the reset row lands, and the retried
 *   answer shows once.
 * - The SSE route resumes from Last-Event-ID without repeating rows.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIds } from '../../core/ids.js';
import type { Db } from '../../db/client.js';
import { agentMessages, agentSessions, workspaces } from '../../db/schema.js';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';
import { makeRepo, type TestRepo } from '../support/git.js';
import { freePort } from '../support/ports.js';
import { startDevServerProcess, type DevServerProcess } from '../support/temporal.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { addProject, input, makeHome, specFor, waitFor } from '../support/workspace-harness.js';
import {
  ensureConsoleBuilt,
  launchChromium,
  newPage,
  startConsole,
  type ConsoleServer,
} from '../support/console-harness.js';

const taskQueue = `live-console-${process.pid}`;

const MARKDOWN_ANSWER = [
  '# Streaming begins',
  '',
  'Here is **bold text** and a list:',
  '',
  '- first item',
  '- second item',
  '',
  '```ts',
  'const answer: number = 42;',
  '```',
  '',
  '<script>window.__pwned = 1</script>',
  '',
  '<img src="x" onerror="window.__pwned = 2">',
  '',
  '[a bad link](javascript:window.__pwned=3)',
  '',
  'The end of the streamed answer.',
].join('\n');

const PARTIAL_ANSWER = `Partial words that will never finish ${'and more '.repeat(40)}`;

let server: DevServerProcess;
let connection: Connection;
let client: Client;
let db: Db;
let home: string;
let fake: FakeAnthropic;
let web: ConsoleServer;
let browser: Browser;
const workers: WorkerProcess[] = [];
const repos: TestRepo[] = [];

async function newWorker(): Promise<WorkerProcess> {
  const w = await startWorkerProcess({
    RATCHET_HOME: home,
    TEMPORAL_ADDRESS: server.address,
    RATCHET_TASK_QUEUE: taskQueue,
    RATCHET_LOG_LEVEL: 'warn',
    ANTHROPIC_API_KEY: 'sk-ant-test-key',
    ANTHROPIC_BASE_URL: fake.url,
  });
  workers.push(w);
  return w;
}

beforeAll(async () => {
  ensureConsoleBuilt();
  ({ db, home } = makeHome('ratchet-live-'));
  fake = await startFakeAnthropic([
    // Workspace 1: a Markdown answer streamed over ~6 s.
    {
      type: 'reply',
      text: MARKDOWN_ANSWER,
      chunkSize: 6,
      chunkDelayMs: 120,
      usage: {
        input_tokens: 1234,
        output_tokens: 321,
        cache_read_input_tokens: 50,
        cache_creation_input_tokens: 10,
      },
    },
    // Workspace 2: attempt 1 streams slowly and the worker is killed in the middle.
    { type: 'reply', text: PARTIAL_ANSWER, chunkSize: 5, chunkDelayMs: 150 },
    // Workspace 2, attempt 2.
    { type: 'reply', text: 'Retried answer, complete.', usage: { input_tokens: 900, output_tokens: 40 } },
    // Workspace 3: a tool call that takes a while, then the answer.
    {
      type: 'reply',
      text: 'Running a slow command.',
      toolCalls: [
        {
          id: 'toolu_slow',
          name: 'run_command',
          input: { command: 'sleep 2; echo tool-said-hello; exit 3' },
        },
      ],
    },
    { type: 'reply', text: 'The command failed with 3.' },
  ]);
  server = await startDevServerProcess({ dbFile: path.join(home, 'temporal.db'), port: await freePort() });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
  await newWorker();
  web = await startConsole({
    RATCHET_HOME: home,
    TEMPORAL_ADDRESS: server.address,
    RATCHET_TASK_QUEUE: taskQueue,
  });
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await web?.stop();
  for (const w of workers) await w.kill();
  await connection?.close();
  await server?.stop();
  await fake?.close();
  db?.$client.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
  for (const r of repos) fs.rmSync(r.root, { recursive: true, force: true });
});

async function startWorkspace(title: string) {
  const repo = makeRepo({ prefix: 'ratchet-live-repo-' });
  repos.push(repo);
  const spec = specFor(repo, addProject(db, repo), {
    title,
    prompt: 'Say something',
    agent: { runner: 'anthropic', model: 'claude-sonnet-4-6' },
  });
  const handle = await client.workflow.start('workspaceWorkflow', {
    workflowId: workflowIds.workspace(spec.workspaceId),
    taskQueue,
    args: [input(spec, { heartbeatTimeoutMs: 3000 })],
  });
  await waitFor(
    'the workspace row',
    () => db.select().from(workspaces).where(eq(workspaces.id, spec.workspaceId)).get(),
    60_000,
  );
  const sessionId = `${spec.workspaceId}-t1-implement`;
  const rows = () =>
    db
      .select()
      .from(agentMessages)
      .where(eq(agentMessages.sessionId, sessionId))
      .orderBy(agentMessages.seq)
      .all();
  return { spec, handle, sessionId, rows };
}

const text = async (page: Page, testId: string) =>
  ((await page.getByTestId(testId).allTextContents()) ?? []).join('\n');

describe('workspace page, live', () => {
  it('streams text before the message completes, survives a reload mid-stream, renders Markdown inertly, and shows costs equal to the rows', async () => {
    const { spec, rows, sessionId } = await startWorkspace('Live markdown');
    const page = await newPage(browser);
    try {
      await page.goto(`${web.base}/workspaces/${spec.workspaceId}`);
      // The first words are on the page while no assistant row exists yet.
      await waitFor(
        'streamed text in the tail',
        async () => (await text(page, 'live-tail')).includes('Streaming begins'),
        30_000,
        50,
      );
      expect(rows().filter((r) => r.role === 'assistant')).toHaveLength(0);
      expect(await page.getByTestId('msg-assistant').count()).toBe(0);

      // A reload mid-stream: the stored user row, and the tail again from its start, still growing.
      await waitFor(
        'the list to stream',
        async () => (await text(page, 'live-tail')).includes('first item'),
        30_000,
        50,
      );
      await page.reload();
      await waitFor(
        'the tail after reload',
        async () => (await text(page, 'live-tail')).includes('Streaming begins'),
        30_000,
        50,
      );
      expect(rows().filter((r) => r.role === 'assistant')).toHaveLength(0);
      expect(await page.getByTestId('transcript').textContent()).toContain('Say something');
      const before = (await text(page, 'live-tail')).length;
      await waitFor(
        'the tail to grow after reload',
        async () => (await text(page, 'live-tail')).length > before,
        10_000,
        50,
      );

      // The stored message replaces the tail: shown once, as Markdown.
      await waitFor('the stored answer', () => rows().some((r) => r.role === 'assistant'), 60_000);
      await waitFor(
        'the answer on the page',
        async () => (await page.getByTestId('msg-assistant').count()) === 1,
        10_000,
        50,
      );
      await waitFor(
        'the tail to go',
        async () => (await page.getByTestId('live-tail').count()) === 0,
        10_000,
        50,
      );
      const answer = page.getByTestId('msg-assistant');
      expect(await answer.locator('h1').textContent()).toBe('Streaming begins');
      expect(await answer.locator('strong').textContent()).toBe('bold text');
      expect(await answer.locator('li').allTextContents()).toEqual(['first item', 'second item']);
      expect(await page.getByTestId('transcript').textContent()).toContain('The end of the streamed answer.');
      // Highlighted by shiki (coloured spans), and the code is text.
      await waitFor(
        'highlighted code',
        async () => (await answer.locator('.code-block.highlighted span[style]').count()) > 0,
        15_000,
        100,
      );
      expect(await answer.locator('.code-block').textContent()).toContain('const answer: number = 42;');
      // Untrusted HTML is inert: no script or img element, no handler ran, the link is defused.
      expect(await page.locator('[data-testid="transcript"] script').count()).toBe(0);
      expect(await page.locator('[data-testid="transcript"] img').count()).toBe(0);
      expect(await page.locator('[data-testid="transcript"] [onerror]').count()).toBe(0);
      const hrefs = await answer.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      expect(hrefs.every((h) => h === null || !h.toLowerCase().startsWith('javascript:'))).toBe(true);
      await page.waitForTimeout(300);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

      // Costs: the message's figures and the header's Spend equal the stored rows.
      const stored = rows().find((r) => r.role === 'assistant')!;
      expect(stored.costUsd).toBeGreaterThan(0);
      const cost = page.getByTestId('msg-cost');
      expect(Number(await cost.getAttribute('data-usd'))).toBeCloseTo(stored.costUsd, 10);
      expect(await answer.getByTestId('msg-model').textContent()).toBe('claude-sonnet-4-6');
      expect(await answer.getByTestId('msg-tokens').textContent()).toBe(
        'in 1,234 · out 321 · cache 50 read / 10 write',
      );
      const session = db.select().from(agentSessions).where(eq(agentSessions.id, sessionId)).get()!;
      await waitFor(
        'Spend to show the stored total',
        async () =>
          Math.abs(Number(await page.getByTestId('spend').getAttribute('data-usd')) - session.costUsd) < 1e-9,
        10_000,
        100,
      );
      expect(session.costUsd).toBeCloseTo(stored.costUsd, 10);
      expect(Number(await page.getByTestId('session-cost').getAttribute('data-usd'))).toBeCloseTo(
        session.costUsd,
        10,
      );
      // Under a cent the figure shows four decimals (so a cheap turn does not read $0.00).
      expect(await page.getByTestId('spend').textContent()).toMatch(
        new RegExp(`^\\$${session.costUsd.toFixed(4).replace('.', '\\.')} · 1 session · today`),
      );
    } finally {
      await page.close();
    }
  }, 240_000);

  it('resumes the SSE stream from Last-Event-ID without repeating stored rows', async () => {
    const ws = db.select().from(workspaces).where(eq(workspaces.title, 'Live markdown')).get()!;
    const first = await readFirstFrame(`${web.base}/api/workspaces/${ws.id}/live?m=0&e=0`);
    expect(first.batch.messages.map((m) => m.role)).toEqual(expect.arrayContaining(['user', 'assistant']));
    const again = await readFirstFrame(`${web.base}/api/workspaces/${ws.id}/live`, first.id);
    expect(again.batch.messages).toEqual([]);
    expect(again.batch.events).toEqual([]);
    const bad = await fetch(`${web.base}/api/workspaces/${ws.id}/live?m=-1`);
    expect(bad.status).toBe(422);
    await bad.body?.cancel();
  }, 60_000);

  it('drops the partial stream of a worker killed mid-stream and shows the retried answer once', async () => {
    const { spec, rows, handle } = await startWorkspace('Live kill');
    const page = await newPage(browser);
    try {
      await page.goto(`${web.base}/workspaces/${spec.workspaceId}`);
      await waitFor(
        'the partial tail',
        async () => (await text(page, 'live-tail')).includes('Partial words'),
        60_000,
        50,
      );
      await workers.at(-1)!.kill();
      // The dead attempt's tail stays until the retry's reset row says it is gone.
      expect(await text(page, 'live-tail')).toContain('Partial words');
      await newWorker();
      await waitFor(
        'the reset marker',
        async () => (await page.getByTestId('msg-reset').count()) === 1,
        60_000,
        100,
      );
      await waitFor(
        'the retried answer',
        async () =>
          (await page.getByTestId('msg-assistant').allTextContents())
            .join('')
            .includes('Retried answer, complete.'),
        60_000,
        100,
      );
      expect(await page.getByTestId('live-tail').count()).toBe(0);
      const transcript = (await page.getByTestId('transcript').textContent()) ?? '';
      expect(transcript).not.toContain('Partial words');
      expect(transcript.split('Retried answer, complete.')).toHaveLength(2);
      expect(rows().map((r) => r.role)).toEqual(['user', 'reset', 'assistant']);
      // A reload shows the same: stored rows only, the dead stream not replayed.
      await page.reload();
      await waitFor(
        'the answer after reload',
        async () => (await page.getByTestId('msg-assistant').count()) === 1,
        15_000,
        100,
      );
      await page.waitForTimeout(500);
      expect(await page.getByTestId('live-tail').count()).toBe(0);
      expect(await page.getByTestId('transcript').textContent()).not.toContain('Partial words');
      await handle.terminate('test over');
    } finally {
      await page.close();
    }
  }, 240_000);

  it('shows a running tool in the tail, then a card with its arguments, result, duration and exit code', async () => {
    const { spec, rows, handle } = await startWorkspace('Live tool');
    const page = await newPage(browser);
    try {
      await page.goto(`${web.base}/workspaces/${spec.workspaceId}`);
      await waitFor(
        'the running tool in the tail',
        async () => (await text(page, 'tail-tool')).includes('run_command running'),
        60_000,
        50,
      );
      expect(rows().some((r) => r.role === 'tool_result')).toBe(false);
      await waitFor(
        'the final answer',
        async () =>
          (await page.getByTestId('msg-assistant').allTextContents())
            .join('')
            .includes('The command failed with 3.'),
        60_000,
        100,
      );
      expect(await page.getByTestId('live-tail').count()).toBe(0);
      const card = page.getByTestId('tool-card');
      expect(await card.count()).toBe(1);
      expect(await card.getAttribute('open')).toBeNull();
      expect(await card.locator('summary').textContent()).toContain('sleep 2; echo tool-said-hello; exit 3');
      expect(await card.getByTestId('tool-exit').textContent()).toBe('exit 3');
      const call = rows().find((r) => r.role === 'tool_call')!;
      const result = rows().find((r) => r.role === 'tool_result')!;
      const seconds = (result.createdAt - call.createdAt) / 1000;
      expect(seconds).toBeGreaterThanOrEqual(2);
      expect(await card.getByTestId('tool-duration').textContent()).toBe(`${seconds.toFixed(1)} s`);
      const output = card.locator('.folded pre');
      expect(await output.isVisible()).toBe(false);
      await card.locator('summary').click();
      expect(await output.isVisible()).toBe(true);
      expect(await output.textContent()).toMatch(/^exit code 3 \(\d+\.\ds\)\ntool-said-hello$/);
      expect(await card.locator('.code-block').first().textContent()).toContain(
        '"command": "sleep 2; echo tool-said-hello; exit 3"',
      );
      await page.screenshot({ path: '/tmp/ratchet-live-tool-card.png', fullPage: true });
      await handle.terminate('test over');
    } finally {
      await page.close();
    }
  }, 240_000);

  it('re-renders the board when a workspace row changes, without polling or a reload', async () => {
    const ws = db.select().from(workspaces).where(eq(workspaces.title, 'Live tool')).get()!;
    const page = await newPage(browser);
    try {
      const requests: string[] = [];
      page.on('request', (r) => requests.push(new URL(r.url()).pathname));
      await page.goto(web.base);
      await waitFor(
        'the card',
        async () => (await page.locator('section[aria-label="Board"]').textContent())?.includes('Live tool'),
        15_000,
        100,
      );
      // Quiet: after the page settles, nothing is fetched while nothing changes.
      await page.waitForTimeout(1500);
      const settled = requests.length;
      await page.waitForTimeout(2500);
      expect(requests.slice(settled)).toEqual([]);
      db.update(workspaces)
        .set({ title: 'Live tool, renamed', updatedAt: Date.now() })
        .where(eq(workspaces.id, ws.id))
        .run();
      await waitFor(
        'the renamed card',
        async () =>
          (await page.locator('section[aria-label="Board"]').textContent())?.includes('Live tool, renamed'),
        10_000,
        100,
      );
      expect(requests).toContain('/api/board/live');
    } finally {
      await page.close();
    }
  }, 60_000);

  it('works behind the token check: the page opened with ?token= gets its live channel by cookie, and no token gets 401', async () => {
    const ws = db.select().from(workspaces).where(eq(workspaces.title, 'Live markdown')).get()!;
    const guarded = await startConsole(
      {
        RATCHET_HOME: home,
        TEMPORAL_ADDRESS: server.address,
        RATCHET_TASK_QUEUE: taskQueue,
        RATCHET_AUTH: 'token',
      },
      { readyPath: '/api/projects', ready: (res) => res.status === 401 },
    );
    const page = await newPage(browser);
    try {
      const token = fs.readFileSync(path.join(home, 'auth-token'), 'utf8').trim();
      const bare = await fetch(`${guarded.base}/api/workspaces/${ws.id}/live`);
      expect(bare.status).toBe(401);
      await bare.body?.cancel();
      await page.goto(`${guarded.base}/workspaces/${ws.id}?token=${encodeURIComponent(token)}`);
      expect(new URL(page.url()).searchParams.has('token')).toBe(false);
      await waitFor(
        'the live channel',
        async () => (await page.getByTestId('live').getAttribute('data-connected')) === 'true',
        15_000,
        100,
      );
      await waitFor(
        'the stored answer',
        async () => (await page.getByTestId('msg-assistant').count()) === 1,
        15_000,
        100,
      );
      expect(await page.getByTestId('msg-assistant').locator('h1').textContent()).toBe('Streaming begins');
    } finally {
      await page.close();
      await guarded.stop();
    }
  }, 120_000);
});

interface Frame {
  id: string;
  batch: { messages: Array<{ role: string }>; events: unknown[]; deltas: unknown[] };
}

/** Reads the SSE response up to its first `batch` frame, then closes it. */
async function readFirstFrame(url: string, lastEventId?: string): Promise<Frame> {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: lastEventId ? { 'last-event-id': lastEventId } : {},
    signal: controller.signal,
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended before a batch: ${buf}`);
      buf += decoder.decode(value, { stream: true });
      // Only complete frames (the last piece may still be arriving).
      for (const frame of buf.split('\n\n').slice(0, -1)) {
        if (!frame.includes('event: batch')) continue;
        const id = /^id: (.+)$/m.exec(frame)?.[1];
        const data = /^data: (.+)$/m.exec(frame)?.[1];
        if (id && data) return { id, batch: JSON.parse(data) as Frame['batch'] };
      }
    }
  } finally {
    controller.abort();
  }
}
