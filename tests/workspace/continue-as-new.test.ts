/**
 * The workspace workflow across continue-as-new, on a real dev server told to suggest it after 40
 * events (so a single turn continues), with the product's real activities in-process.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { workflowIds } from '../../core/ids.js';
import type { Db } from '../../db/client.js';
import { getWorkspaceById, listEvents } from '../../db/queries/workspaces.js';
import { archiveSignal, sendMessageUpdate, stateQuery } from '../../workflows/messages.js';
import { makeRepo, remoteCommits } from '../support/git.js';
import { useInProcessTemporal } from '../support/in-process-worker.js';
import { addProject, input, specFor, waitFor } from '../support/workspace-harness.js';

const temporal = useInProcessTemporal({ name: 'ws-can', suggestContinueAsNewAt: 40 });
let env: TestWorkflowEnvironment;
let db: Db;
beforeAll(() => {
  ({ env, db } = temporal);
});

/** Every status write takes `ms` longer after it landed, as on a slow disk: the window between a write and the next command. */
const slowStatusWrites =
  (ms: number) =>
  <A extends { setStatus: (input: never) => Promise<unknown> }>(activities: A): A => ({
    ...activities,
    setStatus: async (input: Parameters<A['setStatus']>[0]) => {
      const out = await activities.setStatus(input);
      await new Promise((resolve) => setTimeout(resolve, ms));
      return out;
    },
  });

describe('workspaceWorkflow across continue-as-new', () => {
  it('a follow-up sent just after the turn that continues as new runs once in the next run; the status never says failed', async () => {
    const repo = makeRepo();
    const spec = specFor(repo, addProject(db, repo), {
      agent: {
        script: [
          [{ op: 'write', path: 'hello.txt', content: 'hello\n' }],
          [{ op: 'append', path: 'notes.txt', line: 'second' }],
        ],
      },
    });
    const handle = await env.client.workflow.start('workspaceWorkflow', {
      workflowId: workflowIds.workspace(spec.workspaceId),
      taskQueue: temporal.taskQueue,
      args: [input(spec)],
    });
    const firstRunId = handle.firstExecutionRunId;
    await temporal.withWorker(
      async () => {
        // "Turn 1 done" is written; its activity completes 1.5 s later, then the run continues as
        // new. The follow-up goes out 2.2 s after the write: past that point, while whatever the
        // closing run still does (before the fix: a `failed` status, another 1.5 s) is in flight.
        await waitFor('turn 1 done in the read model', () =>
          listEvents({ db, workspaceId: spec.workspaceId }).some((e) => e.message.startsWith('Turn 1 done')),
        );
        await new Promise((resolve) => setTimeout(resolve, 2_200));
        await handle.executeUpdate(sendMessageUpdate, { args: [{ text: 'Add a second line' }] });
        await waitFor('turn 2 done', async () => (await handle.query(stateQuery)).turnsDone === 2, 60_000);
        expect(remoteCommits(repo.remote, spec.branch)).toEqual([
          'Add a greeting',
          'Add a greeting: follow-up 1',
        ]);
        const described = await handle.describe();
        expect(described.runId).not.toBe(firstRunId);
        expect(getWorkspaceById({ db, id: spec.workspaceId })?.status).toBe('idle');
        await handle.signal(archiveSignal);
        expect((await handle.result()).archived).toBe(true);
      },
      {},
      slowStatusWrites(1_500),
    );
    const events = listEvents({ db, workspaceId: spec.workspaceId });
    expect(events.filter((e) => e.kind === 'status.failed')).toEqual([]);
    // One turn-2 start, one turn-2 end: the follow-up ran once.
    expect(events.filter((e) => e.message.startsWith('Agent turn 2 '))).toHaveLength(1);
    expect(events.filter((e) => e.message.startsWith('Turn 2 done'))).toHaveLength(1);
  });
});
