/**
 * The console validates its configuration when it starts (web/instrumentation.ts), through the same
 * loader as the worker: a bad variable or config file stops `next start` with the field named,
 * instead of failing the first request with raw JSON.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConsoleBuilt, startConsole } from '../support/console-harness.js';

let home: string;

beforeAll(() => {
  ensureConsoleBuilt();
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-config-startup-'));
}, 600_000);

afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('console start-up with a bad configuration', () => {
  it.each([
    ['a bad variable', { RATCHET_POLL_INTERVAL_S: '0' }, null, /env RATCHET_POLL_INTERVAL_S: .*1/],
    ['a config file field', {}, '{"agents": {"fallbackRunner": "gpt"}}', /config agents\.fallbackRunner/],
  ] as const)(
    'stops on %s, naming it',
    async (_name, env, file, message) => {
      const dir = fs.mkdtempSync(path.join(home, 'case-'));
      if (file !== null) fs.writeFileSync(path.join(dir, 'config.json'), file);
      const started = startConsole({ RATCHET_HOME: dir, ...env }, { timeoutMs: 120_000 });
      await expect(started).rejects.toThrow(/exited 1/);
      await expect(started).rejects.toThrow(message);
    },
    180_000,
  );

  it('starts with a good one', async () => {
    // No migrations and no Temporal here: the console serves, and its health says what is down.
    const server = await startConsole(
      { RATCHET_HOME: home },
      { timeoutMs: 120_000, readyPath: '/api/health', ready: (res) => res.status === 503 || res.ok },
    );
    try {
      const health = (await (await fetch(`${server.base}/api/health`)).json()) as { status?: string };
      expect(health.status).toBeDefined();
    } finally {
      await server.stop();
    }
  }, 180_000);
});
