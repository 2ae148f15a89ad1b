/**
 * Trust before scripts (issue 9, item 6) and refusals as answers (item 10), against a real
 * Temporal dev server, real git repositories with bare remotes, a real SQLite file and the
 * product's real activities in an in-process worker. A setup script proves it ran (or did not)
 * with a marker file it creates outside the worktree.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { and, eq, inArray } from 'drizzle-orm';
import { scriptSha256 } from '../../activities/setup.js';
import { workflowIds } from '../../core/ids.js';
import type { WorkspaceSpec } from '../../core/workspace.js';
import type { Db } from '../../db/client.js';
import { getWorkspaceById, listEvents } from '../../db/queries/workspaces.js';
import { agentMessages, agentSessions, notifications, scriptTrust } from '../../db/schema.js';
import { archiveSignal, decideTrustUpdate, stateQuery } from '../../workflows/messages.js';
import { git, makeRepo, type TestRepo } from '../support/git.js';
import { useInProcessTemporal } from '../support/in-process-worker.js';
import {
  addProject,
  eventKinds,
  input,
  specFor,
  trustSetupScript,
  waitFor,
} from '../support/workspace-harness.js';

const temporal = useInProcessTemporal({ name: 'trust' });
const { taskQueue, withWorker } = temporal;
let env: TestWorkflowEnvironment;
let db: Db;
let markers: string;
beforeAll(() => {
  ({ env, db } = temporal);
  markers = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-trust-markers-'));
});
afterAll(() => fs.rmSync(markers, { recursive: true, force: true }));

/** A setup script that leaves `name` in the markers directory when (and only when) it runs. */
const markerScript = (name: string) => `echo setting up; touch '${path.join(markers, name)}'`;
const ran = (name: string) => fs.existsSync(path.join(markers, name));

/** Commits `.ratchet/config.json` with `setup` on a new branch `branch` of `repo` (from main). */
function commitSetupOnBranch(repo: TestRepo, branch: string, setup: string): void {
  git(repo.repo, 'checkout', '--quiet', '-b', branch, 'main');
  fs.mkdirSync(path.join(repo.repo, '.ratchet'), { recursive: true });
  fs.writeFileSync(path.join(repo.repo, '.ratchet', 'config.json'), JSON.stringify({ setup }));
  git(repo.repo, 'add', '-A');
  git(repo.repo, 'commit', '--quiet', '-m', `setup on ${branch}`);
  git(repo.repo, 'checkout', '--quiet', 'main');
}

async function start(spec: WorkspaceSpec): Promise<WorkflowHandle> {
  return env.client.workflow.start('workspaceWorkflow', {
    workflowId: workflowIds.workspace(spec.workspaceId),
    taskQueue,
    args: [input(spec)],
  });
}

async function awaitingTrust(handle: WorkflowHandle, spec: WorkspaceSpec) {
  await waitFor(
    'awaiting_trust',
    () => getWorkspaceById({ db, id: spec.workspaceId })?.status === 'awaiting_trust',
  );
  const state = await handle.query(stateQuery);
  expect(state.status).toBe('awaiting_trust');
  return state.pendingTrust!;
}

function trustRows(projectId: string) {
  return db.select().from(scriptTrust).where(eq(scriptTrust.projectId, projectId)).all();
}

describe('trust before scripts', () => {
  it('an untrusted setup script waits in awaiting_trust and does not run; approving that exact text runs it and trusts it for the project', async () => {
    const script = markerScript('approve');
    const repo = makeRepo({ setup: script });
    const projectId = addProject(db, repo);
    const spec = specFor(repo, projectId, { title: 'Trust approve' });
    const handle = await start(spec);
    await withWorker(async () => {
      const pending = await awaitingTrust(handle, spec);
      expect(pending).toEqual({ kind: 'setup', sha256: scriptSha256(script), script });
      // Waiting, not running: give the worker time to do the wrong thing.
      await new Promise((r) => setTimeout(r, 1500));
      expect(ran('approve')).toBe(false);
      expect((await handle.query(stateQuery)).turnsDone).toBe(0);
      const requested = listEvents({ db, workspaceId: spec.workspaceId }).find(
        (e) => e.kind === 'trust.requested',
      );
      expect(requested?.data).toEqual({ kind: 'setup', sha256: scriptSha256(script), script });
      expect(
        db.select().from(notifications).where(eq(notifications.workspaceId, spec.workspaceId)).all(),
      ).toHaveLength(1);

      // Only the text that was shown can be approved.
      const wrong = await handle
        .executeUpdate(decideTrustUpdate, { args: [{ decision: 'approve', sha256: 'f'.repeat(64) }] })
        .catch((e: unknown) => e);
      expect(wrong).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((wrong as WorkflowUpdateFailedError).cause?.message).toMatch(/does not match the setup script/);
      expect(ran('approve')).toBe(false);

      expect(
        await handle.executeUpdate(decideTrustUpdate, {
          args: [{ decision: 'approve', sha256: pending.sha256 }],
        }),
      ).toEqual({ decision: 'approve' });
      await waitFor('turn 1 done', async () => (await handle.query(stateQuery)).turnsDone === 1);
      expect(ran('approve')).toBe(true);
      // A second answer finds nothing waiting.
      const late = await handle
        .executeUpdate(decideTrustUpdate, { args: [{ decision: 'approve', sha256: pending.sha256 }] })
        .catch((e: unknown) => e);
      expect((late as WorkflowUpdateFailedError).cause?.message).toMatch(/no script is waiting/);
      await handle.signal(archiveSignal);
      await handle.result();
    });
    expect(trustRows(projectId)).toMatchObject([
      {
        kind: 'setup',
        sha256: scriptSha256(script),
        script,
        decision: 'approved',
        workspaceId: spec.workspaceId,
      },
    ]);
    const kinds = eventKinds(db, spec.workspaceId);
    expect(kinds.indexOf('trust.requested')).toBeLessThan(kinds.indexOf('trust.approved'));
    expect(kinds.indexOf('trust.approved')).toBeLessThan(kinds.indexOf('setup.succeeded'));
    expect(kinds.filter((k) => k.startsWith('status.')).slice(0, 5)).toEqual([
      'status.creating_worktree',
      'status.setting_up',
      'status.awaiting_trust',
      'status.setting_up',
      'status.agent_running',
    ]);
  });

  it('a trusted script runs without asking; a changed script on another branch used as base asks again', async () => {
    const script = markerScript('trusted');
    const repo = makeRepo({ setup: script });
    const projectId = addProject(db, repo);
    trustSetupScript(db, projectId, script);
    const changed = markerScript('changed');
    commitSetupOnBranch(repo, 'feature/other-setup', changed);
    const first = specFor(repo, projectId, { title: 'Trusted setup' });
    const second = {
      ...specFor(repo, projectId, { title: 'Changed setup' }),
      baseBranch: 'feature/other-setup',
    };
    await withWorker(async () => {
      const h1 = await start(first);
      await waitFor('turn 1 done', async () => (await h1.query(stateQuery)).turnsDone === 1);
      expect(ran('trusted')).toBe(true);
      expect(eventKinds(db, first.workspaceId)).not.toContain('trust.requested');
      expect(eventKinds(db, first.workspaceId)).toContain('trust.trusted');

      const h2 = await start(second);
      const pending = await awaitingTrust(h2, second);
      expect(pending.script).toBe(changed);
      expect(pending.sha256).toBe(scriptSha256(changed));
      await new Promise((r) => setTimeout(r, 1000));
      expect(ran('changed')).toBe(false);
      for (const h of [h1, h2]) await h.signal(archiveSignal);
      await Promise.all([h1.result(), h2.result()]);
    });
    // Archived while waiting: nothing ran, nothing was recorded for the changed text.
    expect(ran('changed')).toBe(false);
    expect(trustRows(projectId).map((r) => r.sha256)).toEqual([scriptSha256(script)]);
  });

  it('declining runs the workspace without setup, visibly, and the next workspace asks again', async () => {
    const script = markerScript('declined');
    const repo = makeRepo({ setup: script });
    const projectId = addProject(db, repo);
    const spec = specFor(repo, projectId, { title: 'Trust decline' });
    const again = specFor(repo, projectId, { title: 'Trust decline again' });
    await withWorker(async () => {
      const handle = await start(spec);
      const pending = await awaitingTrust(handle, spec);
      expect(
        await handle.executeUpdate(decideTrustUpdate, {
          args: [{ decision: 'skip', sha256: pending.sha256 }],
        }),
      ).toEqual({ decision: 'skip' });
      await waitFor('turn 1 done', async () => (await handle.query(stateQuery)).turnsDone === 1);
      expect(ran('declined')).toBe(false);
      expect(getWorkspaceById({ db, id: spec.workspaceId })?.status).toBe('idle');
      const skipped = listEvents({ db, workspaceId: spec.workspaceId }).find(
        (e) => e.kind === 'setup.skipped',
      );
      expect(skipped?.level).toBe('warn');
      expect(skipped?.message).toMatch(/run without the setup script; it was not run/);

      const h2 = await start(again);
      await awaitingTrust(h2, again);
      const requested = listEvents({ db, workspaceId: again.workspaceId }).find(
        (e) => e.kind === 'trust.requested',
      );
      expect(requested?.message).toMatch(/you ran without this exact script before/);
      for (const h of [handle, h2]) await h.signal(archiveSignal);
      await Promise.all([handle.result(), h2.result()]);
    });
    expect(ran('declined')).toBe(false);
    expect(
      db
        .select()
        .from(scriptTrust)
        .where(and(eq(scriptTrust.projectId, projectId), eq(scriptTrust.decision, 'rejected')))
        .all(),
    ).toHaveLength(1);
  });

  it('the rebinding chain: an agent commits a setup script on its branch, a second workspace based on that branch waits for trust and the script does not run', async () => {
    // The project's own setup is trusted; the agent's replacement is not.
    const own = markerScript('own');
    const repo = makeRepo({ setup: own });
    const projectId = addProject(db, repo);
    trustSetupScript(db, projectId, own);
    const evil = markerScript('pwned');
    const writer = specFor(repo, projectId, {
      title: 'Innocent change',
      agent: {
        script: [[{ op: 'write', path: '.ratchet/config.json', content: JSON.stringify({ setup: evil }) }]],
      },
    });
    await withWorker(async () => {
      const h1 = await start(writer);
      await waitFor('turn 1 done', async () => (await h1.query(stateQuery)).turnsDone === 1);
      expect(git(repo.repo, 'show', `${writer.branch}:.ratchet/config.json`)).toContain('pwned');
      const follower = { ...specFor(repo, projectId, { title: 'Built on it' }), baseBranch: writer.branch };
      const h2 = await start(follower);
      const pending = await awaitingTrust(h2, follower);
      expect(pending.script).toBe(evil);
      await new Promise((r) => setTimeout(r, 1000));
      expect(ran('pwned')).toBe(false);
      for (const h of [h1, h2]) await h.signal(archiveSignal);
      await Promise.all([h1.result(), h2.result()]);
    });
    expect(ran('pwned')).toBe(false);
  });
});

describe('refusals are answers', () => {
  it('a script step writing ../outside or into .git becomes a refused tool result in the transcript and the turn goes on', async () => {
    const repo = makeRepo();
    const spec = specFor(repo, addProject(db, repo), {
      title: 'Refusals',
      agent: {
        script: [
          [
            { op: 'write', path: '../outside.txt', content: 'escaped' },
            { op: 'write', path: '.git/x', content: 'hook' },
            { op: 'write', path: 'inside.txt', content: 'fine\n' },
          ],
        ],
      },
    });
    const handle = await start(spec);
    await withWorker(async () => {
      await waitFor('turn 1 done', async () => (await handle.query(stateQuery)).turnsDone === 1, 30_000);
      await handle.signal(archiveSignal);
      await handle.result();
    });
    expect(fs.existsSync(path.join(path.dirname(spec.worktreePath), 'outside.txt'))).toBe(false);
    expect(fs.existsSync(path.join(repo.repo, '.git', 'x'))).toBe(false);
    const sessions = db
      .select({ id: agentSessions.id })
      .from(agentSessions)
      .where(eq(agentSessions.workspaceId, spec.workspaceId))
      .all();
    const rows = db
      .select()
      .from(agentMessages)
      .where(
        inArray(
          agentMessages.sessionId,
          sessions.map((s) => s.id),
        ),
      )
      .orderBy(agentMessages.id)
      .all();
    const results = rows
      .filter((r) => r.role === 'tool_result')
      .map((r) => r.content as { ok: boolean; output: string });
    expect(results).toEqual([
      {
        ok: false,
        output: expect.stringMatching(/^Refused: path "\.\.\/outside\.txt" is outside the worktree/),
      },
      { ok: false, output: expect.stringMatching(/^Refused: path "\.git\/x" is inside \.git/) },
      { ok: true, output: 'wrote inside.txt' },
    ]);
    // One attempt: no reset marker (a retried activity writes one), and the workspace did not fail.
    expect(rows.some((r) => r.role === 'reset')).toBe(false);
    const summary = rows.filter((r) => r.role === 'assistant').at(-1)?.content as { text: string };
    expect(summary.text).toMatch(/Applied 1 of 3 scripted step\(s\)\.\nRefused: path "\.\.\/outside\.txt"/);
    expect(getWorkspaceById({ db, id: spec.workspaceId })?.status).toBe('archived');
    expect(eventKinds(db, spec.workspaceId)).not.toContain('status.failed');
    expect(git(repo.repo, 'show', `${spec.branch}:inside.txt`)).toBe('fine');
  });
});
