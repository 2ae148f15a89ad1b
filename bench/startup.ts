/**
 * Time from `npm start` (the supervisor) to a healthy /api/health, cold (empty RATCHET_HOME) and
 * warm (the same home again), against starting the Temporal dev server alone in the same run.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { resolveDevServer } from '../scripts/temporal-servers.js';
import { freePort } from '../tests/support/ports.js';
import { figure, type Figure } from './figure.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
}

const connects = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

async function timeSupervisor(env: Record<string, string>): Promise<number> {
  const t = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/supervisor.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  const exited = new Promise((r) => child.once('exit', r));
  try {
    await until(
      async () =>
        (await fetch(`http://127.0.0.1:${env.RATCHET_PORT}/api/health`).catch(() => null))?.status === 200,
      180_000,
    );
    return performance.now() - t;
  } finally {
    child.kill('SIGINT');
    await exited;
  }
}

async function timeTemporalAlone(bin: string): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-bench-temporal-'));
  const port = await freePort();
  const t = performance.now();
  const child = spawn(
    bin,
    [
      'server',
      'start-dev',
      '--headless',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--db-filename',
      path.join(dir, 't.db'),
      '--log-level',
      'error',
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise((r) => child.once('exit', r));
  try {
    await until(() => connects(port), 60_000);
    return performance.now() - t;
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

export async function benchStartup(): Promise<Figure[]> {
  if (!fs.existsSync(path.join(ROOT, 'web', '.next', 'BUILD_ID')))
    throw new Error('build the console first: npm run web:build');
  const bin = await resolveDevServer({ provision: false });
  if (!bin) throw new Error('no Temporal CLI; run npm run provision');
  const baseline = await timeTemporalAlone(bin);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-bench-start-'));
  const env = {
    RATCHET_HOME: home,
    RATCHET_PORT: String(await freePort()),
    RATCHET_TEMPORAL_PORT: String(await freePort()),
    RATCHET_TEMPORAL_UI_PORT: String(await freePort()),
    RATCHET_LOG_LEVEL: 'error',
    TEMPORAL_ADDRESS: '',
  };
  const cold = await timeSupervisor(env);
  const warm = await timeSupervisor(env);
  const base = {
    unit: 'ms',
    baselineName: 'Temporal dev server alone, start → accepting',
    baseline: Math.round(baseline),
  };
  return [
    figure({
      ...base,
      name: '`npm start` → /api/health 200, cold (empty RATCHET_HOME)',
      value: Math.round(cold),
    }),
    figure({
      ...base,
      name: '`npm start` → /api/health 200, warm (same RATCHET_HOME)',
      value: Math.round(warm),
    }),
  ];
}
