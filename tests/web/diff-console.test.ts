/**
 * The workspace page's diff, diff comments, PR panel and Temporal links, with real parts: a
 * Temporal dev server, an in-process worker with the real activities (script runner in a real git
 * worktree, Octokit against the loopback fake GitHub, the real SQLite read model), the real
 * workspace and ratchet workflows, `next start` (production build) on the same SQLite file, and
 * Chromium. The workspace's first turn changes, adds, deletes, renames and writes a binary file;
 * the workflow pushes, opens the PR on the fake and starts the ratchet loop, whose `lint` check
 * fails so a CI fixer runs (and changes nothing).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { defaultPayloadConverter } from '@temporalio/common';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScriptStep } from '../../core/agent.js';
import { createGithubClient } from '../../activities/github/index.js';
import type { Db } from '../../db/client.js';
import { agentMessages, projects } from '../../db/schema.js';
import { getPullRequestByWorkspace } from '../../db/queries/pull-requests.js';
import { listFixAttempts } from '../../db/queries/fix-attempts.js';
import { createActivities } from '../../worker/activities.js';
import { WORKFLOWS_ENTRY } from '../../worker/bundle.js';
import { loadConfig } from '../../worker/env.js';
import { FIXER_TURN_BASE } from '../../workflows/fixer.js';
import { linkRemote } from '../support/ratchet-harness.js';
import { startFakeGithub, type FakeCheck, type FakeGithub } from '../support/fake-github/index.js';
import { git, makeRepo, type TestRepo } from '../support/git.js';
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
const taskQueue = `diff-console-${process.pid}`;
/** Not a running UI: the links only have to point at it. */
const UI = 'http://127.0.0.1:18233';

const APP_BEFORE = [
  "import { readFile } from 'node:fs/promises';",
  '',
  'export async function greet(name: string): Promise<string> {',
  "  const template = await readFile('greeting.txt', 'utf8');",
  "  return template.replace('{name}', name);",
  '}',
  '',
].join('\n');
const APP_AFTER = [
  "import { readFile } from 'node:fs/promises';",
  '',
  'export async function greet(name: string, punctuation = "!"): Promise<string> {',
  "  const template = await readFile('greeting.txt', 'utf8');",
  "  return template.replace('{name}', name.trim()) + punctuation;",
  '}',
  '',
  'export const VERSION = 2;',
  '',
].join('\n');
const GUIDE = ['# Guide', '', 'Run `npm start`.', 'Open the console.', 'Start a workspace.', ''].join('\n');
/** Each file's patch is a request of its own; on two busy cores a page needs a while. */
const POLL = { timeout: 20_000 };
const COMMENT = 'Please keep the default punctuation configurable from settings.';

let env: TestWorkflowEnvironment;
let db: Db;
let home: string;
let fake: FakeGithub;
let worker: Worker;
let workerRun: Promise<void>;
let server: ConsoleServer;
let browser: Browser;
let repo: TestRepo;
let ws: string;
let prNumber: number;
let worktree: string;

function check(name: string, conclusion: 'SUCCESS' | 'FAILURE', runId: number): FakeCheck {
  return {
    kind: 'check_run',
    name,
    status: 'COMPLETED',
    conclusion,
    runId,
    workflowName: 'CI',
    databaseId: runId * 10,
    startedAt: '2026-01-01T00:00:00Z',
    completedAt: '2026-01-01T00:05:00Z',
  };
}

beforeAll(async () => {
  ensureConsoleBuilt();
  ({ db, home } = makeHome('ratchet-diff-console-'));
  env = await startDevServer();
  fake = await startFakeGithub({ tokens: ['test'] });
  const config = loadConfig({ RATCHET_HOME: home, RATCHET_POLL_INTERVAL_S: '3600' });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY }),
    activities: createActivities({
      db,
      config,
      octokit: createGithubClient({ token: 'test', baseUrl: fake.url }),
    }),
  });
  workerRun = worker.run();
  server = await startConsole({
    RATCHET_HOME: home,
    TEMPORAL_ADDRESS: env.address,
    RATCHET_TASK_QUEUE: taskQueue,
    RATCHET_TEMPORAL_UI_URL: UI,
  });
  browser = await launchChromium();

  // The base branch: a file to change, one to rename, one to delete.
  repo = makeRepo({ prefix: 'ratchet-diff-' });
  fs.mkdirSync(path.join(repo.repo, 'src'));
  fs.mkdirSync(path.join(repo.repo, 'docs'));
  fs.writeFileSync(path.join(repo.repo, 'src', 'app.ts'), APP_BEFORE);
  fs.writeFileSync(path.join(repo.repo, 'docs', 'guide.md'), GUIDE);
  fs.writeFileSync(path.join(repo.repo, 'obsolete.txt'), 'nobody reads this\n');
  git(repo.repo, 'add', '-A');
  git(repo.repo, 'commit', '--quiet', '-m', 'base files');
  git(repo.repo, 'push', '--quiet', 'origin', 'main');
  const projectId = addProject(db, repo);
  db.update(projects)
    .set({ githubOwner: 'acme', githubRepo: 'diffs' })
    .where(eq(projects.id, projectId))
    .run();

  fake.addRepo('acme/diffs');
  linkRemote(fake, 'acme/diffs', repo.remote, () => [
    check('build', 'SUCCESS', 501),
    check('lint', 'FAILURE', 502),
  ]);

  const script: ScriptStep[][] = [
    [
      { op: 'write', path: 'src/app.ts', content: APP_AFTER },
      { op: 'write', path: 'src/added.ts', content: 'export const added = true;\n' },
      { op: 'delete', path: 'obsolete.txt' },
      { op: 'delete', path: 'docs/guide.md' },
      { op: 'write', path: 'docs/handbook.md', content: GUIDE },
      { op: 'write', path: 'assets/logo.bin', content: '\u0000\u0001RATCHET\u0000\u00ff binary' },
      { op: 'say', text: 'Changed, added, deleted, renamed and a binary file.' },
    ],
    [{ op: 'say', text: 'Read the review comment.' }],
  ];
  while (script.length < FIXER_TURN_BASE) script.push([]);
  for (let i = 0; i < 6; i++) script.push([{ op: 'say', text: 'Nothing to change for lint.' }]);
  const spec = {
    ...specFor(repo, projectId, { title: 'Diff demo', agent: { script } }),
    github: { owner: 'acme', repo: 'diffs' },
  };
  ws = spec.workspaceId;
  worktree = spec.worktreePath;
  await env.client.workflow.start('workspaceWorkflow', {
    workflowId: `workspace/${ws}`,
    taskQueue,
    args: [input(spec)],
  });
  const pr = await waitFor('the PR to be opened and read once', () => {
    const row = getPullRequestByWorkspace({ db, workspaceId: ws });
    return row?.lastSnapshotAt ? row : null;
  });
  prNumber = pr.number;
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (env && ws) {
    for (const id of [
      `workspace/${ws}`,
      `ratchet/${ws}`,
      'poller/acme/diffs',
      ...listFixAttempts({ db, workspaceId: ws }).map((f) => f.workflowId.replace(/#\d+$/, '')),
    ])
      await env.client.workflow
        .getHandle(id)
        .terminate('suite over')
        .catch(() => undefined);
  }
  if (worker) {
    worker.shutdown();
    await workerRun;
  }
  await env?.teardown();
  await fake?.close();
  db?.$client.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
  if (repo) fs.rmSync(repo.root, { recursive: true, force: true });
});

async function openPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await newPage(browser);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico'))
      problems.push(`${m.text()} (${m.location().url})`);
  });
  await page.goto(`${server.base}/workspaces/${ws}`);
  return { page, problems };
}

type ErrorAnswer = { error: { type: string; message: string; fields?: Array<{ path: string }> } };

describe('diff API', () => {
  it('GET /diff lists the branch against its base with +/- counts, renames and binaries named; one file per request', async () => {
    const res = await fetch(`${server.base}/api/workspaces/${ws}/diff?scope=branch`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      files: Array<{
        path: string;
        oldPath: string | null;
        status: string;
        additions: number | null;
        deletions: number | null;
        binary: boolean;
      }>;
      commits: Array<{ sha: string; turn: number | null }>;
      base: { ref: string };
    };
    expect(body.base.ref).toBe('refs/remotes/origin/main');
    const byPath = Object.fromEntries(body.files.map((f) => [f.path, f]));
    expect(Object.keys(byPath).sort()).toEqual([
      'assets/logo.bin',
      'docs/handbook.md',
      'obsolete.txt',
      'src/added.ts',
      'src/app.ts',
    ]);
    // The counts are git's own.
    const numstat = git(worktree, 'diff', '--numstat', 'origin/main', 'HEAD', '--', 'src/app.ts').split('\t');
    expect(byPath['src/app.ts']).toMatchObject({
      status: 'modified',
      additions: Number(numstat[0]),
      deletions: Number(numstat[1]),
      binary: false,
    });
    expect(byPath['src/added.ts']).toMatchObject({ status: 'added', additions: 1, deletions: 0 });
    expect(byPath['obsolete.txt']).toMatchObject({ status: 'deleted', additions: 0, deletions: 1 });
    expect(byPath['docs/handbook.md']).toMatchObject({
      status: 'renamed',
      oldPath: 'docs/guide.md',
      additions: 0,
      deletions: 0,
    });
    expect(byPath['assets/logo.bin']).toMatchObject({
      status: 'added',
      binary: true,
      additions: null,
      deletions: null,
    });
    expect(body.commits.map((c) => c.turn)).toEqual([1]);

    const one = (await (
      await fetch(`${server.base}/api/workspaces/${ws}/diff?scope=branch&path=src%2Fapp.ts`)
    ).json()) as { patch: string; language: string };
    expect(one.language).toBe('typescript');
    expect(one.patch).toContain('+export const VERSION = 2;');
    expect(one.patch).not.toContain('added.ts');
    const bin = (await (
      await fetch(`${server.base}/api/workspaces/${ws}/diff?path=assets%2Flogo.bin`)
    ).json()) as { patch: string | null };
    expect(bin.patch).toBeNull();
  });

  it('refuses bad queries naming the field (422), and paths or commits outside the diff (400)', async () => {
    const get = (q: string) => fetch(`${server.base}/api/workspaces/${ws}/diff?${q}`);
    for (const [q, field] of [
      ['scope=everything', 'scope'],
      ['scope=commit', 'sha'],
      ['scope=branch&sha=abcdef1', 'sha'],
      ['scope=commit&sha=XYZ', 'sha'],
      ['path=..%2F..%2Fetc%2Fpasswd', 'path'],
      ['path=%2Fetc%2Fpasswd', 'path'],
      ['path=.git%2Fconfig', 'path'],
      ['color=red', ''],
    ] as const) {
      const res = await get(q);
      expect(res.status, q).toBe(422);
      const answer = (await res.json()) as ErrorAnswer;
      expect(answer.error.type).toBe('InvalidInput');
      if (field) expect(answer.error.fields?.map((f) => f.path)).toContain(field);
      else expect(answer.error.message).toContain('color');
    }
    // A real file of the repository that this diff does not change is not served.
    const readme = await get('path=README.md');
    expect(readme.status).toBe(400);
    expect(((await readme.json()) as ErrorAnswer).error.message).toContain('not a changed file');
    // A commit of the base branch is not one of the workspace's.
    const baseSha = git(repo.repo, 'rev-parse', 'main');
    const foreign = await get(`scope=commit&sha=${baseSha}`);
    expect(foreign.status).toBe(400);
    expect((await fetch(`${server.base}/api/workspaces/ws_nope/diff`)).status).toBe(404);
  });
});

describe('workspace page (Chromium)', () => {
  it('shows the changed, added, deleted, renamed and binary files with highlighting, in unified and split views, per commit and uncommitted', async () => {
    const { page, problems } = await openPage();
    try {
      const panel = page.getByTestId('diff-panel');
      const files = panel.getByTestId('diff-file');
      await expect.poll(() => files.count(), POLL).toBe(5);
      const status = async (p: string) =>
        panel.locator(`[data-testid="diff-file"][data-path="${p}"]`).getAttribute('data-status');
      expect(await status('src/app.ts')).toBe('modified');
      expect(await status('src/added.ts')).toBe('added');
      expect(await status('obsolete.txt')).toBe('deleted');
      expect(await status('docs/handbook.md')).toBe('renamed');
      expect(await status('assets/logo.bin')).toBe('added');
      const row = (p: string) => panel.locator(`[data-testid="diff-file"][data-path="${p}"]`);
      expect(await row('docs/handbook.md').locator('.diff-file-head').textContent()).toContain(
        'docs/guide.md → docs/handbook.md',
      );
      expect(await row('assets/logo.bin').locator('.diff-file-head').textContent()).toContain('binary');
      await expect
        .poll(() => row('assets/logo.bin').textContent(), { timeout: 30_000 })
        .toContain('Binary file; no text diff to show.');
      // Each file's patch is its own request: wait for each, do not read once.
      await expect
        .poll(() => row('docs/handbook.md').textContent(), { timeout: 30_000 })
        .toContain('Renamed without changes.');
      expect(await panel.getByTestId('diff-totals').textContent()).toMatch(/^5 files changed, \+\d+ −\d+$/);

      // Unified, highlighted: the TypeScript keywords carry the highlighter's classes.
      const app = row('src/app.ts').getByTestId('diff-view');
      await expect.poll(() => app.textContent(), POLL).toContain('export const VERSION = 2;');
      expect(await app.getAttribute('data-mode')).toBe('unified');
      await expect.poll(() => app.locator('[class*="hljs-keyword"]').count(), POLL).toBeGreaterThan(0);
      expect(await app.locator('table').count()).toBe(1);
      await page.screenshot({ path: path.join(SHOTS, 'workspace-diff.png'), fullPage: true });

      // Split: the old and new sides side by side.
      await panel.getByRole('button', { name: 'Split' }).click();
      await expect.poll(() => app.getAttribute('data-mode'), POLL).toBe('split');
      expect(await panel.getByRole('button', { name: 'Split' }).getAttribute('aria-pressed')).toBe('true');
      await expect.poll(() => app.textContent(), POLL).toContain('readFile');
      await row('src/app.ts').screenshot({ path: path.join(SHOTS, 'workspace-diff-split.png') });
      await panel.getByRole('button', { name: 'Unified' }).click();
      await expect.poll(() => app.getAttribute('data-mode'), POLL).toBe('unified');

      // One turn's commit.
      const scope = panel.getByLabel('Diff scope');
      const options = await scope.locator('option').allTextContents();
      expect(options[0]).toBe('Branch against origin/main');
      expect(options[1]).toMatch(/^Turn 1 [0-9a-f]{7}: Diff demo$/);
      expect(options[2]).toBe('Uncommitted changes');
      await scope.selectOption({ index: 1 });
      await expect.poll(() => files.count(), POLL).toBe(5);

      // Uncommitted changes in the worktree: an edit and an untracked file.
      fs.appendFileSync(path.join(worktree, 'src', 'added.ts'), 'export const later = 1;\n');
      fs.writeFileSync(path.join(worktree, 'NOTES.md'), '# Notes\n\nnot committed\n');
      try {
        await scope.selectOption('worktree');
        await expect.poll(() => files.count(), POLL).toBe(2);
        expect(await status('src/added.ts')).toBe('modified');
        expect(await status('NOTES.md')).toBe('added');
        await expect
          .poll(() => row('NOTES.md').getByTestId('diff-view').textContent())
          .toContain('not committed');
        expect(await row('NOTES.md').locator('.diff-file-head').textContent()).toContain('+3');
      } finally {
        git(worktree, 'checkout', '--', 'src/added.ts');
        fs.rmSync(path.join(worktree, 'NOTES.md'));
      }
      await scope.selectOption('branch');
      await expect.poll(() => files.count(), POLL).toBe(5);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('sends a comment on selected lines as a follow-up: the stored message and the next turn carry file, lines and comment', async () => {
    const { page, problems } = await openPage();
    try {
      const row = page.locator('[data-testid="diff-file"][data-path="src/app.ts"]');
      const view = row.getByTestId('diff-view');
      await expect.poll(() => view.textContent(), POLL).toContain('export const VERSION = 2;');
      // Select lines 3 to 5 of the new file by dragging over their line numbers.
      const lineNumber = (n: number) => view.locator(`[data-line-new-num="${n}"]`).first();
      await lineNumber(3).scrollIntoViewIfNeeded();
      const from = await lineNumber(3).boundingBox();
      const to = await lineNumber(5).boundingBox();
      expect(from && to).toBeTruthy();
      await page.mouse.move(from!.x + 5, from!.y + from!.height / 2);
      await page.mouse.down();
      await page.mouse.move(to!.x + 5, to!.y + to!.height / 2, { steps: 5 });
      await page.mouse.up();
      const form = page.getByTestId('diff-comment');
      await expect.poll(() => form.count(), POLL).toBe(1);
      expect(await form.getByLabel('From line').inputValue()).toBe('3');
      expect(await form.getByLabel('To line').inputValue()).toBe('5');
      await form.getByLabel('Comment').fill(COMMENT);
      await page.screenshot({ path: path.join(SHOTS, 'workspace-diff-comment.png'), fullPage: false });
      await form.getByRole('button', { name: 'Send to agent' }).click();
      await expect
        .poll(() => form.getByTestId('diff-comment-sent').textContent())
        .toBe('Queued as a follow-up');

      // The follow-up turn stores the message as its user row…
      const stored = await waitFor(
        'the follow-up turn to store its message',
        () =>
          db
            .select()
            .from(agentMessages)
            .where(eq(agentMessages.sessionId, `${ws}-t2-followup`))
            .all()
            .find((m) => m.role === 'user'),
        120_000,
      );
      const text = (stored.content as { text: string }).text;
      expect(text).toBe(
        [
          'Review comment on src/app.ts, lines 3-5 (from the diff of the branch against its base):',
          [
            '> export async function greet(name: string, punctuation = "!"): Promise<string> {',
            ">   const template = await readFile('greeting.txt', 'utf8');",
            ">   return template.replace('{name}', name.trim()) + punctuation;",
          ].join('\n'),
          COMMENT,
        ].join('\n\n'),
      );
      // …and the turn's activity got exactly that text as its follow-up prompt.
      const history = await env.client.workflow.getHandle(`workspace/${ws}`).fetchHistory();
      const turns = (history.events ?? [])
        .map((e) => e.activityTaskScheduledEventAttributes)
        .filter((a) => a?.activityType?.name === 'runAgentTurn')
        .map(
          (a) =>
            defaultPayloadConverter.fromPayload(a!.input!.payloads![0]!) as {
              turn: number;
              purpose: string;
              prompt: string;
            },
        );
      expect(turns.find((t) => t.turn === 2)).toMatchObject({ purpose: 'followup', prompt: text });

      // A bad comment is refused with the field named.
      const bad = await fetch(`${server.base}/api/workspaces/${ws}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          diffComment: { path: '../x', side: 'new', startLine: 5, endLine: 3, comment: '', scope: 'branch' },
        }),
      });
      expect(bad.status).toBe(422);
      const fields = ((await bad.json()) as ErrorAnswer).error.fields?.map((f) => f.path).sort();
      expect(fields).toEqual(['diffComment.comment', 'diffComment.endLine', 'diffComment.path']);
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('PR panel shows the checks the fake GitHub reports with their links, reviews, threads, mergeability and the ratchet reason; Check now polls again', async () => {
    await waitFor(
      'a CI fixer to have run',
      () => listFixAttempts({ db, workspaceId: ws }).some((f) => f.endedAt !== null),
      120_000,
    );
    const { page, problems } = await openPage();
    try {
      const panel = page.getByTestId('pr-panel');
      const checks = panel.getByTestId('pr-check');
      await expect.poll(() => checks.count(), POLL).toBe(2);
      expect(await checks.nth(0).getAttribute('data-result')).toBe('failure');
      expect(await checks.nth(0).textContent()).toBe('failure CI / lint');
      expect(await checks.nth(0).getByRole('link').getAttribute('href')).toBe(
        'https://github.com/acme/diffs/actions/runs/502/job/5020',
      );
      expect(await checks.nth(1).textContent()).toBe('success CI / build');
      expect(await checks.nth(1).getByRole('link').getAttribute('href')).toBe(
        'https://github.com/acme/diffs/actions/runs/501/job/5010',
      );
      expect(await panel.getByTestId('pr-ci').textContent()).toBe('CI failure');
      expect(await panel.getByTestId('pr-merge').textContent()).toContain('mergeable');
      const ratchet = (await panel.getByTestId('pr-ratchet').textContent()) ?? '';
      const row = getPullRequestByWorkspace({ db, workspaceId: ws })!;
      expect(ratchet).toContain(row.ratchetReason ?? '(no reason)');

      // GitHub changes; nothing polls for an hour; Check now reads it at once.
      fake.addReview('acme/diffs', prNumber, {
        author: { login: 'alice' },
        state: 'APPROVED',
        body: 'Looks good to me.',
      });
      fake.addThread('acme/diffs', prNumber, {
        path: 'src/app.ts',
        line: 3,
        comments: [
          {
            author: { login: 'lint-bot[bot]', isBot: true },
            body: 'Consider a named constant.',
            createdAt: '2026-01-01T00:10:00Z',
          },
        ],
      });
      expect(await panel.getByTestId('pr-reviews').count()).toBe(0);
      await panel.getByRole('button', { name: 'Check now' }).click();
      await expect
        .poll(() => panel.getByTestId('check-now-note').textContent())
        .toContain('Asked GitHub now');
      await expect
        .poll(() => panel.getByTestId('pr-reviews').textContent(), { timeout: 20_000 })
        .toContain('alice approved');
      expect(await panel.getByTestId('pr-threads').textContent()).toContain(
        'src/app.ts:3 lint-bot[bot]: Consider a named constant.',
      );
      await panel.screenshot({ path: path.join(SHOTS, 'workspace-pr-panel.png') });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('links every workflow of the workspace (workspace, ratchet, each fixer) to its run in the Temporal UI', async () => {
    // A fix attempt's row is keyed `<fixer workflow id>#<n>`: the same fixer id runs again on a retry.
    const fixerIds = [
      ...new Set(listFixAttempts({ db, workspaceId: ws }).map((f) => f.workflowId.replace(/#\d+$/, ''))),
    ];
    expect(fixerIds.length).toBeGreaterThan(0);
    const { page, problems } = await openPage();
    try {
      const links = page.getByTestId('workflow-link');
      await expect
        .poll(async () => (await links.allTextContents()).length, { timeout: 20_000 })
        .toBeGreaterThanOrEqual(3);
      const rows = await links.evaluateAll((els) =>
        els.map((el) => ({
          role: el.getAttribute('data-role'),
          href: el.querySelector('a')?.getAttribute('href') ?? null,
          id: el.querySelector('code')?.textContent,
        })),
      );
      const expected = async (workflowId: string) => {
        const runs: string[] = [];
        for await (const wf of env.client.workflow.list({ query: `WorkflowId = "${workflowId}"` }))
          runs.push(wf.runId);
        return runs.map(
          (run) => `${UI}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${run}/history`,
        );
      };
      const workspaceRun = (await env.client.workflow.getHandle(`workspace/${ws}`).describe()).runId;
      expect(rows.filter((r) => r.role === 'workspace')).toEqual([
        {
          role: 'workspace',
          id: `workspace/${ws}`,
          href: `${UI}/namespaces/default/workflows/workspace%2F${ws}/${workspaceRun}/history`,
        },
      ]);
      const ratchetRun = (await env.client.workflow.getHandle(`ratchet/${ws}`).describe()).runId;
      expect(rows.filter((r) => r.role === 'ratchet')).toEqual([
        {
          role: 'ratchet',
          id: `ratchet/${ws}`,
          href: `${UI}/namespaces/default/workflows/ratchet%2F${ws}/${ratchetRun}/history`,
        },
      ]);
      const fixers = rows.filter((r) => r.role === 'fixer');
      expect([...new Set(fixers.map((f) => f.id))].sort()).toEqual(fixerIds.sort());
      const expectedFixerHrefs = (await Promise.all(fixerIds.map(expected))).flat().sort();
      expect(fixers.map((f) => f.href).sort()).toEqual(expectedFixerHrefs);
      await page
        .getByTestId('workflow-links')
        .screenshot({ path: path.join(SHOTS, 'workspace-workflows.png') });
      expect(problems).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
