/**
 * The console end to end: `next build web` once, `next start web` against a real SQLite file and a
 * real Temporal dev server (no worker, so health is honestly 503), driven by Debian Chromium.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Browser, Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { onPath } from '../../web/lib/health.js';
import {
  agentMessages,
  agentSessions,
  projects,
  settings,
  workspaceEvents,
  workspaces,
} from '../../db/schema.js';
import { git, makeRepo, type TestRepo } from '../support/git.js';
import { seedWorkspace } from '../support/ratchet-harness.js';
import { startDevServer } from '../support/temporal.js';
import {
  ensureConsoleBuilt,
  launchChromium,
  newPage as openPage,
  startConsole,
  type ConsoleServer,
} from '../support/console-harness.js';

const TASK_QUEUE = 'ratchet-console-test';

let home: string;
let db: Db;
let env: TestWorkflowEnvironment;
let server: ConsoleServer;
let base: string;
let browser: Browser;
let fixture: TestRepo;

beforeAll(async () => {
  ensureConsoleBuilt();
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-console-'));
  migrateDatabase(path.join(home, 'ratchet.db'));
  db = openDb(path.join(home, 'ratchet.db'));
  env = await startDevServer();
  fixture = makeRepo({ prefix: 'ratchet-console-repo-' });
  server = await startConsole({
    RATCHET_HOME: home,
    TEMPORAL_ADDRESS: env.address,
    RATCHET_TASK_QUEUE: TASK_QUEUE,
    // The installed agent packages (claude, claude-agent-acp) are on PATH, as `npx vitest` has them.
    PATH: `${path.resolve('node_modules/.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
  });
  base = server.base;
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await env?.teardown();
  db?.$client.close();
  if (home) fs.rmSync(home, { recursive: true, force: true });
  if (fixture) fs.rmSync(fixture.root, { recursive: true, force: true });
});

const newPage = (): Promise<Page> => openPage(browser);

describe('console', () => {
  it('registers a project through the form, with an inline error for a non-repo path', async () => {
    const page = await newPage();
    try {
      await page.goto(base);
      const form = page.getByRole('form', { name: 'Register project' });
      const notRepo = fs.mkdtempSync(path.join(home, 'not-a-repo-'));
      await form.getByLabel('Repository path').fill(notRepo);
      await form.getByRole('button', { name: 'Register' }).click();
      await expect
        .poll(() => page.getByTestId('project-error').textContent())
        .toContain(`${notRepo} is not a git repository`);

      await form.getByLabel('Repository path').fill(fixture.repo);
      await form.getByRole('button', { name: 'Register' }).click();
      await expect
        .poll(() => page.getByTestId('project-list').textContent())
        .toContain(fs.realpathSync(fixture.repo));
      await expect.poll(() => form.textContent()).toContain('Registered repo (default branch main)');
      expect(
        db
          .select()
          .from(projects)
          .all()
          .map((p) => p.repoPath),
      ).toEqual([fs.realpathSync(fixture.repo)]);
      // The new-workspace form now offers the project.
      await expect
        .poll(() => page.getByRole('form', { name: 'New workspace' }).getByLabel('Project').textContent())
        .toContain('repo');
    } finally {
      await page.close();
    }
  });

  it('GET /api/health reports database and Temporal ok and, with no worker polling, 503 with worker.ok false', async () => {
    const res = await fetch(`${base}/api/health`);
    const body = (await res.json()) as Record<string, Record<string, unknown>> & { status: string };
    expect(res.status).toBe(503);
    expect(body.status).toBe('degraded');
    expect(body.database).toMatchObject({ ok: true, file: path.join(home, 'ratchet.db') });
    expect(body.database!.migrations).toBeGreaterThan(0);
    expect(body.temporal).toMatchObject({ ok: true, address: env.address, namespace: 'default' });
    expect(body.worker).toMatchObject({ ok: false, pollers: 0 });
    expect(body.runners).toMatchObject({ script: true, anthropic: false, openai: false });
    // Provider health: every runner and ACP preset, installed and authenticated, no values.
    expect(body.providers).toMatchObject({
      anthropic: { installed: true, authenticated: false },
      openai: { installed: true, authenticated: false },
      'claude-code': { installed: expect.any(Boolean) },
      acp: {
        claude: { installed: expect.any(Boolean) },
        // codex-acp and gemini-cli are devDependencies.
        codex: { installed: true },
        gemini: { installed: true },
      },
    });
    expect(['gh', 'missing']).toContain(body.github!.auth);
  });

  it('answers 422 naming the field for malformed bodies, and 404 for unknown workspaces', async () => {
    const bad = await fetch(`${base}/api/projects`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: 42 }),
    });
    expect(bad.status).toBe(422);
    const badBody = (await bad.json()) as { error: { type: string; fields: Array<{ path: string }> } };
    expect(badBody.error.type).toBe('InvalidInput');
    expect(badBody.error.fields.map((f) => f.path)).toEqual(['path']);

    const ws = await fetch(`${base}/api/workspaces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ projectId: 'p', title: '', agent: { runner: 'gpt' } }),
    });
    expect(ws.status).toBe(422);
    const wsBody = (await ws.json()) as { error: { fields: Array<{ path: string }> } };
    expect(wsBody.error.fields.map((f) => f.path).sort()).toEqual(['agent.runner', 'prompt', 'title']);
    // Not an object at all (the route fuzz found this a 500 once): one 422, nothing thrown.
    const nullBody = await fetch(`${base}/api/workspaces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'null',
    });
    expect(nullBody.status).toBe(422);

    // A body that is not JSON: 422 naming the body when declared as JSON, 415 when it says nothing.
    const notJson = await fetch(`${base}/api/projects`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(notJson.status).toBe(422);
    const undeclared = await fetch(`${base}/api/projects`, { method: 'POST', body: '{nope' });
    expect(undeclared.status).toBe(415);

    const unknownProject = await fetch(`${base}/api/workspaces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ projectId: 'prj_missing', title: 't', prompt: 'p' }),
    });
    expect(unknownProject.status).toBe(404);

    expect((await fetch(`${base}/api/workspaces/ws_nope`)).status).toBe(404);
    expect((await fetch(`${base}/api/workspaces/..%2Fetc`)).status).toBe(422);
  });

  it('offers the acp runner with the installed ACP agents only, and the chosen agent reaches the spec', async () => {
    const page = await newPage();
    try {
      await page.goto(base);
      const form = page.getByRole('form', { name: 'New workspace' });
      await form.getByLabel('Title').fill('Try an ACP agent');
      await form.getByLabel('Prompt').fill('Write ACP.md');
      await form.getByLabel('Runner').selectOption('acp');
      const agents = await form.getByLabel('ACP agent').locator('option').allTextContents();
      // claude-agent-acp, codex-acp and gemini-cli are installed as devDependencies.
      expect(agents).toEqual(['claude', 'codex', 'gemini']);
      await form.getByRole('button', { name: 'Start workspace' }).click();
      await page.waitForURL(/\/workspaces\/ws_[0-9a-z]+$/);
      const workspaceId = page.url().split('/').pop()!;
      const handle = env.client.workflow.getHandle(`workspace/${workspaceId}`);
      const history = await handle.fetchHistory();
      const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      const input = defaultPayloadConverter.fromPayload(payload!) as { spec: Record<string, unknown> };
      expect(input.spec).toMatchObject({ agent: { runner: 'acp', provider: 'claude', mode: 'agent' } });
      await handle.terminate('test done');
    } finally {
      await page.close();
    }
  });

  it('starts a workspace workflow from the form and shows it as starting until the row exists', async () => {
    const project = db.select().from(projects).get();
    expect(project).toBeDefined();
    const page = await newPage();
    try {
      await page.goto(base);
      const form = page.getByRole('form', { name: 'New workspace' });
      await form.getByLabel('Title').fill('Add a changelog');
      await form.getByLabel('Prompt').fill('Write CHANGELOG.md');
      await form.getByLabel('Runner').selectOption('script');
      await form.getByRole('button', { name: 'Start workspace' }).click();
      await page.waitForURL(/\/workspaces\/ws_[0-9a-z]+$/);
      const workspaceId = page.url().split('/').pop()!;
      await expect.poll(() => page.getByTestId('starting').textContent()).toBe('Starting…');

      // The workflow Temporal holds carries the spec the console built.
      const handle = env.client.workflow.getHandle(`workspace/${workspaceId}`);
      const description = await handle.describe();
      expect(description.type).toBe('workspaceWorkflow');
      expect(description.taskQueue).toBe(TASK_QUEUE);
      const history = await handle.fetchHistory();
      const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      const input = defaultPayloadConverter.fromPayload(payload!) as { spec: Record<string, unknown> };
      expect(input.spec).toMatchObject({
        workspaceId,
        projectId: project!.id,
        repoPath: project!.repoPath,
        baseBranch: 'main',
        title: 'Add a changelog',
        prompt: 'Write CHANGELOG.md',
        agent: { runner: 'script', mode: 'agent' },
        github: null,
        ratchet: { enabled: true, autoMerge: false },
      });
      const branch = input.spec.branch as string;
      expect(branch).toMatch(/^ratchet\/add-a-changelog-[a-z0-9]{4}$/);
      expect(input.spec.worktreeRoot).toBe(path.join(home, 'worktrees', project!.id));
      expect(input.spec.worktreePath).toBe(
        path.join(home, 'worktrees', project!.id, branch.replaceAll('/', '-')),
      );
      await handle.terminate('test done');
    } finally {
      await page.close();
    }
  });

  it('POST /api/workspaces carries the GitHub repo of origin and the ratchet switches into the spec', async () => {
    const gh = makeRepo({ prefix: 'ratchet-console-gh-' });
    try {
      git(gh.repo, 'remote', 'set-url', 'origin', 'git@github.com:octo/widgets.git');
      const reg = await fetch(`${base}/api/projects`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ path: gh.repo }),
      });
      const { project } = (await reg.json()) as { project: { id: string; githubOwner: string } };
      expect(project.githubOwner).toBe('octo');
      const res = await fetch(`${base}/api/workspaces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          projectId: project.id,
          title: 'Fix flaky test',
          prompt: 'Make it pass',
          baseBranch: 'main',
          ratchet: { autoMerge: true },
        }),
      });
      expect(res.status).toBe(202);
      const { workspaceId, workflowId } = (await res.json()) as { workspaceId: string; workflowId: string };
      expect(workflowId).toBe(`workspace/${workspaceId}`);
      const handle = env.client.workflow.getHandle(workflowId);
      const history = await handle.fetchHistory();
      const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      const input = defaultPayloadConverter.fromPayload(payload!) as { spec: Record<string, unknown> };
      expect(input.spec).toMatchObject({
        github: { owner: 'octo', repo: 'widgets' },
        ratchet: { enabled: true, autoMerge: true },
      });
      await handle.terminate('test done');
    } finally {
      fs.rmSync(gh.root, { recursive: true, force: true });
    }
  });

  it('renders the timeline and transcript from SQLite and appends new rows live', async () => {
    const project = db.select().from(projects).get()!;
    const id = 'ws_rendertest0001';
    db.insert(workspaces)
      .values({
        id,
        projectId: project.id,
        title: 'Render check',
        prompt: 'p',
        branch: 'ratchet/render-check-0001',
        baseBranch: 'main',
        worktreePath: '/tmp/wt/render',
        status: 'agent_running',
        agentConfig: { runner: 'script', mode: 'agent', maxTurns: 40 },
        workflowId: `workspace/${id}`,
        // A stale cached figure: Spend is summed from the transcript rows, not read from here.
        spentUsd: 9.99,
      })
      .run();
    db.insert(workspaceEvents)
      .values([
        {
          workspaceId: id,
          kind: 'workspace.created',
          message: 'Workspace created on ratchet/render-check-0001',
        },
        { workspaceId: id, kind: 'worktree.created', message: 'Worktree ready at /tmp/wt/render' },
      ])
      .run();
    db.insert(agentSessions)
      .values({
        id: 'ses_render1',
        workspaceId: id,
        purpose: 'implement',
        runner: 'script',
        status: 'running',
        costUsd: 0.42,
      })
      .run();
    db.insert(agentMessages)
      .values([
        { sessionId: 'ses_render1', seq: 1, role: 'user', content: 'Please render' },
        { sessionId: 'ses_render1', seq: 2, role: 'assistant', content: { text: 'PARTIAL attempt text' } },
        { sessionId: 'ses_render1', seq: 3, role: 'reset', content: { attempt: 2 } },
        {
          sessionId: 'ses_render1',
          seq: 4,
          role: 'assistant',
          content: { text: 'Reading the repository now.' },
          costUsd: 0.42,
        },
        {
          sessionId: 'ses_render1',
          seq: 5,
          role: 'tool_call',
          toolName: 'read_file',
          toolCallId: 'c1',
          content: { args: { path: 'README.md' } },
        },
        {
          sessionId: 'ses_render1',
          seq: 6,
          role: 'tool_result',
          toolName: 'read_file',
          toolCallId: 'c1',
          content: 'SECRET-LOOKING FILE BODY',
        },
      ])
      .run();

    const page = await newPage();
    try {
      await page.goto(`${base}/workspaces/${id}`);
      await expect.poll(() => page.getByTestId('ws-status').textContent()).toBe('agent running');
      await expect
        .poll(() => page.getByTestId('timeline').textContent())
        .toContain('Worktree ready at /tmp/wt/render');
      const transcript = page.getByTestId('transcript');
      await expect.poll(() => transcript.textContent()).toContain('Reading the repository now.');
      const text = (await transcript.textContent()) ?? '';
      expect(text).toContain('Please render');
      expect(text).not.toContain('PARTIAL attempt text');
      expect(text).toContain('read_file');
      expect(text).toContain('"path": "README.md"');
      // Tool calls are cards, collapsed (arguments and result) until opened.
      expect(await page.locator('details.tool-card').getAttribute('open')).toBeNull();
      expect(await page.getByText('SECRET-LOOKING FILE BODY').isVisible()).toBe(false);
      // Only the actions that apply: archive yes, approve plan / raise budget no.
      expect(await page.getByRole('button', { name: 'Archive' }).count()).toBe(1);
      expect(await page.getByRole('button', { name: 'Approve plan' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Raise budget' }).count()).toBe(0);
      // No pull request, no ratchet loop: no Ratchet card.
      expect(await page.getByTestId('ratchet-card').count()).toBe(0);

      // New rows written while the page is open appear without a reload, and the header follows.
      db.insert(agentMessages)
        .values({
          sessionId: 'ses_render1',
          seq: 7,
          role: 'assistant',
          content: { text: 'Done: CHANGELOG written.' },
        })
        .run();
      db.update(workspaces).set({ status: 'awaiting_plan_approval' }).where(eq(workspaces.id, id)).run();
      db.insert(workspaceEvents)
        .values({ workspaceId: id, kind: 'status.awaiting_plan_approval', message: 'Plan ready for review' })
        .run();
      await expect
        .poll(() => transcript.textContent(), { timeout: 10_000 })
        .toContain('Done: CHANGELOG written.');
      await expect
        .poll(() => page.getByTestId('timeline').textContent(), { timeout: 10_000 })
        .toContain('Plan ready for review');
      await expect
        .poll(() => page.getByRole('button', { name: 'Approve plan' }).count(), { timeout: 10_000 })
        .toBe(1);
      expect(((await transcript.textContent()) ?? '').match(/Reading the repository now\./g)).toHaveLength(1);
      await page.screenshot({ path: '/tmp/ratchet-workspace.png', fullPage: true });

      // The incremental endpoints page by id.
      const events = (await (await fetch(`${base}/api/workspaces/${id}/events?after=0`)).json()) as {
        events: Array<{ id: number }>;
        cursor: number;
      };
      expect(events.events).toHaveLength(3);
      const tail = (await (
        await fetch(`${base}/api/workspaces/${id}/events?after=${events.events[1]!.id}`)
      ).json()) as { events: unknown[]; cursor: number };
      expect(tail.events).toHaveLength(1);
      expect(tail.cursor).toBe(events.cursor);
      const msgs = (await (await fetch(`${base}/api/workspaces/${id}/messages?after=0`)).json()) as {
        messages: Array<{ seq: number }>;
      };
      expect(msgs.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect((await fetch(`${base}/api/workspaces/${id}/messages?after=-1`)).status).toBe(422);

      // The board shows the card in Waiting with its reason.
      await page.goto(base);
      const waiting = page.locator('[data-column="waiting"]');
      await expect.poll(() => waiting.textContent()).toContain('Render check');
      expect(await waiting.textContent()).toContain('Plan ready for approval');
      expect(await waiting.textContent()).toContain('$0.42');
      await page.screenshot({ path: '/tmp/ratchet-board.png', fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('GET and PATCH /api/settings store, clear and refuse settings, naming the bad field', async () => {
    const patch = (body: unknown) =>
      fetch(`${base}/api/settings`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    type Answer = { settings: Record<string, unknown>; invalid: string[] };
    const initial = (await (await fetch(`${base}/api/settings`)).json()) as Answer;
    expect(initial).toEqual({
      settings: {
        'agent.defaults': null,
        'budget.workspaceDefaultUsd': null,
        'budget.dailyUsd': null,
        'notify.webhookUrl': null,
      },
      invalid: [],
    });

    const bad = await patch({
      'budget.dailyUsd': -5,
      'agent.defaults': { runner: 'gpt', maxTurns: 1000 },
      'budget.daily': 1,
    });
    expect(bad.status).toBe(422);
    const badBody = (await bad.json()) as {
      error: { type: string; fields: Array<{ path: string; message: string }> };
    };
    expect(badBody.error.type).toBe('InvalidInput');
    expect(badBody.error.fields.map((f) => f.path).sort()).toEqual([
      'agent.defaults.maxTurns',
      'agent.defaults.runner',
      'budget.daily',
      'budget.dailyUsd',
    ]);
    expect(badBody.error.fields.find((f) => f.path === 'budget.dailyUsd')?.message).toBe(
      'must be at least 0.01 (one cent)',
    );
    // A refused body writes nothing.
    expect(db.select().from(settings).all()).toEqual([]);

    const ok = await patch({
      'agent.defaults': { runner: 'openai', model: ' llama3 ', maxTurns: 12 },
      'budget.dailyUsd': 8,
    });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as Answer).settings).toEqual({
      'agent.defaults': { runner: 'openai', model: 'llama3', mode: 'agent', maxTurns: 12 },
      'budget.workspaceDefaultUsd': null,
      'budget.dailyUsd': 8,
      'notify.webhookUrl': null,
    });
    // Keys left out stay; null clears.
    const cleared = (await (await patch({ 'budget.dailyUsd': null })).json()) as Answer;
    expect(cleared.settings['budget.dailyUsd']).toBeNull();
    expect(cleared.settings['agent.defaults']).toMatchObject({ runner: 'openai', model: 'llama3' });
    const again = (await (await fetch(`${base}/api/settings`)).json()) as Answer;
    expect(again.settings).toEqual(cleared.settings);
    expect(db.select({ key: settings.key }).from(settings).all()).toEqual([{ key: 'agent.defaults' }]);

    expect((await patch({ 'agent.defaults': null })).status).toBe(200);
    expect(db.select().from(settings).all()).toEqual([]);

    // A daily-budget change asks workspaces waiting for budget to try again; one whose workflow is
    // gone is skipped, and the setting is saved regardless.
    const project = db.select().from(projects).get()!;
    const waitingId = 'ws_budgetwait0001';
    seedWorkspace(db, {
      id: waitingId,
      projectId: project.id,
      branch: 'ratchet/waiting-0001',
      status: 'awaiting_budget',
    });
    const woke = await patch({ 'budget.dailyUsd': 3 });
    expect(woke.status).toBe(200);
    expect(await woke.json()).toMatchObject({ settings: { 'budget.dailyUsd': 3 }, woke: [] });
    db.delete(workspaces).where(eq(workspaces.id, waitingId)).run();
    expect((await patch({ 'budget.dailyUsd': null })).status).toBe(200);
    expect(db.select().from(settings).all()).toEqual([]);
    expect(
      (
        await fetch(`${base}/api/settings`, {
          method: 'PATCH',
          headers: { 'content-type': 'application/json' },
          body: '{nope',
        })
      ).status,
    ).toBe(422);
    expect((await fetch(`${base}/api/settings`, { method: 'PATCH', body: '{nope' })).status).toBe(415);
  });

  it('edits agent defaults and budgets in Settings; they survive a reload, pre-fill the new-workspace form and reach the spec', async () => {
    const page = await newPage();
    try {
      await page.goto(`${base}/settings`);
      const form = page.getByRole('form', { name: 'Edit settings' });
      // No key in this console's environment: model runners are marked, and with no defaults stored
      // the form offers the first runner it can run (the demo runner, unless the claude CLI is installed).
      const expected = onPath('claude', process.env.PATH) ? 'claude-code' : 'script';
      expect(await form.getByLabel('Runner').inputValue()).toBe(expected);
      expect(await form.getByLabel('Runner').textContent()).toContain('anthropic (not configured)');
      await form.getByLabel('Runner').selectOption('openai');
      await form.locator('[name="model"]').fill('qwen2.5-coder:14b');
      await form.locator('[name="mode"]').selectOption('plan');
      await form.getByLabel('Max turns').fill('12');
      await form.getByLabel('Workspace budget (USD)').fill('3');
      await form.getByLabel('Daily budget (USD)').fill('-5');
      await form.getByRole('button', { name: 'Save settings' }).click();
      // The server's refusal shows next to its field, and nothing is saved.
      await expect
        .poll(() => form.locator('label', { hasText: 'Daily budget' }).textContent())
        .toContain('must be at least 0.01 (one cent)');
      expect(await form.getByLabel('Daily budget (USD)').getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByTestId('settings-saved').count()).toBe(0);
      expect(db.select().from(settings).all()).toEqual([]);

      await form.getByLabel('Daily budget (USD)').fill('25');
      await form.getByRole('button', { name: 'Save settings' }).click();
      await expect.poll(() => page.getByTestId('settings-saved').textContent()).toBe('Saved.');
      expect(await form.locator('.error').count()).toBe(0);

      await page.reload();
      const reloaded = page.getByRole('form', { name: 'Edit settings' });
      expect(await reloaded.getByLabel('Runner').inputValue()).toBe('openai');
      expect(await reloaded.locator('[name="model"]').inputValue()).toBe('qwen2.5-coder:14b');
      expect(await reloaded.locator('[name="mode"]').inputValue()).toBe('plan');
      expect(await reloaded.getByLabel('Max turns').inputValue()).toBe('12');
      expect(await reloaded.getByLabel('Workspace budget (USD)').inputValue()).toBe('3');
      expect(await reloaded.getByLabel('Daily budget (USD)').inputValue()).toBe('25');
      const table = (await page.getByTestId('settings-table').textContent()) ?? '';
      expect(table).toContain('budget.dailyUsd25');
      expect(table).toContain('"model":"qwen2.5-coder:14b"');
      // The configuration facts are still there.
      expect(await page.getByText(path.join(home, 'ratchet.db')).count()).toBe(1);
      await page.screenshot({ path: '/tmp/ratchet-settings.png', fullPage: true });

      // The new-workspace form starts from the stored defaults.
      await page.goto(base);
      const ws = page.getByRole('form', { name: 'New workspace' });
      expect(await ws.getByLabel('Runner').inputValue()).toBe('openai');
      expect(await ws.locator('[name="model"]').inputValue()).toBe('qwen2.5-coder:14b');
      expect(await ws.locator('[name="mode"]').inputValue()).toBe('plan');
      // The default model belongs to the default runner: another runner drops it, coming back restores it.
      await ws.getByLabel('Runner').selectOption('anthropic');
      expect(await ws.locator('[name="model"]').inputValue()).toBe('');
      await ws.getByLabel('Runner').selectOption('openai');
      expect(await ws.locator('[name="model"]').inputValue()).toBe('qwen2.5-coder:14b');

      await ws.getByLabel('Title').fill('Use the defaults');
      await ws.getByLabel('Prompt').fill('Start from Settings');
      await ws.getByRole('button', { name: 'Start workspace' }).click();
      await page.waitForURL(/\/workspaces\/ws_[0-9a-z]+$/);
      const workspaceId = page.url().split('/').pop()!;
      const handle = env.client.workflow.getHandle(`workspace/${workspaceId}`);
      const history = await handle.fetchHistory();
      const payload = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      const input = defaultPayloadConverter.fromPayload(payload!) as { spec: Record<string, unknown> };
      expect(input.spec.agent).toEqual({
        runner: 'openai',
        model: 'qwen2.5-coder:14b',
        mode: 'plan',
        maxTurns: 12,
      });
      expect(input.spec.budgetUsd).toBe(3);
      await handle.terminate('test done');
    } finally {
      await page.close();
    }
  });
});
