/**
 * Budget and plan approval in the workspace workflow, on the time-skipping test server with the
 * anthropic runner aimed at a loopback Messages API. A workspace over its cap waits in
 * `awaiting_budget` without growing its history (three skipped days), then resumes from its
 * transcript when the budget is raised. Plan mode waits for approval, then implements the plan.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { and, eq, like } from 'drizzle-orm';
import { workflowIds } from '../../core/ids.js';
import type { WorkspaceSpec } from '../../core/workspace.js';
import { createAnthropicRunner } from '../../activities/agents/anthropic-runner.js';
import { createToolbox } from '../../activities/agents/tools/index.js';
import type { Db } from '../../db/client.js';
import { getSpendSince } from '../../db/queries/budget.js';
import { updateSettings } from '../../db/queries/settings.js';
import { utcDayStart } from '../../core/budget.js';
import { agentMessages, agentSessions, workspaces } from '../../db/schema.js';
import { recheckWaitingBudgets, setBudget } from '../../web/lib/workspaces.js';
import { approvePlanUpdate, archiveSignal, budgetUpdate, stateQuery } from '../../workflows/messages.js';
import { createActivities } from '../../worker/activities.js';
import { WORKFLOWS_ENTRY } from '../../worker/bundle.js';
import { loadConfig } from '../../worker/env.js';
import { workerInterceptors } from '../../worker/interceptors.js';
import { startFakeAnthropic, type FakeAnthropic, type FakeAnthropicTurn } from '../support/fake-anthropic.js';
import { makeRepo, remoteCommits } from '../support/git.js';
import { startTimeSkippingServer } from '../support/temporal.js';
import { addProject, eventKinds, input, makeHome, specFor, waitFor } from '../support/workspace-harness.js';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let db: Db;
let home: string;
const taskQueue = `agent-budget-${process.pid}`;
const fakes: FakeAnthropic[] = [];

beforeAll(async () => {
  env = await startTimeSkippingServer();
  bundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY });
  ({ db, home } = makeHome());
}, 120_000);

afterAll(async () => {
  for (const f of fakes) await f.close();
  await env?.teardown();
});

/** Runs `fn` with an in-process worker whose anthropic runner talks to a fake serving `script`. */
async function withFake<T>(script: FakeAnthropicTurn[], fn: (fake: FakeAnthropic) => Promise<T>): Promise<T> {
  const fake = await startFakeAnthropic(script);
  fakes.push(fake);
  const anthropic = createAnthropicRunner({
    apiKey: 'sk-ant-test-key',
    baseURL: fake.url,
    makeToolbox: ({ worktree, mode }) => createToolbox({ worktree, mode, env: process.env }),
    env: process.env,
  });
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: createActivities({
      db,
      config: loadConfig({ RATCHET_HOME: home }),
      extraRunners: { anthropic },
    }),
    interceptors: workerInterceptors(db),
  });
  return worker.runUntil(fn(fake));
}

function start(spec: WorkspaceSpec): Promise<WorkflowHandle> {
  return env.client.workflow.start('workspaceWorkflow', {
    workflowId: workflowIds.workspace(spec.workspaceId),
    taskQueue,
    args: [input(spec, { heartbeatTimeoutMs: 10_000 })],
  });
}

const statusOf = async (handle: WorkflowHandle) => (await handle.query(stateQuery)).status;
const historyLength = async (handle: WorkflowHandle) => (await handle.fetchHistory()).events?.length ?? 0;

function sessionRows(sessionId: string) {
  return db
    .select()
    .from(agentMessages)
    .where(eq(agentMessages.sessionId, sessionId))
    .orderBy(agentMessages.seq)
    .all();
}

describe('workspace workflow with a model runner: budget and plan approval', () => {
  it('parks in awaiting_budget without growing history, then resumes from the transcript after the budget is raised', async () => {
    const repo = makeRepo();
    // The first call costs 10k × $3/M + 1k × $15/M = $0.045, over the $0.02 cap the workspace starts with.
    const spec: WorkspaceSpec = {
      ...specFor(repo, addProject(db, repo), {
        prompt: 'Append a line to budget.txt',
        agent: { runner: 'anthropic', model: 'claude-sonnet-4-6' },
      }),
      budgetUsd: 0.02,
    };
    const usage = { input_tokens: 10_000, output_tokens: 1000 };
    await withFake(
      [
        {
          type: 'reply',
          toolCalls: [
            { id: 'toolu_budget1', name: 'run_command', input: { command: 'echo once >> budget.txt' } },
          ],
          usage,
        },
        { type: 'reply', text: 'Done within the raised budget.', usage },
      ],
      async (fake) => {
        const handle = await start(spec);
        await waitFor('awaiting_budget', async () => (await statusOf(handle)) === 'awaiting_budget', 60_000);
        expect(fake.requests).toHaveLength(1);
        expect(fs.readFileSync(path.join(spec.worktreePath, 'budget.txt'), 'utf8')).toBe('once\n');
        const sessionId = `${spec.workspaceId}-t1-implement`;
        expect(db.select().from(agentSessions).where(eq(agentSessions.id, sessionId)).get()?.status).toBe(
          'awaiting_budget',
        );

        // Three days pass (skipped): the wait is a condition, not a polling timer, so history stays put.
        const before = await historyLength(handle);
        await env.sleep('3 days');
        const after = await historyLength(handle);
        expect(after - before).toBeLessThanOrEqual(2);
        expect(await statusOf(handle)).toBe('awaiting_budget');
        expect(fake.requests).toHaveLength(1);

        await expect(handle.executeUpdate(budgetUpdate, { args: [{ budgetUsd: -1 }] })).rejects.toMatchObject(
          { cause: { message: expect.stringMatching(/positive/) } },
        );
        // Through the console's helper: the answer says the workspace was waiting and tries again.
        expect(
          await setBudget({ db, client: env.client, workspaceId: spec.workspaceId, budgetUsd: 1 }),
        ).toEqual({
          budgetUsd: 1,
          resumed: true,
          message: 'Budget set to $1; the workspace tries again.',
        });
        await waitFor(
          'turn 1 to finish',
          async () => (await handle.query(stateQuery)).turnsDone === 1,
          60_000,
        );
        fake.assertDone();

        // Resumed from the transcript: the command did not run again, and the second call carried its result.
        expect(fs.readFileSync(path.join(spec.worktreePath, 'budget.txt'), 'utf8')).toBe('once\n');
        const rows = sessionRows(sessionId);
        expect(rows.map((r) => r.role).join(' ')).toBe('user assistant tool_call tool_result assistant');
        expect(rows.filter((r) => r.role === 'tool_result' && r.toolCallId === 'toolu_budget1')).toHaveLength(
          1,
        );
        const resumed = fake.requests[1]?.body as { messages: Array<{ role: string; content: unknown }> };
        expect(resumed.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
        expect(resumed.messages[2]?.content).toEqual([
          expect.objectContaining({ type: 'tool_result', tool_use_id: 'toolu_budget1' }),
        ]);

        const ws = db.select().from(workspaces).where(eq(workspaces.id, spec.workspaceId)).get();
        expect(ws?.budgetUsd).toBe(1);
        expect(remoteCommits(repo.remote, spec.branch)).toEqual([spec.title]);
        expect(await statusOf(handle)).toBe('idle');
        // Raising the budget of a workspace that is not waiting says so (it used to answer the same
        // bare 200), and cancelling a wait that is not there is refused.
        await waitFor(
          'the row to say idle',
          async () =>
            db.select().from(workspaces).where(eq(workspaces.id, spec.workspaceId)).get()?.status === 'idle',
          30_000,
        );
        expect(
          await setBudget({ db, client: env.client, workspaceId: spec.workspaceId, budgetUsd: 2 }),
        ).toMatchObject({
          budgetUsd: 2,
          resumed: false,
          message: expect.stringContaining(
            'not waiting for budget (status is idle), so the new cap applies from its next model call',
          ),
        });
        expect(db.select().from(workspaces).where(eq(workspaces.id, spec.workspaceId)).get()?.budgetUsd).toBe(
          2,
        );
        await expect(
          setBudget({ db, client: env.client, workspaceId: spec.workspaceId, cancel: true }),
        ).rejects.toMatchObject({ type: 'NotApplicable' });
        await handle.signal(archiveSignal);
        expect((await handle.result()).archived).toBe(true);
      },
    );
  }, 180_000);

  it('the daily budget binds too: raising it in Settings wakes the waiting workspace, which continues', async () => {
    const repo = makeRepo();
    const spec = specFor(repo, addProject(db, repo), {
      prompt: 'Append a line to daily.txt',
      agent: { runner: 'anthropic', model: 'claude-sonnet-4-6' },
    });
    // No workspace cap; the daily cap (over all workspaces) leaves $0.01 for today, less than one call costs.
    const spentToday = getSpendSince({ db, since: utcDayStart(Date.now()) });
    updateSettings({ db, patch: { 'budget.dailyUsd': spentToday + 0.01 } });
    const usage = { input_tokens: 10_000, output_tokens: 1000 };
    try {
      await withFake(
        [
          {
            type: 'reply',
            toolCalls: [
              { id: 'toolu_daily1', name: 'run_command', input: { command: 'echo once >> daily.txt' } },
            ],
            usage,
          },
          { type: 'reply', text: 'Done after the daily budget was raised.', usage },
        ],
        async (fake) => {
          const handle = await start(spec);
          await waitFor(
            'awaiting_budget',
            async () => (await statusOf(handle)) === 'awaiting_budget',
            60_000,
          );
          expect(fake.requests).toHaveLength(1);
          // Nothing to wake while the cap is unchanged, and a recheck does not spend past it either.
          expect(await recheckWaitingBudgets({ db, client: async () => env.client })).toEqual([
            spec.workspaceId,
          ]);
          const parked = () =>
            eventKinds(db, spec.workspaceId).filter((k) => k === 'status.awaiting_budget').length;
          await waitFor('parked a second time', () => parked() === 2, 60_000);
          expect(await statusOf(handle)).toBe('awaiting_budget');
          expect(fake.requests).toHaveLength(1);

          // The person raises the daily budget in Settings; the console asks waiting workspaces to try again.
          updateSettings({ db, patch: { 'budget.dailyUsd': spentToday + 5 } });
          expect(await recheckWaitingBudgets({ db, client: async () => env.client })).toEqual([
            spec.workspaceId,
          ]);
          await waitFor(
            'turn 1 to finish',
            async () => (await handle.query(stateQuery)).turnsDone === 1,
            60_000,
          );
          fake.assertDone();
          expect(fs.readFileSync(path.join(spec.worktreePath, 'daily.txt'), 'utf8')).toBe('once\n');
          // Not waiting any more: a recheck finds nobody to wake.
          expect(await recheckWaitingBudgets({ db, client: async () => env.client })).toEqual([]);
          await handle.signal(archiveSignal);
          await handle.result();
        },
      );
    } finally {
      updateSettings({ db, patch: { 'budget.dailyUsd': null } });
    }
  }, 180_000);

  it('plan mode: waits in awaiting_plan_approval with the plan in the session, then implements the approved plan', async () => {
    const repo = makeRepo();
    const spec = specFor(repo, addProject(db, repo), {
      prompt: 'Add plan.txt',
      agent: { runner: 'anthropic', model: 'claude-sonnet-4-6', mode: 'plan' },
    });
    const plan = '## Goal\nAdd plan.txt containing "planned".\n\n## Steps\n1. Write plan.txt.';
    await withFake(
      [
        { type: 'reply', text: plan },
        {
          type: 'reply',
          text: 'Writing the file.',
          toolCalls: [{ name: 'write_file', input: { path: 'plan.txt', content: 'planned\n' } }],
        },
        { type: 'reply', text: 'Implemented the plan.' },
      ],
      async (fake) => {
        const handle = await start(spec);
        await waitFor(
          'awaiting_plan_approval',
          async () => (await statusOf(handle)) === 'awaiting_plan_approval',
          60_000,
        );
        const planSession = db
          .select()
          .from(agentSessions)
          .where(eq(agentSessions.id, `${spec.workspaceId}-t1-plan`))
          .get();
        expect(planSession).toMatchObject({ mode: 'plan', purpose: 'plan', status: 'completed' });
        const planRows = sessionRows(`${spec.workspaceId}-t1-plan`);
        expect(planRows.filter((r) => r.role === 'assistant').at(-1)?.content).toMatchObject({ text: plan });
        expect(fs.existsSync(path.join(spec.worktreePath, 'plan.txt'))).toBe(false);
        expect(fake.requests).toHaveLength(1);

        expect(await handle.executeUpdate(approvePlanUpdate, { args: [{}] })).toEqual({ approved: true });
        await waitFor(
          'turn 1 to finish',
          async () => (await handle.query(stateQuery)).turnsDone === 1,
          60_000,
        );
        fake.assertDone();

        const implementRequest = JSON.stringify(fake.requests[1]?.body);
        expect(implementRequest).toContain('<approved_plan>');
        expect(implementRequest).toContain('Add plan.txt containing');
        const implement = db
          .select()
          .from(agentSessions)
          .where(and(eq(agentSessions.workspaceId, spec.workspaceId), like(agentSessions.id, '%-implement')))
          .get();
        expect(implement).toMatchObject({ mode: 'agent', status: 'completed' });
        expect(fs.readFileSync(path.join(spec.worktreePath, 'plan.txt'), 'utf8')).toBe('planned\n');
        expect(remoteCommits(repo.remote, spec.branch)).toEqual([spec.title]);
        // Approving again is refused: no plan is waiting.
        await expect(handle.executeUpdate(approvePlanUpdate, { args: [{}] })).rejects.toMatchObject({
          cause: { message: expect.stringMatching(/no plan is waiting/) },
        });
        await handle.signal(archiveSignal);
        expect((await handle.result()).archived).toBe(true);
      },
    );
  }, 180_000);
});
