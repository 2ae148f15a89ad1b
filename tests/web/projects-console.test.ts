/**
 * The Projects page in Chromium against the production console build (`next start` on a real
 * SQLite file), with real git: clone by URL from a local bare repository (progress, then the
 * registered project in the list), the errors a clone can meet (a bad URL names the field, an
 * existing target, a repository that is not there), trusting and editing a setup script (an
 * edited text asks again), saving the ratchet policy, and removal refused while a workspace is
 * live (the repository on disk untouched). The loop honouring a saved policy, and archive
 * stopping the loop, run against real Temporal in tests/ratchet/policy.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../db/client.js';
import { projects, workspaces } from '../../db/schema.js';
import { seedWorkspace } from '../support/ratchet-harness.js';
import { git, makeRepo, type TestRepo } from '../support/git.js';
import { makeHome, waitFor } from '../support/workspace-harness.js';
import {
  ensureConsoleBuilt,
  launchChromium,
  newPage,
  startConsole,
  type ConsoleServer,
} from '../support/console-harness.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const SHOTS = path.join(ROOT, 'docs', 'screenshots');

let db: Db;
let home: string;
let server: ConsoleServer;
let browser: Browser;
let page: Page;
let upstream: TestRepo;

beforeAll(async () => {
  ensureConsoleBuilt();
  ({ db, home } = makeHome('ratchet-projects-console-'));
  upstream = makeRepo();
  server = await startConsole({ RATCHET_HOME: home });
  browser = await launchChromium();
  page = await newPage(browser);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  db?.$client.close();
});

const projectByPath = (p: string) => db.select().from(projects).where(eq(projects.repoPath, p)).get();

describe('Projects page', () => {
  it('clones by URL from a local bare repository, shows progress, and lists the registered project', async () => {
    await page.goto(`${server.base}/`);
    await page.getByRole('link', { name: 'Projects' }).click();
    await page.waitForURL(`${server.base}/projects`);

    // A URL Ratchet refuses: 422 naming the field, shown beside the form.
    await page.getByLabel('Repository URL').fill('https://token123@github.com/o/r.git');
    await page.getByRole('button', { name: 'Clone' }).click();
    await expect.poll(() => page.getByTestId('clone-error').textContent()).toMatch(/^URL .*credentials/);

    // A repository that is not there: the job fails with `repo_not_found`.
    await page.getByLabel('Repository URL').fill(`file://${upstream.root}/nope.git`);
    await page.getByRole('button', { name: 'Clone' }).click();
    await expect
      .poll(() => page.getByTestId('clone-status').getAttribute('data-status'), { timeout: 30_000 })
      .toBe('failed');
    expect(await page.getByTestId('clone-status').textContent()).toMatch(/repo_not_found/);

    const url = `file://${upstream.remote}`;
    await page.getByLabel('Repository URL').fill(url);
    await page.getByRole('button', { name: 'Clone' }).click();
    await expect
      .poll(() => page.getByTestId('clone-status').getAttribute('data-status'), { timeout: 60_000 })
      .toBe('succeeded');
    const target = path.join(home, 'projects', path.basename(upstream.remote).replace(/\.git$/, ''));
    expect(fs.existsSync(path.join(target, '.git'))).toBe(true);
    const row = projectByPath(fs.realpathSync(target));
    expect(row).toMatchObject({ remoteUrl: url, defaultBranch: 'main' });
    await expect.poll(() => page.getByTestId('projects-table').textContent()).toContain(url);

    // The same URL again: the target exists (409), nothing is overwritten.
    const res = await page.request.post(`${server.base}/api/projects/clones`, { data: { url } });
    expect(res.status()).toBe(409);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe('CloneTargetExists');
    const bad = await page.request.post(`${server.base}/api/projects/clones`, {
      data: { url: 'ext::whoami' },
    });
    expect(bad.status()).toBe(422);
    expect(((await bad.json()) as { error: { fields: { path: string }[] } }).error.fields[0]?.path).toBe(
      'url',
    );
    await page.screenshot({ path: path.join(SHOTS, 'projects.png'), fullPage: true });
  });

  it('trusts a setup script, and asks again once its text is edited; saves the ratchet policy', async () => {
    const project = db.select().from(projects).all()[0]!;
    await page.goto(`${server.base}/projects/${project.id}`);
    await page.locator('textarea[name="setup"]').fill('echo one > setup.txt');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('trust-setup').getAttribute('data-trust')).toBe('untrusted');
    await page.getByRole('button', { name: 'Approve this setup script' }).click();
    await expect.poll(() => page.getByTestId('trust-setup').getAttribute('data-trust')).toBe('approved');

    await page.locator('textarea[name="setup"]').fill('echo two > setup.txt');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByTestId('trust-setup').getAttribute('data-trust')).toBe('untrusted');
    expect(await page.getByTestId('trust-setup').textContent()).toContain('echo two > setup.txt');

    // The policy: an allowlisted bot, no approval needed, rebase, tighter caps, comment-only reviews count.
    await page
      .getByLabel(/Review bots whose feedback counts/)
      .fill('coderabbitai, copilot-pull-request-reviewer');
    await page.getByLabel(/Require a human approval/).uncheck();
    await page.getByLabel('Merge method').selectOption('rebase');
    await page.getByLabel('Fix attempts per unchanged snapshot').fill('2');
    await page.getByLabel('Comment-only reviews').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toMatch(/Saved/);
    const saved = db.select().from(projects).where(eq(projects.id, project.id)).get()!;
    expect(saved.ratchetPolicy).toEqual({
      reviewBotAllowlist: ['coderabbitai', 'copilot-pull-request-reviewer'],
      requireApproval: false,
      mergeMethod: 'rebase',
      maxAttemptsPerKey: 2,
      maxAttemptsPerPr: 12,
      reviewTriggers: ['changes_requested', 'unresolved_threads', 'commented'],
    });

    // A bad login is refused naming the field, and nothing is saved.
    await page.getByLabel(/Review bots whose feedback counts/).fill('not a login!');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => page.getByTestId('project-settings-error').textContent())
      .toMatch(/policy\.reviewBotAllowlist\.\d/);
  });

  it('refuses to remove a project with a live workspace, then removes it without touching the repository', async () => {
    const project = db.select().from(projects).all()[0]!;
    seedWorkspace(db, {
      id: `ws-live-${process.pid}`,
      projectId: project.id,
      branch: 'ratchet/live',
      status: 'idle',
    });
    await page.goto(`${server.base}/projects/${project.id}`);
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Remove project' }).click();
    await expect
      .poll(() => page.getByTestId('project-settings-error').textContent())
      .toMatch(/1 live workspace/);
    expect(projectByPath(project.repoPath)).toBeDefined();

    db.update(workspaces)
      .set({ status: 'archived', archivedAt: Date.now() })
      .where(eq(workspaces.projectId, project.id))
      .run();
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Remove project' }).click();
    await page.waitForURL(`${server.base}/projects`);
    await waitFor('the project to be gone', () => projectByPath(project.repoPath) === undefined);
    expect(git(project.repoPath, 'rev-parse', '--is-inside-work-tree').trim()).toBe('true');
  });
});
