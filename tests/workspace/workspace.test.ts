/**
 * The workspace workflow against a real Temporal dev server, real git repos with bare remotes and
 * a real SQLite read model; the worker runs in-process here (durability.test.ts kills real ones).
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowIds } from '../../core/ids.js';
import type { Db } from '../../db/client.js';
import { getWorkspaceById, listEvents } from '../../db/queries/workspaces.js';
import { agentMessages } from '../../db/schema.js';
import { approvePlanUpdate, archiveSignal, sendMessageUpdate, stateQuery } from '../../workflows/messages.js';
import type { FixerInput } from '../../workflows/ratchet-messages.js';
import type { ScriptStep } from '../../core/agent.js';
import { git, makeRepo, remoteBranchExists, remoteCommits } from '../support/git.js';
import { useInProcessTemporal } from '../support/in-process-worker.js';
import {
  addProject,
  eventKinds,
  input,
  specFor,
  trustSetupScript,
  waitFor,
} from '../support/workspace-harness.js';

const temporal = useInProcessTemporal({ name: 'ws' });
const { taskQueue, withWorker } = temporal;
let env: TestWorkflowEnvironment;
let db: Db;
beforeAll(() => {
  ({ env, db } = temporal);
});

describe('workspaceWorkflow', () => {
  it('creates the worktree, runs setup, applies the agent turn, commits once and pushes', async () => {
    const setupScript = 'echo installing deps; echo done > .setup-ran';
    const repo = makeRepo({ setup: setupScript });
    const projectId = addProject(db, repo);
    // The person approved this exact script earlier (trust.test.ts covers asking).
    trustSetupScript(db, projectId, setupScript);
    const spec = specFor(repo, projectId, {
      agent: {
        script: [
          [
            { op: 'write', path: 'hello.txt', content: 'hello\n' },
            { op: 'say', text: 'Wrote hello.txt' },
          ],
        ],
      },
    });
    const handle = await env.client.workflow.start('workspaceWorkflow', {
      workflowId: workflowIds.workspace(spec.workspaceId),
      taskQueue,
      args: [input(spec)],
    });
    await withWorker(async () => {
      await waitFor('turn 1 done', async () => (await handle.query(stateQuery)).turnsDone === 1);
      expect(fs.readFileSync(path.join(spec.worktreePath, 'hello.txt'), 'utf8')).toBe('hello\n');
      expect(remoteCommits(repo.remote, spec.branch)).toEqual(['Add a greeting']);
      // Setup ran in the worktree and its output reached the timeline.
      expect(fs.existsSync(path.join(spec.worktreePath, '.setup-ran'))).toBe(true);
      const events = listEvents({ db, workspaceId: spec.workspaceId });
      expect(events.find((e) => e.kind === 'setup.output')?.message).toContain('installing deps');
      expect(getWorkspaceById({ db, id: spec.workspaceId })?.status).toBe('idle');

      // A follow-up message runs another turn: one more commit, nothing duplicated.
      const { turn } = await handle.executeUpdate(sendMessageUpdate, {
        args: [{ text: 'Add a second line to notes' }],
      });
      expect(turn).toBe(2);
      await waitFor('turn 2 done', async () => (await handle.query(stateQuery)).turnsDone === 2);
      expect(remoteCommits(repo.remote, spec.branch)).toEqual([
        'Add a greeting',
        'Add a greeting: follow-up 1',
      ]);
      expect(fs.readFileSync(path.join(spec.worktreePath, 'RATCHET_NOTES.md'), 'utf8')).toBe(
        'Add a second line to notes\n',
      );

      await handle.signal(archiveSignal);
      const final = await handle.result();
      expect(final.archived).toBe(true);
    });
    expect(fs.existsSync(spec.worktreePath)).toBe(false);
    expect(git(repo.repo, 'branch', '--list', spec.branch)).toContain(spec.branch);
    expect(remoteBranchExists(repo.remote, spec.branch)).toBe(true);
    const kinds = eventKinds(db, spec.workspaceId);
    expect(kinds).toEqual(
      expect.arrayContaining(['workspace.created', 'worktree.ready', 'setup.succeeded', 'status.archived']),
    );
    // Every transition is written once, in order.
    const statuses = kinds.filter((k) => k.startsWith('status.'));
    expect(statuses.slice(0, 3)).toEqual([
      'status.creating_worktree',
      'status.setting_up',
      'status.agent_running',
    ]);
    expect(statuses.at(-1)).toBe('status.archived');
    expect(
      db
        .select()
        .from(agentMessages)
        .all()
        .filter((m) => m.toolName === 'write').length,
    ).toBe(2);
  });

  it('reports a failing setup script in the timeline and carries on', async () => {
    const repo = makeRepo({ setup: 'echo broken >&2; exit 3' });
    const projectId = addProject(db, repo);
    trustSetupScript(db, projectId, 'echo broken >&2; exit 3');
    const spec = specFor(repo, projectId);
    const handle = await env.client.workflow.start('workspaceWorkflow', {
      workflowId: workflowIds.workspace(spec.workspaceId),
      taskQueue,
      args: [input(spec)],
    });
    await withWorker(async () => {
      await waitFor('turn 1 done', async () => (await handle.query(stateQuery)).turnsDone === 1);
      await handle.signal(archiveSignal);
      await handle.result();
    });
    const events = listEvents({ db, workspaceId: spec.workspaceId });
    const failed = events.find((e) => e.kind === 'setup.failed');
    expect(failed?.message).toContain('exited with code 3');
    expect(events.some((e) => e.kind === 'setup.output' && e.message.includes('broken'))).toBe(true);
    expect(remoteCommits(repo.remote, spec.branch)).toHaveLength(1);
  });

  it('bounds real agent failures: eight failed attempts, each on the timeline with a growing delay, then the workspace fails', async () => {
    const repo = makeRepo();
    const spec = specFor(repo, addProject(db, repo), {
      agent: { script: [[{ op: 'fail', message: 'provider exploded' }]] },
    });
    const handle = await env.client.workflow.start('workspaceWorkflow', {
      workflowId: workflowIds.workspace(spec.workspaceId),
      taskQueue,
      args: [input(spec, { heartbeatTimeoutMs: 3000, agentRetryBaseMs: 50 })],
    });
    const err = await withWorker(() =>
      handle.result().then(
        () => null,
        (e: unknown) => e,
      ),
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const events = listEvents({ db, workspaceId: spec.workspaceId });
    const failed = events.filter((e) => e.kind === 'agent.attempt_failed');
    expect(failed.map((e) => e.message)).toEqual(
      Array.from({ length: 8 }, (_, i) => `Agent turn 1: attempt ${i + 1} failed: provider exploded`),
    );
    // Delays double from 50 ms: the seventh is 50 × 2^6 = 3.2 s.
    const gaps = failed.slice(1).map((e, i) => e.at - failed[i]!.at);
    expect(gaps.at(-1)!).toBeGreaterThanOrEqual(3_000);
    const row = getWorkspaceById({ db, id: spec.workspaceId });
    expect(row?.status).toBe('failed');
    expect(row?.lastError).toMatch(/failed 8 times \(limit 8\)/);
  });

  it('plan card: Revise sends its note to the agent, which plans again; Approve carries its note into the implementation', async () => {
    const repo = makeRepo();
    const spec = specFor(repo, addProject(db, repo), {
      agent: {
        mode: 'plan',
        script: [
          [
            { op: 'say', text: 'Plan: write hello.txt' },
            { op: 'write', path: 'hello.txt', content: 'hello\n' },
          ],
        ],
      },
    });
    const handle = await env.client.workflow.start('workspaceWorkflow', {
      workflowId: workflowIds.workspace(spec.workspaceId),
      taskQueue,
      args: [input(spec)],
    });
    const userText = (sessionId: string) =>
      db
        .select()
        .from(agentMessages)
        .all()
        .filter((m) => m.sessionId === sessionId && m.role === 'user')
        .map((m) => JSON.stringify(m.content))
        .join('\n');
    await withWorker(async () => {
      const awaiting = async () => (await handle.query(stateQuery)).status === 'awaiting_plan_approval';
      await waitFor('the first plan', awaiting);
      await expect(
        handle.executeUpdate(approvePlanUpdate, { args: [{ decision: 'revise' }] }),
      ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/needs a note/) } });
      expect(
        await handle.executeUpdate(approvePlanUpdate, {
          args: [{ decision: 'revise', note: 'Say hi in French too' }],
        }),
      ).toEqual({ approved: false });
      await waitFor(
        'the revised plan',
        async () =>
          userText(`${spec.workspaceId}-t1-plan-r2`).includes('Say hi in French too') && (await awaiting()),
      );
      expect(await handle.executeUpdate(approvePlanUpdate, { args: [{ note: 'Keep it short' }] })).toEqual({
        approved: true,
      });
      await waitFor('turn 1 done', async () => (await handle.query(stateQuery)).turnsDone === 1);
      // The implementation's prompt variables (what a model runner's template renders) carry the note.
      const history = await handle.fetchHistory();
      const inputs = (history.events ?? [])
        .map((e) => e.activityTaskScheduledEventAttributes)
        .filter((a) => a?.activityType?.name === 'runAgentTurn')
        .map(
          (a) =>
            JSON.parse(Buffer.from(a!.input!.payloads![0]!.data!).toString('utf8')) as {
              purpose: string;
              templateVars?: { plan?: string };
            },
        );
      expect(inputs.map((i) => i.purpose)).toEqual(['plan', 'plan', 'implement']);
      expect(inputs[2]?.templateVars?.plan).toContain('Keep it short');
      await handle.signal(archiveSignal);
      await handle.result();
    });
  });

  it('refuses a worktree path that escapes the worktree directory, visibly', async () => {
    const repo = makeRepo();
    const spec = {
      ...specFor(repo, addProject(db, repo)),
      worktreePath: path.join(repo.worktrees, '..', 'escaped'),
    };
    const handle = await env.client.workflow.start('workspaceWorkflow', {
      workflowId: workflowIds.workspace(spec.workspaceId),
      taskQueue,
      args: [input(spec)],
    });
    await withWorker(async () => {
      await expect(handle.result()).rejects.toBeInstanceOf(WorkflowFailedError);
    });
    const row = getWorkspaceById({ db, id: spec.workspaceId });
    expect(row?.status).toBe('failed');
    expect(row?.lastError).toMatch(/must be inside/);
    expect(fs.existsSync(path.join(repo.root, 'escaped'))).toBe(false);
  });

  it('refuses hostile branch names before running git', async () => {
    const repo = makeRepo();
    const projectId = addProject(db, repo);
    for (const branch of ['--upload-pack=touch /tmp/pwned', 'a..b', 'x y', '-x']) {
      const spec = { ...specFor(repo, projectId), branch };
      const handle = await env.client.workflow.start('workspaceWorkflow', {
        workflowId: workflowIds.workspace(spec.workspaceId),
        taskQueue,
        args: [input(spec)],
      });
      const err = await withWorker(() =>
        handle.result().then(
          () => null,
          (e: unknown) => e,
        ),
      );
      expect(err).toBeInstanceOf(WorkflowFailedError);
      expect((err as WorkflowFailedError).cause?.message).toMatch(/input spec\.branch/);
      // Refused before any side effect: no row, no worktree.
      expect(getWorkspaceById({ db, id: spec.workspaceId })).toBeUndefined();
    }
    expect(git(repo.repo, 'branch', '--list').split('\n')).toHaveLength(1);
  });

  it('lends the worktree to one fixer at a time: a follow-up sent while a fixer holds it runs after the fixer pushed', async () => {
    const repo = makeRepo();
    // Turn scripts by index: 0 = the first turn, 1 = the follow-up, 100 = fixer #1 (turn 101).
    const script = Array.from({ length: 101 }, (): ScriptStep[] => []);
    script[0] = [{ op: 'write', path: 'hello.txt', content: 'hello\n' }];
    script[1] = [{ op: 'append', path: 'log.txt', line: 'follow-up' }];
    script[100] = [
      { op: 'sleep', ms: 2500 },
      { op: 'append', path: 'log.txt', line: 'fix' },
    ];
    const spec = specFor(repo, addProject(db, repo), { agent: { script } });
    const handle = await env.client.workflow.start('workspaceWorkflow', {
      workflowId: workflowIds.workspace(spec.workspaceId),
      taskQueue,
      args: [input(spec)],
    });
    await withWorker(async () => {
      await waitFor('turn 1 done', async () => (await handle.query(stateQuery)).turnsDone === 1);
      const fixId = workflowIds.fix(spec.workspaceId, 'a'.repeat(40), 'conflict');
      const fixInput: FixerInput = {
        spec,
        github: { owner: 'acme', repo: 'widgets' },
        pr: {
          number: 7,
          url: 'https://github.com/acme/widgets/pull/7',
          headBranch: spec.branch,
          baseBranch: 'main',
        },
        kind: 'conflict',
        headSha: 'a'.repeat(40),
        attempt: 1,
        fixNo: 1,
      };
      const fixer = await env.client.workflow.start('fixerWorkflow', {
        workflowId: fixId,
        taskQueue,
        args: [fixInput],
      });
      await waitFor(
        'the fixer holds the worktree',
        async () => (await handle.query(stateQuery)).worktreeHeldBy === `${fixId}#1`,
      );
      // The person sends a follow-up while the fixer's agent is still working: it queues.
      await handle.executeUpdate(sendMessageUpdate, { args: [{ text: 'Log a follow-up' }] });
      expect(await fixer.result()).toMatchObject({ outcome: 'pushed' });
      await waitFor('turn 2 done', async () => (await handle.query(stateQuery)).turnsDone === 2);
      expect((await handle.query(stateQuery)).worktreeHeldBy).toBeNull();
      // One after the other, never interleaved: the fixer's commit, then the follow-up's.
      expect(fs.readFileSync(path.join(spec.worktreePath, 'log.txt'), 'utf8')).toBe('fix\nfollow-up\n');
      expect(remoteCommits(repo.remote, spec.branch)).toEqual([
        'Add a greeting',
        'Merge main into the branch of PR #7 and resolve the conflicts',
        'Add a greeting: follow-up 1',
      ]);
      const kinds = eventKinds(db, spec.workspaceId);
      const lent = kinds.indexOf('worktree.lent');
      const returned = kinds.indexOf('worktree.returned');
      const turn2 = kinds.lastIndexOf('status.agent_running');
      expect(lent).toBeGreaterThan(-1);
      expect(returned).toBeGreaterThan(lent);
      expect(turn2).toBeGreaterThan(returned);

      // Archiving tells a fixer still waiting for the worktree that it will not get it.
      await handle.signal(archiveSignal);
      await handle.result();
      const late = await env.client.workflow.start('fixerWorkflow', {
        workflowId: `${fixId}-late`,
        taskQueue,
        args: [{ ...fixInput, attempt: 2 }],
      });
      // The workspace workflow has ended: the fixer finds no one to ask, and its agent finds no worktree.
      expect(await late.result()).toMatchObject({
        outcome: 'failed',
        detail: expect.stringContaining('does not exist'),
      });
    });
  });
});
