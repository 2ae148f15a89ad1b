/**
 * For suites whose worker runs inside the test process: a real Temporal server (the dev server, or
 * the time-skipping test server), the workflow bundle built once, a fresh Ratchet home with a
 * migrated SQLite file, and `withWorker`, which runs a worker with the product's real activities
 * (`worker/activities.ts`) while `fn` runs. Call `useInProcessTemporal()` at module or describe level:
 * it registers its own beforeAll/afterAll.
 */
import fs from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Db } from '../../db/client.js';
import { createActivities } from '../../worker/activities.js';
import { WORKFLOW_BUNDLE_OPTIONS } from '../../worker/bundle.js';
import { loadConfig } from '../../worker/env.js';
import { workerInterceptors } from '../../worker/interceptors.js';
import { startDevServer, startTimeSkippingServer } from './temporal.js';
import { makeHome } from './workspace-harness.js';

export interface InProcessTemporal {
  readonly env: TestWorkflowEnvironment;
  readonly bundle: WorkflowBundleWithSourceMap;
  readonly db: Db;
  readonly home: string;
  readonly taskQueue: string;
  /**
   * Runs `fn` with a worker on `taskQueue`. `configEnv` adds to the worker's configuration
   * (`loadConfig({ RATCHET_HOME: home, ...configEnv })`), e.g. a model API's base URL and key.
   */
  withWorker<T>(
    fn: () => Promise<T>,
    configEnv?: Record<string, string>,
    wrap?: (activities: Activities) => Activities,
  ): Promise<T>;
}

type Activities = ReturnType<typeof createActivities>;

export function useInProcessTemporal(opts: {
  name: string;
  server?: 'dev' | 'time-skipping';
  suggestContinueAsNewAt?: number;
}): InProcessTemporal {
  let env: TestWorkflowEnvironment | undefined;
  let bundle: WorkflowBundleWithSourceMap | undefined;
  let home: { db: Db; home: string } | undefined;
  const taskQueue = `${opts.name}-${process.pid}`;
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`useInProcessTemporal: ${what} is not ready (use it inside a test)`);
    return v;
  };

  beforeAll(async () => {
    env =
      opts.server === 'time-skipping'
        ? await startTimeSkippingServer()
        : await startDevServer({ suggestContinueAsNewAt: opts.suggestContinueAsNewAt });
    bundle = await bundleWorkflowCode(WORKFLOW_BUNDLE_OPTIONS);
    home = makeHome(`ratchet-${opts.name}-`);
  });

  afterAll(async () => {
    await env?.teardown();
    home?.db.$client.close();
    if (home) fs.rmSync(home.home, { recursive: true, force: true });
  });

  return {
    get env() {
      return need(env, 'the Temporal server');
    },
    get bundle() {
      return need(bundle, 'the workflow bundle');
    },
    get db() {
      return need(home, 'the Ratchet home').db;
    },
    get home() {
      return need(home, 'the Ratchet home').home;
    },
    taskQueue,
    async withWorker<T>(
      fn: () => Promise<T>,
      configEnv: Record<string, string> = {},
      wrap = (a: Activities) => a,
    ): Promise<T> {
      const { db, home: dir } = need(home, 'the Ratchet home');
      const worker = await Worker.create({
        connection: need(env, 'the Temporal server').nativeConnection,
        taskQueue,
        workflowBundle: need(bundle, 'the workflow bundle'),
        activities: wrap(createActivities({ db, config: loadConfig({ RATCHET_HOME: dir, ...configEnv }) })),
        interceptors: workerInterceptors(db),
        maxHeartbeatThrottleInterval: '1s',
      });
      return worker.runUntil(fn);
    },
  };
}
