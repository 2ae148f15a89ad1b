/**
 * The run and cleanup scripts with real parts: a Temporal dev server, an in-process worker with the
 * real activities (script agent in real git worktrees, the real SQLite read model, the real archive
 * activity), the console as `npm start` runs it (web/server.ts over the production build) and
 * Chromium. The console's own environment carries model and GitHub secrets, which the run script
 * must not see.
 *
 * - Run: approve the run script on the project page, press Run on the workspace page, fetch the
 *   page its server serves on PORT, press Stop: the port is closed and no process of its group is
 *   left (the background `sleep` it started included); a second start answers 409.
 * - A console SIGKILLed while a run lives leaves no orphan: the watchdog kills the group at once,
 *   and when even the watchdog is gone, the next console kills the recorded group at start-up.
 * - Archive runs the approved cleanup script in the worktree before removing it (its output on the
 *   timeline); an unapproved one does not run (the timeline says so); a retry does not run it again.
 * - The worktree directory is editable on the project page: relative to the repository works and
 *   applies to new workspaces; inside `.git` or a system directory is a 422 naming the field.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createCleanupRunner } from '../../activities/cleanup-script.js';
import { createGitActivities } from '../../activities/git.js';
import { groupMembers } from '../../activities/process.js';
import type { RunView } from '../../core/run-script.js';
import type { Db } from '../../db/client.js';
import { getWorkspaceById, listEvents } from '../../db/queries/workspaces.js';
import { projects } from '../../db/schema.js';
import { createActivities } from '../../worker/activities.js';
import { WORKFLOWS_ENTRY } from '../../worker/bundle.js';
import { loadConfig } from '../../worker/env.js';
import { makeRepo, type TestRepo } from '../support/git.js';
import { freePort } from '../support/ports.js';
import { startDevServer } from '../support/temporal.js';
import { addProject, input, makeHome, specFor, waitFor } from '../support/workspace-harness.js';
import {
  ensureConsoleBuilt,
  launchChromium,
  newPage,
  startConsole,
  type ConsoleServer,
} from '../support/console-harness.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SHOTS = path.join(ROOT, 'docs', 'screenshots');
const taskQueue = `run-script-${process.pid}`;
const SECRETS = {
  GITHUB_TOKEN: 'ghp_console_secret_0123456789',
  GH_TOKEN: 'gho_console_secret_0123456789',
  ANTHROPIC_API_KEY: 'sk-ant-console-secret',
  OPENAI_API_KEY: 'sk-console-secret',
};
const POLL = { timeout: 30_000 };

let env: TestWorkflowEnvironment;
let db: Db;
let home: string;
let worker: Worker;
let workerRun: Promise<void>;
let consoleEnv: Record<string, string>;
let server: ConsoleServer;
let browser: Browser;
let repo: TestRepo;
let projectId: string;
let port: number;
/** The test's own directory: the server program, and the file the cleanup script appends to. */
let scratch: string;
let cleanupLog: string;
const workspaceIds: string[] = [];
const extraConsoles: ConsoleServer[] = [];

/** A tiny HTTP server: `/` answers a page, `/env` the environment and working directory it got. */
const SERVE = `
import http from 'node:http';
http.createServer((req, res) => {
  if (req.url === '/env') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify({ env: process.env, cwd: process.cwd() }));
  }
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end('<h1>dev server of the run script</h1>');
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening on ' + process.env.PORT));
`;

const runScript = () =>
  // A background child too: Stop must end the whole group, not only the shell.
  `echo "starting on port $PORT"\nsleep 1000 &\nexec node ${path.join(scratch, 'serve.mjs')}`;
// It records where it ran and that the worktree was still there.
const cleanupScript = () =>
  `echo "cleanup in $(pwd -P) with $(ls README.md)" >> ${cleanupLog}\necho cleaned up`;

async function startWorkspace(title: string): Promise<{ id: string; worktree: string }> {
  const spec = specFor(repo, projectId, {
    title,
    agent: { script: [[{ op: 'say', text: 'Nothing to do.' }]] },
  });
  workspaceIds.push(spec.workspaceId);
  await env.client.workflow.start('workspaceWorkflow', {
    workflowId: `workspace/${spec.workspaceId}`,
    taskQueue,
    args: [input(spec)],
  });
  await waitFor(
    `workspace ${title} to be idle`,
    () => getWorkspaceById({ db, id: spec.workspaceId })?.status === 'idle',
    120_000,
  );
  return { id: spec.workspaceId, worktree: fs.realpathSync(spec.worktreePath) };
}

const json = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body ?? {}),
});

async function runApi(base: string, ws: string, method: 'GET' | 'POST' | 'DELETE') {
  const res = await fetch(`${base}/api/workspaces/${ws}/run`, method === 'GET' ? {} : json(method));
  return { status: res.status, body: (await res.json()) as { run: RunView; error?: { type: string } } };
}

/** Answers with the page's body, or null when nothing listens on the port. */
async function getPort(path_ = '/'): Promise<string | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path_}`, { signal: AbortSignal.timeout(3000) });
    return await res.text();
  } catch {
    return null;
  }
}

async function approve(kind: 'run' | 'cleanup') {
  const { project } = (await (await fetch(`${server.base}/api/projects/${projectId}`)).json()) as {
    project: { scriptViews: Array<{ kind: string; sha256: string | null }> };
  };
  const sha256 = project.scriptViews.find((v) => v.kind === kind)!.sha256;
  const res = await fetch(
    `${server.base}/api/projects/${projectId}/trust`,
    json('POST', { kind, sha256, decision: 'approve' }),
  );
  expect(res.status).toBe(200);
}

const recordFile = (ws: string) => path.join(home, 'run-scripts', `${ws}.json`);

beforeAll(async () => {
  ensureConsoleBuilt();
  ({ db, home } = makeHome('ratchet-run-script-'));
  env = await startDevServer();
  const config = loadConfig({ RATCHET_HOME: home });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY }),
    activities: createActivities({ db, config }),
  });
  workerRun = worker.run();
  repo = makeRepo({ prefix: 'ratchet-run-script-repo-' });
  scratch = fs.mkdtempSync(path.join(repo.root, 'scratch-'));
  cleanupLog = path.join(scratch, 'cleanup.log');
  fs.writeFileSync(path.join(scratch, 'serve.mjs'), SERVE);
  port = await freePort();
  projectId = addProject(db, repo);
  db.update(projects)
    .set({ scripts: { run: runScript(), runPort: port, cleanup: cleanupScript() } })
    .where(eq(projects.id, projectId))
    .run();
  consoleEnv = {
    RATCHET_HOME: home,
    TEMPORAL_ADDRESS: env.address,
    RATCHET_TASK_QUEUE: taskQueue,
    ...SECRETS,
  };
  server = await startConsole(consoleEnv);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  for (const c of extraConsoles) await c.stop();
  for (const ws of workspaceIds)
    await env?.client.workflow
      .getHandle(`workspace/${ws}`)
      .terminate('suite over')
      .catch(() => undefined);
  if (worker) {
    worker.shutdown();
    await workerRun;
  }
  await env?.teardown();
  db?.$client.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
  if (repo) fs.rmSync(repo.root, { recursive: true, force: true });
});

describe('run script', () => {
  it('runs only once approved; Run serves on PORT without the console secrets; Stop closes the port and ends the whole group', async () => {
    const { id: ws, worktree } = await startWorkspace('Run demo');
    const page = await newPage(browser);
    try {
      await page.goto(`${server.base}/workspaces/${ws}`);
      const panel = page.getByTestId('run-panel');
      // Not approved: no Run button, a link to the project page instead; the API refuses too.
      await expect.poll(() => panel.getByTestId('run-untrusted').count()).toBe(1);
      expect(await panel.getByRole('button', { name: 'Run' }).count()).toBe(0);
      const refused = await runApi(server.base, ws, 'POST');
      expect(refused.status).toBe(409);
      expect(refused.body.error!.type).toBe('RunScriptNotTrusted');

      // Approve it where the link leads.
      await panel.getByRole('link', { name: 'Review and approve it' }).click();
      await page.waitForURL(`**/projects/${projectId}`);
      await page.getByRole('button', { name: 'Approve this run script' }).click();
      await expect.poll(() => page.getByTestId('trust-run').getAttribute('data-trust')).toBe('approved');

      await page.goto(`${server.base}/workspaces/${ws}`);
      await panel.getByRole('button', { name: 'Run' }).click();
      await expect
        .poll(() => panel.getByTestId('run-status').textContent(), POLL)
        .toMatch(/^running · pid \d+$/);
      await expect
        .poll(() => panel.getByTestId('run-output').textContent(), POLL)
        .toContain(`listening on ${port}`);
      expect(await panel.getByTestId('run-output').textContent()).toContain(`starting on port ${port}`);
      expect(await panel.getByTestId('run-url').getAttribute('href')).toBe(`http://localhost:${port}`);

      expect(await getPort('/')).toContain('dev server of the run script');
      const seen = JSON.parse((await getPort('/env'))!) as { env: Record<string, string>; cwd: string };
      expect(fs.realpathSync(seen.cwd)).toBe(worktree);
      expect(seen.env.PORT).toBe(String(port));
      for (const name of [...Object.keys(SECRETS), 'RATCHET_HOME', 'TEMPORAL_ADDRESS', 'RATCHET_TASK_QUEUE'])
        expect(seen.env, name).not.toHaveProperty(name);
      expect(JSON.stringify(seen.env)).not.toMatch(/console_secret|console-secret/);

      // One run per workspace; its group is recorded while it lives.
      const { body: state } = await runApi(server.base, ws, 'GET');
      const pgid = state.run.pid!;
      expect(state.run).toMatchObject({ status: 'running', port, url: `http://localhost:${port}` });
      expect(groupMembers(pgid).length).toBeGreaterThanOrEqual(3); // guard, node, sleep
      expect(fs.existsSync(recordFile(ws))).toBe(true);
      const twice = await runApi(server.base, ws, 'POST');
      expect(twice.status).toBe(409);
      expect(twice.body.error!.type).toBe('RunAlreadyRunning');

      fs.mkdirSync(SHOTS, { recursive: true });
      await panel.screenshot({ path: path.join(SHOTS, 'workspace-run.png') });

      await panel.getByRole('button', { name: 'Stop' }).click();
      await expect.poll(() => panel.getByTestId('run-status').textContent(), POLL).toBe('stopped');
      expect(await panel.getByTestId('run-output').textContent()).toMatch(/\[stopped by SIGTERM\]|\[exited/);
      expect(await getPort('/')).toBeNull();
      await waitFor('no process of the group', () => groupMembers(pgid).length === 0, 5000, 50);
      expect(fs.existsSync(recordFile(ws))).toBe(false);
      // Stopping what is not running is a no-op; it may start again.
      expect((await runApi(server.base, ws, 'DELETE')).body.run.status).toBe('stopped');
    } finally {
      await page.close();
    }
  }, 240_000);

  it('a SIGKILLed console leaves no orphan: the watchdog kills the group, and the next console kills one the watchdog could not', async () => {
    const { id: ws } = await startWorkspace('Orphan demo');
    const own = await startConsole(consoleEnv);
    extraConsoles.push(own);
    const started = await runApi(own.base, ws, 'POST');
    expect(started.status).toBe(201);
    const pgid = started.body.run.pid!;
    await waitFor('the server to listen', () => getPort('/'), 30_000, 200);

    // 1. The console dies by SIGKILL: the guard sees its lifeline close and kills the group.
    process.kill(own.pid, 'SIGKILL');
    await waitFor('the group to be gone', () => groupMembers(pgid).length === 0, 15_000, 100);
    expect(await getPort('/')).toBeNull();

    // 2. The guard cannot act (stopped, then killed with the console): the group outlives both,
    //    until the next console reads the record at start-up and kills it.
    const second = await startConsole(consoleEnv);
    extraConsoles.push(second);
    expect(fs.existsSync(recordFile(ws))).toBe(false); // the first record was read and cleared
    const again = await runApi(second.base, ws, 'POST');
    expect(again.status).toBe(201);
    const pgid2 = again.body.run.pid!;
    await waitFor('the server to listen again', () => getPort('/'), 30_000, 200);
    process.kill(pgid2, 'SIGSTOP');
    process.kill(second.pid, 'SIGKILL');
    process.kill(pgid2, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 1000));
    const orphans = groupMembers(pgid2);
    expect(orphans.length).toBeGreaterThanOrEqual(2); // sh's children: node and sleep, leaderless
    expect(await getPort('/')).toContain('dev server of the run script');
    expect(fs.existsSync(recordFile(ws))).toBe(true);

    const third = await startConsole(consoleEnv);
    extraConsoles.push(third);
    expect(third.log()).toContain('run scripts: killed 1 left by a previous console');
    await waitFor('the orphans to be gone', () => groupMembers(pgid2).length === 0, 15_000, 100);
    expect(await getPort('/')).toBeNull();
    expect(fs.existsSync(recordFile(ws))).toBe(false);
    expect((await runApi(third.base, ws, 'GET')).body.run.status).toBe('stopped');
    await third.stop();
  }, 240_000);
});

describe('cleanup script on archive', () => {
  it('archive stops the run, runs the approved cleanup in the worktree before removing it, and shows it on the timeline', async () => {
    const { id: ws, worktree } = await startWorkspace('Cleanup demo');
    await approve('cleanup');
    const started = await runApi(server.base, ws, 'POST');
    expect(started.status).toBe(201);
    const pgid = started.body.run.pid!;
    await waitFor('the server to listen', () => getPort('/'), 30_000, 200);

    const res = await fetch(`${server.base}/api/workspaces/${ws}/archive`, json('POST'));
    expect(res.status).toBe(202);
    // Archiving stopped the dev server first.
    await waitFor('the run to be gone', () => groupMembers(pgid).length === 0, 10_000, 50);
    expect((await runApi(server.base, ws, 'GET')).body.run.status).toBe('stopped');
    await waitFor(
      'the workspace to be archived',
      () => getWorkspaceById({ db, id: ws })?.status === 'archived',
      120_000,
    );
    expect(fs.existsSync(worktree)).toBe(false);
    expect(fs.readFileSync(cleanupLog, 'utf8')).toBe(`cleanup in ${worktree} with README.md\n`);
    const kinds = listEvents({ db, workspaceId: ws }).map((e) => e.kind);
    expect(kinds.filter((k) => k.startsWith('cleanup.'))).toEqual([
      'cleanup.started',
      'cleanup.output',
      'cleanup.succeeded',
    ]);
    expect(kinds.indexOf('cleanup.succeeded')).toBeLessThan(kinds.lastIndexOf('status.archived'));

    const page = await newPage(browser);
    try {
      await page.goto(`${server.base}/workspaces/${ws}`);
      await expect
        .poll(() => page.getByTestId('timeline').textContent(), POLL)
        .toContain('Cleanup finished in');
      expect(await page.getByTestId('timeline').textContent()).toContain('cleaned up');
    } finally {
      await page.close();
    }

    // A retried archive (the worktree is gone) does not run it again; nor does a retry after it
    // finished, even with the worktree back.
    const gitActs = createGitActivities({
      env: process.env,
      beforeRemove: createCleanupRunner({ db, env: process.env }),
    });
    const ws0 = getWorkspaceById({ db, id: ws })!;
    await gitActs.archiveWorktree({
      workspaceId: ws,
      repoPath: repo.repo,
      worktreeRoot: repo.worktrees,
      worktreePath: ws0.worktreePath,
    });
    fs.mkdirSync(ws0.worktreePath, { recursive: true });
    expect(
      await createCleanupRunner({ db, env: process.env })({
        workspaceId: ws,
        worktreePath: ws0.worktreePath,
      }),
    ).toBe('already_ran');
    fs.rmSync(ws0.worktreePath, { recursive: true, force: true });
    expect(fs.readFileSync(cleanupLog, 'utf8')).toBe(`cleanup in ${worktree} with README.md\n`);
  }, 240_000);

  it('an unapproved cleanup script does not run; the timeline says so and the archive completes', async () => {
    const { id: ws } = await startWorkspace('Untrusted cleanup');
    // An edited text is a new text: not approved.
    const patched = await fetch(
      `${server.base}/api/projects/${projectId}`,
      json('PATCH', {
        scripts: { run: runScript(), runPort: port, cleanup: `${cleanupScript()}\necho edited` },
      }),
    );
    expect(patched.status).toBe(200);
    const before = fs.readFileSync(cleanupLog, 'utf8');
    expect((await fetch(`${server.base}/api/workspaces/${ws}/archive`, json('POST'))).status).toBe(202);
    await waitFor(
      'the workspace to be archived',
      () => getWorkspaceById({ db, id: ws })?.status === 'archived',
      120_000,
    );
    expect(fs.readFileSync(cleanupLog, 'utf8')).toBe(before);
    const events = listEvents({ db, workspaceId: ws }).filter((e) => e.kind.startsWith('cleanup.'));
    expect(events.map((e) => e.kind)).toEqual(['cleanup.skipped']);
    expect(events[0]!.message).toMatch(/not approved for this project; not running it/);
  }, 240_000);
});

describe('worktree directory', () => {
  it('is editable on the project page: relative to the repository applies to new workspaces; inside .git or a system directory is a 422 naming it', async () => {
    const patch = (worktreeDir: unknown) =>
      fetch(`${server.base}/api/projects/${projectId}`, json('PATCH', { worktreeDir }));
    for (const bad of ['.git/worktrees-here', '/etc/ratchet-wt', 'src/inside']) {
      const res = await patch(bad);
      expect(res.status, bad).toBe(422);
      const body = (await res.json()) as { error: { fields: Array<{ path: string; message: string }> } };
      expect(body.error.fields[0]!.path, bad).toBe('worktreeDir');
    }
    expect(db.select().from(projects).where(eq(projects.id, projectId)).get()!.worktreeDir).toBe(
      repo.worktrees,
    );

    const page = await newPage(browser);
    try {
      await page.goto(`${server.base}/projects/${projectId}`);
      await page.fill('input[name=worktreeDir]', '../edited-worktrees');
      await page.getByRole('button', { name: 'Save' }).click();
      await expect
        .poll(() => page.locator('form[aria-label="Project settings"] [role=status]').textContent(), POLL)
        .toContain('Saved');
      const edited = fs.realpathSync(path.join(repo.root, 'edited-worktrees'));
      expect(db.select().from(projects).where(eq(projects.id, projectId)).get()!.worktreeDir).toBe(edited);
      await page.reload();
      expect(await page.inputValue('input[name=worktreeDir]')).toBe(edited);

      // A refusal from the page shows the field's message.
      await page.fill('input[name=worktreeDir]', '.git/inside');
      await page.getByRole('button', { name: 'Save' }).click();
      await expect
        .poll(() => page.getByTestId('project-settings-error').textContent(), POLL)
        .toMatch(/^worktreeDir: .*inside the repository/);

      // A new workspace gets its worktree there.
      const res = await fetch(
        `${server.base}/api/workspaces`,
        json('POST', { projectId, title: 'Edited dir', prompt: 'nothing', agent: { runner: 'script' } }),
      );
      expect(res.status).toBe(202);
      const { workspaceId } = (await res.json()) as { workspaceId: string };
      workspaceIds.push(workspaceId);
      const row = await waitFor(
        'the new workspace row',
        () => getWorkspaceById({ db, id: workspaceId }),
        60_000,
      );
      expect(row.worktreePath.startsWith(`${edited}/`)).toBe(true);
      await waitFor('its worktree', () => fs.existsSync(row.worktreePath), 60_000);
    } finally {
      await page.close();
    }
  }, 240_000);
});
