/**
 * The real worker (`worker/main.ts`) as a child process restarted the way `npm start`'s supervisor
 * restarts it: on every exit, after `restartDelayMs` (core/restart-policy.ts) over its past exits.
 * The first process may carry the kill matrix's switch (`RATCHET_TEST_KILL_AT`); restarts never do,
 * so one run has exactly one kill (the supervisor would pass the same env; the switch is the
 * test's, not the supervisor's).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { restartDelayMs, type Crash, type RestartPolicy } from '../../core/restart-policy.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What the worker printed when it killed itself (`RATCHET_KILL_POINT …` in worker/interceptors.ts). */
export interface KillLine {
  point: string;
  activity: string;
  attempt: number;
  workflowId: string;
  runId: string;
  activityId: string;
  at: number;
}

export interface Exit extends Crash {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The restart delay the policy chose for this exit. */
  delayMs: number;
}

export function parseKillLine(text: string): KillLine | null {
  const m =
    /RATCHET_KILL_POINT (\S+) activity=(\S+) attempt=(\d+) workflow=(\S+) run=(\S+) activityId=(\S+) at=(\d+)/.exec(
      text,
    );
  if (!m) return null;
  return {
    point: m[1] ?? '',
    activity: m[2] ?? '',
    attempt: Number(m[3]),
    workflowId: m[4] ?? '',
    runId: m[5] ?? '',
    activityId: m[6] ?? '',
    at: Number(m[7]),
  };
}

export class SupervisedWorker {
  readonly exits: Exit[] = [];
  /** Wall time each process printed RATCHET_WORKER_READY, in start order. */
  readonly readyAt: number[] = [];
  readonly startedAt: number[] = [];
  kill: KillLine | null = null;
  private child: ChildProcess | null = null;
  private stopping = false;
  private out = '';
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly env: Record<string, string>,
    private readonly firstOnly: Record<string, string> = {},
    private readonly policy?: RestartPolicy,
  ) {}

  output(): string {
    return this.out;
  }

  start(): void {
    const first = this.startedAt.length === 0;
    const env = { ...process.env, ...this.env, ...(first ? this.firstOnly : {}) };
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'worker/main.ts')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const startedAt = Date.now();
    this.startedAt.push(startedAt);
    this.child = child;
    const n = this.startedAt.length;
    const onData = (c: string) => {
      this.out += c;
      if (c.includes('RATCHET_WORKER_READY')) this.readyAt.push(Date.now());
      if (c.includes('RATCHET_KILL_POINT')) this.kill ??= parseKillLine(this.out);
    };
    child.stdout?.setEncoding('utf8').on('data', onData);
    child.stderr?.setEncoding('utf8').on('data', onData);
    child.once('exit', (code, signal) => {
      const exitedAt = Date.now();
      if (this.stopping) return;
      const past: Crash[] = [...this.exits, { startedAt, exitedAt }];
      const delayMs = restartDelayMs(past, this.policy);
      this.exits.push({ startedAt, exitedAt, code, signal, delayMs });
      this.out += `[soak] worker #${n} exited (${signal ?? code}); restarting in ${delayMs} ms\n`;
      this.timer = setTimeout(() => {
        this.timer = null;
        if (!this.stopping) this.start();
      }, delayMs);
    });
  }

  /** Resolves once `count` processes have printed their ready line. */
  async ready(count = 1, timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.readyAt.length < count) {
      if (Date.now() > deadline)
        throw new Error(`worker not ready in time; output:\n${this.out.slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }
}
