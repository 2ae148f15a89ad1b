/**
 * Console settings against a real SQLite file, and `startWorkspace` applying them to a workspace
 * started on a real Temporal dev server with an in-process worker, real git and the script runner.
 */
import fs from 'node:fs';
import { eq } from 'drizzle-orm';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAILY_BUDGET_SETTING } from '../../activities/agents/activities.js';
import { getSetting } from '../../db/queries/budget.js';
import { getConsoleSettings, listSettingRows, updateSettings } from '../../db/queries/settings.js';
import { getWorkspaceById } from '../../db/queries/workspaces.js';
import { agentSessions, settings } from '../../db/schema.js';
import type { Db } from '../../db/client.js';
import { archiveSignal, stateQuery } from '../../workflows/messages.js';
import { registerProject } from '../../web/lib/projects.js';
import { startWorkspace, type StartWorkspaceInput } from '../../web/lib/workspaces.js';
import { makeRepo, type TestRepo } from '../support/git.js';
import { useInProcessTemporal } from '../support/in-process-worker.js';
import { makeHome, waitFor } from '../support/workspace-harness.js';

describe('settings queries (real SQLite)', () => {
  let db: Db;
  let home: string;
  beforeAll(() => {
    ({ db, home } = makeHome('ratchet-settings-'));
  });
  afterAll(() => {
    db.$client.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('updateSettings upserts each key with a fresh updatedAt and leaves keys out of the patch alone', () => {
    updateSettings({ db, patch: { 'budget.dailyUsd': 10, 'budget.workspaceDefaultUsd': 2 }, now: 1000 });
    const after = updateSettings({ db, patch: { 'budget.dailyUsd': 25 }, now: 2000 });
    expect(after.values).toEqual({
      'agent.defaults': null,
      'budget.workspaceDefaultUsd': 2,
      'budget.dailyUsd': 25,
      'notify.webhookUrl': null,
    });
    expect(listSettingRows({ db })).toEqual([
      { key: 'budget.dailyUsd', value: 25, updatedAt: 2000 },
      { key: 'budget.workspaceDefaultUsd', value: 2, updatedAt: 1000 },
    ]);
  });

  it('the daily budget is stored where the agent activity reads it, as a plain number', () => {
    updateSettings({ db, patch: { 'budget.dailyUsd': 7.5 } });
    expect(DAILY_BUDGET_SETTING).toBe('budget.dailyUsd');
    expect(getSetting<number>({ db, key: DAILY_BUDGET_SETTING })).toBe(7.5);
  });

  it('updateSettings with null deletes the row, so readers see no cap', () => {
    updateSettings({ db, patch: { 'budget.dailyUsd': null, 'budget.workspaceDefaultUsd': null } });
    expect(listSettingRows({ db })).toEqual([]);
    expect(getSetting({ db, key: DAILY_BUDGET_SETTING })).toBeUndefined();
  });

  it('getConsoleSettings reports a hand-edited bad value as invalid and unset, and a save replaces it', () => {
    db.insert(settings)
      .values({ key: 'agent.defaults', value: { runner: 'gpt-5' } })
      .run();
    expect(getConsoleSettings({ db })).toEqual({
      values: {
        'agent.defaults': null,
        'budget.workspaceDefaultUsd': null,
        'budget.dailyUsd': null,
        'notify.webhookUrl': null,
      },
      invalid: ['agent.defaults'],
    });
    const saved = updateSettings({
      db,
      patch: { 'agent.defaults': { runner: 'script', maxTurns: 9, mode: 'agent' } },
    });
    expect(saved).toEqual({
      values: {
        'agent.defaults': { runner: 'script', mode: 'agent', maxTurns: 9 },
        'budget.workspaceDefaultUsd': null,
        'budget.dailyUsd': null,
        'notify.webhookUrl': null,
      },
      invalid: [],
    });
    updateSettings({ db, patch: { 'agent.defaults': null } });
  });
});

describe('startWorkspace with stored settings (real Temporal dev server, real worker, real git)', () => {
  const temporal = useInProcessTemporal({ name: 'settings' });
  const { taskQueue } = temporal;
  let env: TestWorkflowEnvironment;
  let db: Db;
  let repo: TestRepo;
  let projectId: string;

  beforeAll(async () => {
    ({ env, db } = temporal);
    repo = makeRepo({ prefix: 'ratchet-settings-repo-' });
    projectId = (await registerProject(db, { path: repo.repo, worktreeDir: repo.worktrees })).id;
  });

  afterAll(() => {
    if (repo) fs.rmSync(repo.root, { recursive: true, force: true });
  });

  /** Starts a workspace the way POST /api/workspaces does, runs its first turn, archives it. */
  async function startAndRun(input: Omit<StartWorkspaceInput, 'projectId'>) {
    const started = await startWorkspace({
      db,
      client: env.client,
      config: { worktreesDir: repo.worktrees, taskQueue },
      input: { projectId, ...input },
    });
    const handle = env.client.workflow.getHandle(started.workflowId);
    await temporal.withWorker(async () => {
      await waitFor('turn 1 done', async () => (await handle.query(stateQuery)).turnsDone === 1);
      await handle.signal(archiveSignal);
      await handle.result();
    });
    const row = getWorkspaceById({ db, id: started.workspaceId });
    const session = db
      .select()
      .from(agentSessions)
      .where(eq(agentSessions.workspaceId, started.workspaceId))
      .get();
    return { row, session };
  }

  it('startWorkspace fills what the request leaves out from agent.defaults and starts with the default budget', async () => {
    updateSettings({
      db,
      patch: {
        'agent.defaults': {
          runner: 'script',
          provider: 'demo',
          model: 'scripted-1',
          mode: 'agent',
          maxTurns: 7,
        },
        'budget.workspaceDefaultUsd': 3.5,
      },
    });
    const { row, session } = await startAndRun({ title: 'Defaults apply', prompt: 'Note the defaults' });
    expect(row?.agentConfig).toEqual({
      runner: 'script',
      provider: 'demo',
      model: 'scripted-1',
      mode: 'agent',
      maxTurns: 7,
    });
    expect(row?.budgetUsd).toBe(3.5);
    // The runner was handed the defaulted config.
    expect(session).toMatchObject({ runner: 'script', provider: 'demo', model: 'scripted-1', mode: 'agent' });
  });

  it('startWorkspace lets explicit request fields win, and gives no cap once the default budget is cleared', async () => {
    updateSettings({ db, patch: { 'budget.workspaceDefaultUsd': null } });
    const { row } = await startAndRun({
      title: 'Request wins',
      prompt: 'Use my settings',
      agent: { model: 'scripted-2', maxTurns: 3 },
    });
    expect(row?.agentConfig).toEqual({
      runner: 'script',
      provider: 'demo',
      model: 'scripted-2',
      mode: 'agent',
      maxTurns: 3,
    });
    expect(row?.budgetUsd).toBeNull();
  });

  it('startWorkspace without stored defaults keeps the built-in ones', async () => {
    updateSettings({ db, patch: { 'agent.defaults': null } });
    const { row } = await startAndRun({ title: 'Built-in defaults', prompt: 'Nothing stored' });
    expect(row?.agentConfig).toEqual({ runner: 'script', mode: 'agent', maxTurns: 40 });
    expect(row?.budgetUsd).toBeNull();
  });
});
