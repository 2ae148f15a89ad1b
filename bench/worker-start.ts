/**
 * A restarted worker's start-up, as after a crash: spawn `node --import tsx worker/main.ts` → its
 * `RATCHET_WORKER_READY` line, against a running Temporal dev server, with the workflow bundle and
 * tsx's transform cache already warm (the crash-restart case). Runs alternate between today's
 * worker and the baseline, the same worker with the runner SDKs loaded at start
 * (bench/eager-runner-sdks.mjs, the path before lazy loading), and each is SIGKILLed once ready.
 * The `worker ready` log line's `startupMs` says where each start went.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { resolveDevServer } from '../scripts/temporal-servers.js';
import { figure, median, type Figure } from './figure.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EAGER = path.join(ROOT, 'bench', 'eager-runner-sdks.mjs');

/** Starts per arm; the machine is shared, so the figure is the median. */
const RUNS = Number(process.env.BENCH_WORKER_START_RUNS ?? 5);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const connects = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });

interface Start {
  readyMs: number;
  phases: Record<string, number>;
}

/** One worker start: spawn → ready line; then SIGKILL, as a crash would. */
async function startOnce(env: Record<string, string>, eager: boolean): Promise<Start> {
  const args = ['--import', 'tsx', ...(eager ? ['--import', EAGER] : []), path.join(ROOT, 'worker/main.ts')];
  const t = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
  try {
    const readyMs = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`worker not ready in 180 s:\n${out}\n${err}`)),
        180_000,
      );
      child.stdout.setEncoding('utf8').on('data', (c: string) => {
        out += c;
        if (out.includes('RATCHET_WORKER_READY')) {
          clearTimeout(timer);
          resolve(performance.now() - t);
        }
      });
      child.once('exit', (code) => reject(new Error(`worker exited ${code}:\n${out}\n${err}`)));
    });
    // pino may still be flushing the `worker ready` line when the ready marker arrives.
    const until = Date.now() + 5000;
    while (!out.includes('"worker ready"') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const line = out.split('\n').find((l) => l.includes('"worker ready"'));
    const phases = line ? (JSON.parse(line) as { startupMs?: Record<string, number> }).startupMs : undefined;
    if (!phases) throw new Error(`no startupMs in the worker's output:\n${out}`);
    return { readyMs, phases };
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

function loadAverage(): string {
  return os.loadavg()[0]!.toFixed(1);
}

export async function benchWorkerStart(): Promise<Figure[]> {
  const bin = await resolveDevServer({ provision: false });
  if (!bin) throw new Error('no Temporal CLI; run npm run provision');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-bench-wstart-'));
  const port = await freePort();
  const server = spawn(
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
  const serverExited = new Promise((r) => server.once('exit', r));
  try {
    const deadline = Date.now() + 60_000;
    while (!(await connects(port))) {
      if (Date.now() > deadline) throw new Error('Temporal dev server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const env = {
      RATCHET_HOME: path.join(dir, 'home'),
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      RATCHET_TASK_QUEUE: `bench-wstart-${process.pid}`,
      RATCHET_LOG_LEVEL: 'info',
      // No GitHub token lookup through `gh` (a machine's gh may be slow or prompt).
      GITHUB_TOKEN: 'bench-not-used',
    };
    const loadBefore = loadAverage();
    // Warm-up: builds the workflow bundle cache and tsx's transform cache for both arms.
    await startOnce(env, true);
    await startOnce(env, false);
    const lazy: Start[] = [];
    const eager: Start[] = [];
    for (let i = 0; i < RUNS; i++) {
      // Alternate which arm goes first, so a load swing hits both alike.
      if (i % 2 === 0) {
        eager.push(await startOnce(env, true));
        lazy.push(await startOnce(env, false));
      } else {
        lazy.push(await startOnce(env, false));
        eager.push(await startOnce(env, true));
      }
    }
    const loadAfter = loadAverage();
    const baselineName = `same worker with the runner SDKs loaded at start (load ${loadBefore}→${loadAfter}, ${RUNS} starts each)`;
    const phase = (xs: Start[], name: string) => median(xs.map((s) => s.phases[name] ?? 0));
    const figures: Figure[] = [
      figure({
        name: 'worker spawn → RATCHET_WORKER_READY (warm caches, median)',
        value: Math.round(median(lazy.map((s) => s.readyMs))),
        unit: 'ms',
        baselineName,
        baseline: Math.round(median(eager.map((s) => s.readyMs))),
        goal: '≤ 0.8x',
        met: median(lazy.map((s) => s.readyMs)) <= 0.8 * median(eager.map((s) => s.readyMs)),
      }),
    ];
    for (const name of ['modules', 'config', 'migrate', 'connect', 'github', 'bundle', 'create'])
      figures.push(
        figure({
          name: `start-up phase \`${name}\` (median)`,
          value: phase(lazy, name),
          unit: 'ms',
          baselineName,
          baseline: phase(eager, name),
        }),
      );
    return figures;
  } finally {
    server.kill('SIGTERM');
    await serverExited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
