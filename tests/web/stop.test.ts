/**
 * Stop from the workspace page, with real parts: a Temporal dev server process, the real worker
 * process, `next start` (production build) on the same SQLite file, and Chromium.
 *
 * - An Anthropic-runner turn streaming slowly from the loopback Messages API: the Stop button
 *   shows while it runs; clicking it aborts the model call through the workflow; the page returns
 *   to idle with the stored rows kept and no streaming tail left; a follow-up then runs.
 * - A plan-mode (script runner) plan session that sleeps: Stop ends it the same way.
 * - The plan card of a plan that finished.
 * Screenshots (streaming mid-stream, Stop, the plan card) go to docs/screenshots/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentConfig } from '../../core/agent.js';
import { workflowIds } from '../../core/ids.js';
import type { Db } from '../../db/client.js';
import { getSession } from '../../db/queries/agent-sessions.js';
import { agentMessages, workspaces } from '../../db/schema.js';
import { stateQuery } from '../../workflows/messages.js';
import { startFakeAnthropic, type FakeAnthropic } from '../support/fake-anthropic.js';
import { makeRepo, type TestRepo } from '../support/git.js';
import { freePort } from '../support/ports.js';
import { startDevServerProcess, type DevServerProcess } from '../support/temporal.js';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process.js';
import { addProject, eventKinds, input, makeHome, specFor, waitFor } from '../support/workspace-harness.js';
import {
  ensureConsoleBuilt,
  launchChromium,
  newPage,
  startConsole,
  type ConsoleServer,
} from '../support/console-harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHOTS = path.join(ROOT, 'docs', 'screenshots');
const taskQueue = `stop-console-${process.pid}`;
const LONG_ANSWER = `## Working through it\n\nFirst I read the code, ${'then I think about it some more, '.repeat(200)}`;
const PLAN = [
  '## Plan',
  '',
  '1. Read `src/greet.ts` and its tests.',
  '2. Add a `greet(name)` function that trims the name.',
  '3. Cover it with a table test.',
  '',
  '```ts',
  'export const greet = (name: string) => `Hello, ${name.trim()}!`;',
  '```',
].join('\n');

let server: DevServerProcess;
let connection: Connection;
let client: Client;
let db: Db;
let home: string;
let fake: FakeAnthropic;
let web: ConsoleServer;
let browser: Browser;
let worker: WorkerProcess | null = null;
const repos: TestRepo[] = [];

beforeAll(async () => {
  ensureConsoleBuilt();
  fs.mkdirSync(SHOTS, { recursive: true });
  ({ db, home } = makeHome('ratchet-stop-web-'));
  fake = await startFakeAnthropic([
    // Workspace 1, turn 1: ~60 s of streaming, stopped in the middle.
    { type: 'reply', text: LONG_ANSWER, chunkSize: 8, chunkDelayMs: 100 },
    // Workspace 1, the follow-up.
    {
      type: 'reply',
      text: 'Follow-up done after the stop.',
      usage: { input_tokens: 300, output_tokens: 12 },
    },
  ]);
  server = await startDevServerProcess({ dbFile: path.join(home, 'temporal.db'), port: await freePort() });
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
  worker = await startWorkerProcess({
    RATCHET_HOME: home,
    TEMPORAL_ADDRESS: server.address,
    RATCHET_TASK_QUEUE: taskQueue,
    RATCHET_LOG_LEVEL: 'warn',
    ANTHROPIC_API_KEY: 'sk-ant-test-key',
    ANTHROPIC_BASE_URL: fake.url,
  });
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
  await worker?.kill();
  await connection?.close();
  await server?.stop();
  await fake?.close();
  db?.$client.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
  for (const r of repos) fs.rmSync(r.root, { recursive: true, force: true });
});

async function startWorkspace(title: string, agent: Partial<AgentConfig>, prompt = 'Say something') {
  const repo = makeRepo({ prefix: 'ratchet-stop-repo-' });
  repos.push(repo);
  const spec = specFor(repo, addProject(db, repo), { title, prompt, agent });
  const handle = await client.workflow.start('workspaceWorkflow', {
    workflowId: workflowIds.workspace(spec.workspaceId),
    taskQueue,
    args: [input(spec, { heartbeatTimeoutMs: 20_000 })],
  });
  await waitFor(
    'the workspace row',
    () => db.select().from(workspaces).where(eq(workspaces.id, spec.workspaceId)).get(),
    60_000,
  );
  const rows = (sessionId: string) =>
    db
      .select()
      .from(agentMessages)
      .where(eq(agentMessages.sessionId, sessionId))
      .orderBy(agentMessages.seq)
      .all();
  return { spec, handle, rows };
}

const text = async (page: Page, testId: string) =>
  (await page.getByTestId(testId).allTextContents()).join('\n');
const statusOf = (workspaceId: string) =>
  db.select().from(workspaces).where(eq(workspaces.id, workspaceId)).get()?.status;

describe('Stop on the workspace page', () => {
  it('stops a streaming model turn from the page: idle again, the stored rows kept, no tail left, and a follow-up runs', async () => {
    const { spec, handle, rows } = await startWorkspace('Stop a streaming turn', {
      runner: 'anthropic',
      model: 'claude-sonnet-4-6',
    });
    const sessionId = `${spec.workspaceId}-t1-implement`;
    const page = await newPage(browser);
    try {
      await page.goto(`${web.base}/workspaces/${spec.workspaceId}`);
      await waitFor(
        'streamed text',
        async () => (await text(page, 'live-tail')).includes('then I think'),
        60_000,
        50,
      );
      const stop = page.getByTestId('stop-turn').getByRole('button');
      await stop.waitFor({ timeout: 30_000 });
      expect(await stop.textContent()).toBe('Stop');
      await page.screenshot({ path: path.join(SHOTS, 'workspace-streaming.png'), fullPage: true });
      const storedBefore = rows(sessionId).map((r) => r.seq);
      expect(storedBefore.length).toBeGreaterThan(0);

      const started = Date.now();
      await stop.click();
      await waitFor(
        'the Stopping state',
        async () => (await stop.textContent()) === 'Stopping…',
        10_000,
        20,
      ).catch(
        () => undefined, // the stop may already be through: the idle checks below decide
      );
      await page.screenshot({ path: path.join(SHOTS, 'workspace-stop.png'), fullPage: true });
      await waitFor('the row to be idle', () => statusOf(spec.workspaceId) === 'idle', 30_000, 50);
      await waitFor(
        'the page to show idle without a Stop button',
        async () =>
          (await page.getByTestId('ws-status').textContent()) === 'idle' &&
          (await page.getByTestId('stop-turn').count()) === 0,
        30_000,
        50,
      );
      console.log(`[stop] click → page idle: ${Date.now() - started} ms`);
      // The model call was aborted: the fake never finished that reply, no assistant row exists.
      expect(rows(sessionId).filter((r) => r.role === 'assistant')).toHaveLength(0);
      await waitFor(
        'the tail to go',
        async () => (await page.getByTestId('live-tail').count()) === 0,
        10_000,
        50,
      );
      // What was stored stays: the same rows, and the prompt still on the page.
      expect(
        rows(sessionId)
          .map((r) => r.seq)
          .slice(0, storedBefore.length),
      ).toEqual(storedBefore);
      expect(await page.getByTestId('transcript').textContent()).toContain('Say something');
      expect(getSession({ db, id: sessionId })).toMatchObject({ status: 'cancelled' });
      expect(eventKinds(db, spec.workspaceId)).toContain('agent.stopped');
      await waitFor(
        'the stop in the timeline',
        async () => (await page.getByTestId('timeline').textContent())?.includes('agent.stopped'),
        10_000,
        50,
      );

      // A follow-up from the page runs the next turn.
      await page.getByPlaceholder('Send a follow-up to the agent…').fill('Carry on, briefly');
      await page.getByRole('button', { name: 'Send' }).click();
      await waitFor(
        'the follow-up answer',
        async () =>
          (await page.getByTestId('transcript').textContent())?.includes('Follow-up done after the stop.'),
        90_000,
        100,
      );
      await waitFor(
        'turn 2 counted',
        async () => (await handle.query(stateQuery)).turnsDone === 2,
        60_000,
        100,
      );
      expect(getSession({ db, id: `${spec.workspaceId}-t2-followup` })).toMatchObject({
        status: 'completed',
      });
      expect(fake.requests).toHaveLength(2);

      // Stop with nothing running: 409 and the reason.
      const res = await fetch(`${web.base}/api/workspaces/${spec.workspaceId}/stop`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(409);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
        /Nothing to stop: no agent turn is running/,
      );
      const bad = await fetch(`${web.base}/api/workspaces/${spec.workspaceId}/stop`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 42 }),
      });
      expect(bad.status).toBe(422);
      expect(JSON.stringify(await bad.json())).toContain('reason');
    } finally {
      await page.close();
    }
  }, 300_000);

  it('stops a sleeping plan session, and shows the plan card of a plan that finished', async () => {
    const sleeping = await startWorkspace('Stop a plan', {
      runner: 'script',
      mode: 'plan',
      script: [
        [
          { op: 'say', text: 'Planning slowly.' },
          { op: 'sleep', ms: 600_000 },
        ],
      ],
    });
    const page = await newPage(browser);
    try {
      await page.goto(`${web.base}/workspaces/${sleeping.spec.workspaceId}`);
      const stop = page.getByTestId('stop-turn').getByRole('button');
      await stop.waitFor({ timeout: 60_000 });
      const planSession = `${sleeping.spec.workspaceId}-t1-plan`;
      await waitFor(
        'the plan session to sleep',
        () => sleeping.rows(planSession).some((r) => r.role === 'tool_call' && r.toolName === 'sleep'),
        60_000,
      );
      await stop.click();
      await waitFor(
        'the page to show idle',
        async () =>
          (await page.getByTestId('ws-status').textContent()) === 'idle' &&
          (await page.getByTestId('stop-turn').count()) === 0,
        30_000,
        50,
      );
      expect(getSession({ db, id: planSession })).toMatchObject({ status: 'cancelled' });
      expect(eventKinds(db, sleeping.spec.workspaceId)).toContain('agent.stopped');
      expect(eventKinds(db, sleeping.spec.workspaceId)).not.toContain('status.awaiting_plan_approval');

      const planned = await startWorkspace('Plan a greeting', {
        runner: 'script',
        mode: 'plan',
        script: [[{ op: 'say', text: PLAN }]],
      });
      await waitFor(
        'the plan to wait for an answer',
        () => statusOf(planned.spec.workspaceId) === 'awaiting_plan_approval',
        90_000,
        100,
      ).catch((err: unknown) => {
        throw new Error(
          `${String(err)}; status ${statusOf(planned.spec.workspaceId)}; events ${eventKinds(db, planned.spec.workspaceId).join(', ')}`,
        );
      });
      await page.goto(`${web.base}/workspaces/${planned.spec.workspaceId}`);
      await page.getByRole('button', { name: 'Approve plan' }).waitFor({ timeout: 60_000 });
      await waitFor(
        'the plan rendered',
        async () => (await page.getByTestId('transcript').locator('ol li').count()) >= 3,
        30_000,
        50,
      );
      await page.screenshot({ path: path.join(SHOTS, 'workspace-plan.png'), fullPage: true });
      expect(await page.getByTestId('stop-turn').count()).toBe(0);
    } finally {
      await page.close();
    }
  }, 300_000);
});
