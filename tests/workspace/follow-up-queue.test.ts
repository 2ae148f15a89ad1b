/**
 * Follow-ups as the console sends them (`sendMessage` in web/lib, the POST route's one call),
 * against a real dev server and real worker: queued at once while no worker runs, durably, and a
 * resend with the same idempotency key runs once.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowIds } from '../../core/ids.js';
import type { Db } from '../../db/client.js';
import { listEvents } from '../../db/queries/workspaces.js';
import { archiveSignal, stateQuery } from '../../workflows/messages.js';
import { sendMessage } from '../../web/lib/workspaces.js';
import { makeRepo, remoteCommits } from '../support/git.js';
import { useInProcessTemporal } from '../support/in-process-worker.js';
import { addProject, input, specFor, waitFor } from '../support/workspace-harness.js';

const temporal = useInProcessTemporal({ name: 'ws-followup' });
let env: TestWorkflowEnvironment;
let db: Db;
beforeAll(() => {
  ({ env, db } = temporal);
});

describe('follow-up messages', () => {
  it('are queued within 1 s while no worker runs, and a resend with the same key runs once', async () => {
    const repo = makeRepo();
    const spec = specFor(repo, addProject(db, repo), {
      agent: { script: [[{ op: 'write', path: 'hello.txt', content: 'hello\n' }]] },
    });
    const handle = await env.client.workflow.start('workspaceWorkflow', {
      workflowId: workflowIds.workspace(spec.workspaceId),
      taskQueue: temporal.taskQueue,
      args: [input(spec)],
    });
    await temporal.withWorker(() =>
      waitFor('turn 1 done', async () => (await handle.query(stateQuery)).turnsDone === 1),
    );

    // The worker is gone now: every send still answers at once.
    const send = async (text: string, key: string) => {
      const t0 = performance.now();
      const res = await sendMessage({ db, client: env.client, workspaceId: spec.workspaceId, text, key });
      return { res, ms: performance.now() - t0 };
    };
    const first = await send('Log once', 'key-aaaaaaaa');
    const resent = await send('Log once', 'key-aaaaaaaa'); // the same message again (a cut-off POST resent)
    const second = await send('Log twice', 'key-bbbbbbbb');
    for (const s of [first, resent, second]) expect(s.ms).toBeLessThan(1_000);
    expect(first.res).toEqual({ queued: true, idempotencyKey: 'key-aaaaaaaa' });

    await temporal.withWorker(async () => {
      await waitFor('turn 3 done', async () => (await handle.query(stateQuery)).turnsDone === 3, 60_000);
      // A little longer: a duplicate would start a fourth turn now.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const state = await handle.query(stateQuery);
      expect(state).toMatchObject({ turnsDone: 3, pendingMessages: 0 });
      await handle.signal(archiveSignal);
      await handle.result();
    });
    expect(remoteCommits(repo.remote, spec.branch)).toEqual([
      'Add a greeting',
      'Add a greeting: follow-up 1',
      'Add a greeting: follow-up 2',
    ]);
    const started = listEvents({ db, workspaceId: spec.workspaceId }).filter(
      (e) => e.kind === 'status.agent_running',
    );
    expect(started.map((e) => e.message)).toEqual([
      'Agent turn 1 (implement) started',
      'Agent turn 2 (followup) started',
      'Agent turn 3 (followup) started',
    ]);
  });
});
