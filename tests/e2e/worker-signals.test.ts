/**
 * The worker drains once however many SIGINT/SIGTERM arrive: Ctrl-C in a terminal reaches both the
 * supervisor and the worker, and people press it twice. It used to crash on the second signal with
 * `IllegalStateError: Not running` (the SDK's Runtime and our handler both called shutdown).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.js';
import { startDevServerProcess, type DevServerProcess } from '../support/temporal.js';
import { startWorkerProcess } from '../support/worker-process.js';
import { makeHome } from '../support/workspace-harness.js';

let server: DevServerProcess;
let home: string;

beforeAll(async () => {
  ({ home } = makeHome());
  server = await startDevServerProcess({ dbFile: path.join(home, 'temporal.db'), port: await freePort() });
});

afterAll(async () => {
  await server?.stop();
});

describe('worker shutdown', () => {
  it('drains cleanly and exits 0 when SIGINT, SIGINT and SIGTERM arrive back to back', async () => {
    const worker = await startWorkerProcess({
      RATCHET_HOME: home,
      TEMPORAL_ADDRESS: server.address,
      RATCHET_TASK_QUEUE: `signals-${process.pid}`,
      RATCHET_LOG_LEVEL: 'info',
    });
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      worker.child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    worker.child.kill('SIGINT');
    worker.child.kill('SIGINT');
    worker.child.kill('SIGTERM');
    const { code, signal } = await exit;
    expect(worker.output()).not.toMatch(/IllegalStateError|worker failed/);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(worker.output()).toContain('already draining');
  });
});
