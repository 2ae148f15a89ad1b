/**
 * The workflow suites' servers are real: the Java time-skipping server skips a 2-day timer, the CLI
 * dev server runs a workflow, and a dev server restarted on the same db file after SIGKILL still
 * holds a started workflow's history, which then completes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  NativeConnection,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleepy, waitForWake, wakeSignal } from './fixtures/sleepy-workflow.js';
import { startDevServer, startDevServerProcess, startTimeSkippingServer } from '../support/temporal.js';

const workflowsPath = fileURLToPath(new URL('./fixtures/sleepy-workflow.ts', import.meta.url));
let workflowBundle: WorkflowBundleWithSourceMap;
let tmp: string;

beforeAll(async () => {
  workflowBundle = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-temporal-servers-'));
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => process.stderr.write(`${message}\n`),
  error: (message: string) => process.stderr.write(`${message}\n`),
};

function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

describe('time-skipping test server', () => {
  it('completes a workflow sleeping 2 days in seconds of wall-clock time', async () => {
    const env = await startTimeSkippingServer();
    try {
      expect(env.supportsTimeSkipping).toBe(true);
      const taskQueue = unique('sleepy');
      const worker = await Worker.create({ connection: env.nativeConnection, workflowBundle, taskQueue });
      const before = await env.currentTimeMs();
      const wallStart = Date.now();
      const result = await worker.runUntil(
        env.client.workflow.execute(sleepy, { args: ['2 days'], taskQueue, workflowId: unique('sleepy') }),
      );
      expect(result).toBe('slept 2 days');
      expect(Date.now() - wallStart).toBeLessThan(30_000);
      expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(2 * 24 * 60 * 60 * 1000);
    } finally {
      await env.teardown();
    }
  });
});

describe('dev server', () => {
  it('runs a workflow to completion on a persistent db file', async () => {
    const dbFile = path.join(tmp, 'dev-env.sqlite');
    const env = await startDevServer({ dbFile });
    try {
      expect(env.supportsTimeSkipping).toBe(false);
      const taskQueue = unique('dev');
      const worker = await Worker.create({ connection: env.nativeConnection, workflowBundle, taskQueue });
      const result = await worker.runUntil(
        env.client.workflow.execute(sleepy, { args: ['50 ms'], taskQueue, workflowId: unique('dev') }),
      );
      expect(result).toBe('slept 50 ms');
      expect(fs.statSync(dbFile).size).toBeGreaterThan(0);
    } finally {
      await env.teardown();
    }
  });

  it('keeps a started workflow across SIGKILL and restart on the same db file', async () => {
    const server = await startDevServerProcess({ dbFile: path.join(tmp, 'restart.sqlite') });
    const taskQueue = unique('restart');
    const workflowId = unique('restart');
    try {
      // Before the crash: start the workflow and let a worker run its first task (it then waits on the signal).
      const firstPid = server.pid();
      await withClient(server.address, async (client) => {
        const handle = await client.workflow.start(waitForWake, { taskQueue, workflowId });
        await withWorker(server.address, taskQueue, () =>
          waitForHistory(client, workflowId, 'workflowTaskCompletedEventAttributes'),
        );
        expect((await handle.describe()).status.name).toBe('RUNNING');
      });

      await server.kill();
      expect(server.pid()).toBeUndefined();
      await server.restart();
      expect(server.pid()).not.toBe(firstPid);

      // After the restart the server still knows the workflow; a new worker finishes it once signalled.
      await withClient(server.address, async (client) => {
        const handle = client.workflow.getHandle(workflowId);
        expect((await handle.describe()).status.name).toBe('RUNNING');
        const result = await withWorker(server.address, taskQueue, async () => {
          await handle.signal(wakeSignal, 'again');
          return handle.result();
        });
        expect(result).toBe('woke: again');
        const events = (await handle.fetchHistory()).events ?? [];
        const kinds = events.map((e) => Object.keys(e).find((k) => k.endsWith('EventAttributes')));
        const signalled = kinds.indexOf('workflowExecutionSignaledEventAttributes');
        expect(signalled).toBeGreaterThan(kinds.indexOf('workflowTaskCompletedEventAttributes'));
        expect(kinds.at(-1)).toBe('workflowExecutionCompletedEventAttributes');
      });
    } finally {
      await server.stop();
    }
  });
});

async function withClient<T>(address: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address });
  try {
    return await fn(new Client({ connection }));
  } finally {
    await connection.close();
  }
}

async function withWorker<T>(address: string, taskQueue: string, fn: () => Promise<T>): Promise<T> {
  const connection = await NativeConnection.connect({ address });
  try {
    const worker = await Worker.create({ connection, workflowBundle, taskQueue });
    return await worker.runUntil(fn());
  } finally {
    await connection.close();
  }
}

async function waitForHistory(client: Client, workflowId: string, attribute: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    if (events.some((e) => attribute in e && e[attribute as keyof typeof e] != null)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`workflow ${workflowId} never recorded ${attribute}`);
}
