/**
 * Steering the ratchet loop from the console, with real parts throughout: a Temporal dev server,
 * an in-process worker with the real activities (worker/activities.ts: the script runner in a
 * real git worktree, Octokit against the loopback fake GitHub, the real SQLite read model), the
 * real `ratchetWorkflow` and fixers, `next start` on the same SQLite file, and Chromium.
 *
 * Each loop gets a PR whose CI fails and `maxAttemptsPerKey: 1`, so one fixer that changes
 * nothing (or asks a question) brings it to `stalled` (or `awaiting_human`) within seconds.
 */
import fs from 'node:fs';
import { eq } from 'drizzle-orm';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScriptStep } from '../../core/agent.js';
import { workflowIds } from '../../core/ids.js';
import { createGithubClient } from '../../activities/github/index.js';
import type { Db } from '../../db/client.js';
import { listFixAttempts } from '../../db/queries/fix-attempts.js';
import { recordOpenedPullRequest } from '../../db/queries/pull-requests.js';
import { listEvents } from '../../db/queries/workspaces.js';
import { agentSessions, workspaces } from '../../db/schema.js';
import { createActivities } from '../../worker/activities.js';
import { WORKFLOWS_ENTRY } from '../../worker/bundle.js';
import { loadConfig } from '../../worker/env.js';
import { FIXER_TURN_BASE } from '../../workflows/fixer.js';
import {
  ratchetStateQuery,
  type RatchetInput,
  type RatchetViewState,
} from '../../workflows/ratchet-messages.js';
import type { RatchetView } from '../../web/lib/ratchet-view.js';
import { failing, prRow, seedWorkspace } from '../support/ratchet-harness.js';
import { startFakeGithub, type FakeGithub } from '../support/fake-github/index.js';
import { git, makeRepo, type TestRepo } from '../support/git.js';
import { startDevServer } from '../support/temporal.js';
import { addProject, makeHome, specFor, waitFor } from '../support/workspace-harness.js';
import {
  ensureConsoleBuilt,
  launchChromium,
  newPage,
  startConsole,
  type ConsoleServer,
} from '../support/console-harness.js';

const taskQueue = `ratchet-console-loop-${process.pid}`;

let env: TestWorkflowEnvironment;
let db: Db;
let home: string;
let fake: FakeGithub;
let worker: Worker;
let workerRun: Promise<void>;
let server: ConsoleServer;
let browser: Browser;
const repos: TestRepo[] = [];
/** Loops and pollers to terminate at the end, so none outlives the suite. */
const started: string[] = [];

beforeAll(async () => {
  ensureConsoleBuilt();
  ({ db, home } = makeHome('ratchet-console-loop-'));
  env = await startDevServer();
  fake = await startFakeGithub({ tokens: ['test'] });
  const config = loadConfig({ RATCHET_HOME: home, RATCHET_POLL_INTERVAL_S: '1' });
  const octokit = createGithubClient({ token: 'test', baseUrl: fake.url });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY }),
    activities: createActivities({ db, config, octokit }),
  });
  workerRun = worker.run();
  server = await startConsole({
    RATCHET_HOME: home,
    TEMPORAL_ADDRESS: env.address,
    RATCHET_TASK_QUEUE: taskQueue,
  });
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  for (const id of started)
    await env?.client.workflow
      .getHandle(id)
      .terminate('suite over')
      .catch(() => undefined);
  if (worker) {
    worker.shutdown();
    await workerRun;
  }
  await env?.teardown();
  await fake?.close();
  db?.$client.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
  for (const r of repos) fs.rmSync(r.root, { recursive: true, force: true });
});

/**
 * A workspace with a real worktree, an open PR on the fake GitHub with a failing `build`, its PR
 * row, and (unless `start: false`) its ratchet loop. `fixerSays[n]` is what the (n+1)th fixer's
 * script agent says; it edits nothing, so each fixer ends `no_change` or, with a
 * `RATCHET_ASK_HUMAN:` line, `asked_human`.
 */
async function openLoop(name: string, fixerSays: string[], { start = true } = {}) {
  const repo = makeRepo({ prefix: `ratchet-console-${name}-` });
  repos.push(repo);
  const projectId = addProject(db, repo);
  // Fixer n runs agent turn FIXER_TURN_BASE + n, which the script runner reads at index turn - 1.
  const script: ScriptStep[][] = Array.from({ length: FIXER_TURN_BASE }, () => []);
  for (const text of fixerSays) script.push([{ op: 'say', text }]);
  const github = { owner: 'acme', repo: name };
  const spec = { ...specFor(repo, projectId, { title: `Loop ${name}`, agent: { script } }), github };
  const ws = spec.workspaceId;
  seedWorkspace(db, { id: ws, projectId, branch: spec.branch });
  git(repo.repo, 'worktree', 'add', '--quiet', '-b', spec.branch, spec.worktreePath, 'main');
  const fullName = `acme/${name}`;
  fake.addRepo(fullName);
  const number = fake.openPr(fullName, { head: spec.branch, title: name });
  fake.setChecks(fullName, number, [failing('build')]);
  const pr = {
    number,
    url: `https://github.com/${fullName}/pull/${number}`,
    headBranch: spec.branch,
    baseBranch: 'main',
  };
  recordOpenedPullRequest({ db, pr: { workspaceId: ws, projectId, ...pr, headSha: null, draft: false } });
  const workflowId = workflowIds.ratchet(ws);
  if (start) {
    const input: RatchetInput = {
      spec,
      github,
      pr,
      settings: { maxAttemptsPerKey: 1 },
      heartbeatTimeoutMs: 10_000,
    };
    await env.client.workflow.start('ratchetWorkflow', { workflowId, taskQueue, args: [input] });
    started.push(workflowId, workflowIds.poller(github.owner, github.repo));
  }
  const handle = env.client.workflow.getHandle(workflowId);
  const query = () => handle.query(ratchetStateQuery);
  /** Waits until the loop's own state query satisfies `ok`. */
  const until = (what: string, ok: (s: RatchetViewState) => boolean, timeoutMs = 60_000) =>
    waitFor(
      what,
      async () => {
        const s = await query();
        return ok(s) ? s : null;
      },
      timeoutMs,
      200,
    );
  return { ws, number, handle, query, until, spec };
}

const ratchetUrl = (ws: string) => `${server.base}/api/workspaces/${ws}/ratchet`;

function post(ws: string, body: unknown): Promise<Response> {
  return fetch(ratchetUrl(ws), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function getView(ws: string): Promise<RatchetView> {
  const res = await fetch(ratchetUrl(ws));
  expect(res.status).toBe(200);
  return (await res.json()) as RatchetView;
}

type ErrorAnswer = { error: { type: string; message: string; fields?: Array<{ path: string }> } };

describe('ratchet loop API', () => {
  it('POST /api/workspaces/:id/ratchet pauses and resumes the loop; the query, the PR row and GET follow', async () => {
    const loop = await openLoop('pause', ['I could not find the cause.']);
    await loop.until('the loop to stall', (s) => s.state === 'stalled');

    const paused = await post(loop.ws, { action: 'pause' });
    expect(paused.status).toBe(202);
    expect(await paused.json()).toEqual({ action: 'pause', workflowId: `ratchet/${loop.ws}` });
    await loop.until('the query to report paused', (s) => s.paused && s.state === 'paused');
    await waitFor('the PR row to show paused', () => prRow(db, loop.ws)?.ratchetState === 'paused');

    const view = await getView(loop.ws);
    expect(view).toMatchObject({
      workflowId: `ratchet/${loop.ws}`,
      source: 'live',
      note: null,
      workflowStatus: 'RUNNING',
      live: { paused: true, state: 'paused', fixNo: 1 },
      pr: { number: loop.number, ratchetState: 'paused' },
    });
    expect(view.fixAttempts.map((f) => [f.kind, f.attempt, f.status, f.detail])).toEqual([
      ['ci', 1, 'no_change', 'I could not find the cause.'],
    ]);
    expect(view.notifications.map((n) => n.title)).toEqual([`PR #${loop.number} stalled`]);

    expect((await post(loop.ws, { action: 'resume' })).status).toBe(202);
    await loop.until('the query to report resumed', (s) => !s.paused && s.state === 'stalled');
    await waitFor('the PR row to show stalled again', () => prRow(db, loop.ws)?.ratchetState === 'stalled');
    // A plain resume keeps the attempt counts: the loop is still at its cap and starts no fixer.
    const after = await loop.query();
    expect(after.fixNo).toBe(1);
    expect(Object.values(after.memory.attempts).map((a) => a.count)).toEqual([1]);
  });

  it('POST { action: "retry" } on a stalled loop forgets the attempts and starts a new fixer on the same snapshot', async () => {
    const loop = await openLoop('retry', ['First look: nothing to change.', 'Second look: still nothing.']);
    const stalled = await loop.until('the loop to stall', (s) => s.state === 'stalled');
    expect(stalled.fixNo).toBe(1);

    expect((await post(loop.ws, { action: 'retry' })).status).toBe(202);
    const again = await loop.until(
      'a second fixer to run and the loop to stall again',
      (s) => s.fixNo === 2 && s.state === 'stalled',
    );
    expect(again.snapshotKey).toBe(stalled.snapshotKey);
    expect(again.headSha).toBe(stalled.headSha);
    // Same head SHA and kind: the second fixer reused the fixer ID after the first closed.
    const history = await loop.handle.fetchHistory();
    const children = (history.events ?? [])
      .map((e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId)
      .filter((id): id is string => typeof id === 'string');
    expect(children).toEqual([
      workflowIds.fix(loop.ws, stalled.headSha!, 'ci'),
      workflowIds.fix(loop.ws, stalled.headSha!, 'ci'),
    ]);
    // Both fixers ran their agent: one session each (turns 101 and 102).
    const sessions = db.select().from(agentSessions).where(eq(agentSessions.workspaceId, loop.ws)).all();
    expect(sessions.map((s) => s.id).sort()).toEqual([`${loop.ws}-t101-ci-fix`, `${loop.ws}-t102-ci-fix`]);
    expect(listEvents({ db, workspaceId: loop.ws }).filter((e) => e.kind === 'ratchet.fix_ci')).toHaveLength(
      2,
    );
    // Each run has its own row and its own outcome in the timeline, though both were attempt 1.
    const fixes = listFixAttempts({ db, workspaceId: loop.ws });
    expect(fixes.map((f) => [f.attempt, f.status])).toEqual([
      [1, 'no_change'],
      [1, 'no_change'],
    ]);
    expect(
      listEvents({ db, workspaceId: loop.ws }).filter((e) => e.kind === 'ratchet.fix_finished'),
    ).toHaveLength(2);
  });

  it('refuses a bad body (422 naming action), unknown workspaces (404), a workspace without a running loop (404) and archived ones (409)', async () => {
    const loop = await openLoop('errors', ['Nothing here.']);
    await loop.until('the loop to stall', (s) => s.state === 'stalled');

    for (const body of [{ action: 'stop' }, {}, { act: 'pause' }]) {
      const res = await post(loop.ws, body);
      expect(res.status).toBe(422);
      const answer = (await res.json()) as ErrorAnswer;
      expect(answer.error.type).toBe('InvalidInput');
      expect(answer.error.fields?.map((f) => f.path)).toEqual(['action']);
    }
    expect((await post(loop.ws, '{nope')).status).toBe(422);
    expect((await post('..%2Fetc', { action: 'pause' })).status).toBe(422);

    const unknown = await post('ws_nope', { action: 'pause' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ErrorAnswer).error.type).toBe('WorkspaceNotFound');
    expect((await fetch(ratchetUrl('ws_nope'))).status).toBe(404);

    // A PR whose loop never started: the signal is refused, and GET says why it shows SQLite.
    const idle = await openLoop('idle', [], { start: false });
    const refused = await post(idle.ws, { action: 'retry' });
    expect(refused.status).toBe(404);
    const refusedBody = (await refused.json()) as ErrorAnswer;
    expect(refusedBody.error.type).toBe('RatchetNotFound');
    expect(refusedBody.error.message).toContain(`ratchet/${idle.ws}`);
    expect(await getView(idle.ws)).toMatchObject({
      source: 'read_model',
      workflowStatus: null,
      live: null,
      pr: { number: idle.number },
    });
    expect((await getView(idle.ws)).note).toContain('No ratchet loop');

    // A workspace without a PR: nothing to ask Temporal, nothing to signal.
    const noPr = `${idle.ws}-nopr`;
    seedWorkspace(db, { id: noPr, projectId: idle.spec.projectId, branch: 'ratchet/no-pr' });
    expect(await getView(noPr)).toMatchObject({
      source: 'read_model',
      note: 'No pull request yet: the ratchet loop starts once one is open.',
      pr: null,
      fixAttempts: [],
      notifications: [],
    });
    expect((await post(noPr, { action: 'pause' })).status).toBe(404);

    // A loop that ended: GET falls back to the read model and says so; signals are refused.
    await loop.handle.terminate('test: the loop ends');
    const ended = await getView(loop.ws);
    expect(ended).toMatchObject({
      source: 'read_model',
      workflowStatus: 'TERMINATED',
      live: null,
      pr: { ratchetState: 'stalled' },
    });
    expect(ended.note).toBe('The ratchet loop has ended (terminated).');
    expect(ended.fixAttempts).toHaveLength(1);
    expect((await post(loop.ws, { action: 'pause' })).status).toBe(404);

    // Archived workspaces refuse every action, as the other workspace actions do.
    db.update(workspaces)
      .set({ status: 'archived', archivedAt: Date.now() })
      .where(eq(workspaces.id, idle.ws))
      .run();
    const archived = await post(idle.ws, { action: 'pause' });
    expect(archived.status).toBe(409);
    expect(((await archived.json()) as ErrorAnswer).error.type).toBe('NotApplicable');
  });
});

describe('Ratchet card (Chromium)', () => {
  it('shows state, the question, fix attempts and notifications; Pause, Resume and Retry now work from its buttons', async () => {
    const question = 'Should `build` target Node 18 or Node 20?';
    const loop = await openLoop('card', [
      `Two fixes are possible.\nRATCHET_ASK_HUMAN: ${question}`,
      'Nothing left to change.',
    ]);
    const asked = await loop.until('the fixer to ask', (s) => s.state === 'awaiting_human');

    const page = await newPage(browser);
    // Hydration mismatches and client exceptions surface here (React logs them as console errors).
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      // The console has no favicon; the browser's request for one is not a page problem.
      if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico'))
        problems.push(`${m.text()} (${m.location().url})`);
    });
    try {
      await page.goto(`${server.base}/workspaces/${loop.ws}`);
      const card = page.getByTestId('ratchet-card');
      expect(await card.getByTestId('ratchet-state').textContent()).toBe('awaiting human');
      expect(await card.getByTestId('ratchet-reason').textContent()).toBe(`the CI fixer asked: ${question}`);
      expect(await card.getByTestId('ratchet-source').textContent()).toBe(`live from ratchet/${loop.ws}`);
      expect(await card.getByTestId('ratchet-paused').textContent()).toBe('no');
      // The question stands out while the loop waits for it.
      const callout = card.getByRole('note');
      expect(await callout.textContent()).toContain(question);
      expect(await callout.getByRole('heading').textContent()).toBe('The fixer is asking you');

      const rows = card.getByTestId('fix-attempt');
      expect(await rows.count()).toBe(1);
      const cells = await rows.first().locator('td').allTextContents();
      expect(cells.slice(0, 5)).toEqual(['ci', '1', asked.headSha!.slice(0, 7), 'asked human', question]);
      expect(cells[6]).toMatch(/^\d+ s$/);
      expect(await card.getByTestId('ratchet-notifications').textContent()).toContain(
        `PR #${loop.number} needs a decision`,
      );

      await page.screenshot({ path: '/tmp/ratchet-card-asking.png' });
      const retry = card.getByRole('button', { name: 'Retry now' });
      expect(await retry.getAttribute('title')).toMatch(/^Forget the attempt counts and open questions/);

      await card.getByRole('button', { name: 'Pause' }).click();
      await expect.poll(() => card.getByTestId('ratchet-paused').textContent()).toMatch(/^yes/);
      await expect.poll(() => card.getByTestId('ratchet-state').textContent()).toBe('paused');
      expect(await card.getByRole('button', { name: 'Retry now' }).count()).toBe(0);
      expect((await loop.query()).paused).toBe(true);
      await waitFor('the PR row to show paused', () => prRow(db, loop.ws)?.ratchetState === 'paused');

      await card.getByRole('button', { name: 'Resume' }).click();
      await expect.poll(() => card.getByTestId('ratchet-paused').textContent()).toBe('no');
      await expect.poll(() => card.getByTestId('ratchet-state').textContent()).toBe('awaiting human');
      expect((await loop.query()).paused).toBe(false);

      // Retry answers the question by letting the fixer try again: the second one changes nothing.
      await card.getByRole('button', { name: 'Retry now' }).click();
      await expect
        .poll(() => card.getByTestId('ratchet-state').textContent(), { timeout: 30_000 })
        .toBe('stalled');
      expect(await card.getByTestId('ratchet-questions').count()).toBe(0);
      expect(await card.getByTestId('ratchet-attempts').textContent()).toBe(
        '1 counted on this PR · 2 fixers started',
      );
      expect(await card.getByTestId('ratchet-fixer').textContent()).toBe('none running');
      // The retried run is a row of its own, next to the one that asked.
      await expect.poll(() => rows.count()).toBe(2);
      await page.screenshot({ path: '/tmp/ratchet-card.png', fullPage: true });

      // Once the loop has ended the card shows what it last recorded, says so, and offers no buttons.
      await loop.handle.terminate('test: the loop ends');
      await page.reload();
      expect(await card.getByTestId('ratchet-source').textContent()).toBe(
        'from the read model: The ratchet loop has ended (terminated).',
      );
      expect(await card.getByTestId('ratchet-state').textContent()).toBe('stalled');
      expect(await card.getByTestId('fix-attempt').count()).toBe(2);
      expect(await card.getByRole('button').count()).toBe(0);
      await page.screenshot({ path: '/tmp/ratchet-card-ended.png', fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
