/**
 * Workspace start → worktree ready, against a raw `git worktree add` of the same 10,000-file
 * repository in the same run. Real dev server, in-process worker, real SQLite.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { workflowIds } from '../core/ids.js';
import { listEvents } from '../db/queries/workspaces.js';
import { archiveSignal } from '../workflows/messages.js';
import { createActivities } from '../worker/activities.js';
import { WORKFLOWS_ENTRY } from '../worker/bundle.js';
import { loadConfig } from '../worker/env.js';
import { workerInterceptors } from '../worker/interceptors.js';
import { makeRepo } from '../tests/support/git.js';
import { startDevServer } from '../tests/support/temporal.js';
import { addProject, input, makeHome, specFor, waitFor } from '../tests/support/workspace-harness.js';
import { figure, median, type Figure } from './figure.js';

const RUNS = 5;

export async function benchWorktree(): Promise<Figure[]> {
  const repo = makeRepo({ files: 10_000, prefix: 'ratchet-bench-' });
  const env = await startDevServer();
  const { db, home } = makeHome('ratchet-bench-home-');
  const projectId = addProject(db, repo);
  const taskQueue = `bench-${process.pid}`;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY }),
    activities: createActivities({ db, config: loadConfig({ RATCHET_HOME: home }) }),
    interceptors: workerInterceptors(db),
  });
  const raw: number[] = [];
  const ours: number[] = [];
  try {
    await worker.runUntil(async () => {
      for (let i = 0; i < RUNS + 1; i++) {
        // Raw git: the same operation a person would type, on the same repository.
        const dir = path.join(repo.worktrees, `raw-${i}`);
        let t = performance.now();
        execFileSync('git', ['worktree', 'add', '-q', '-b', `raw-${i}`, dir, 'main'], { cwd: repo.repo });
        const rawMs = performance.now() - t;
        execFileSync('git', ['worktree', 'remove', '--force', dir], { cwd: repo.repo });

        // Ratchet: from the start request until the worktree is ready (workflow, activities, read model).
        const spec = specFor(repo, projectId, {
          title: `bench ${i}`,
          agent: { script: [[{ op: 'say', text: 'noop' }]] },
        });
        t = performance.now();
        const handle = await env.client.workflow.start('workspaceWorkflow', {
          workflowId: workflowIds.workspace(spec.workspaceId),
          taskQueue,
          args: [input(spec)],
        });
        await waitFor(
          'worktree ready',
          () => listEvents({ db, workspaceId: spec.workspaceId }).some((e) => e.kind === 'worktree.ready'),
          60_000,
          5,
        );
        const oursMs = performance.now() - t;
        await handle.signal(archiveSignal);
        await handle.result();
        if (i > 0) {
          // The first round warms caches for both; it is not counted.
          raw.push(rawMs);
          ours.push(oursMs);
        }
      }
    });
  } finally {
    await env.teardown();
  }
  const value = median(ours);
  const baseline = median(raw);
  return [
    figure({
      name: 'Workspace start → worktree ready (10,000-file repo, median of 5)',
      value: Math.round(value),
      unit: 'ms',
      baselineName: 'raw `git worktree add`',
      baseline: Math.round(baseline),
      goal: '≤ 1.5x',
      met: value / baseline <= 1.5,
    }),
  ];
}
