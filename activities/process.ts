/**
 * Child processes for activities: argument arrays only (never a shell unless the caller asks for
 * one explicitly), a hard timeout that kills the whole process group, captured output with a cap,
 * and a tick callback so long runs can heartbeat. A long agent process can also be run under the
 * parent-death watchdog (`process-guard.mjs`), and its process group recorded so a later attempt
 * can kill what an earlier, dead worker left behind (`killRecordedGroup`).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseProcStat } from '../core/proc-stat.js';

const GUARD = fileURLToPath(new URL('./process-guard.mjs', import.meta.url));

export interface RunOptions {
  cwd?: string;
  /**
   * The command's whole environment (a core/child-env.ts profile): required, so no child inherits
   * the worker's environment by default.
   */
  env: Readonly<Record<string, string | undefined>>;
  /** Kill the process group after this long. @default 300000 */
  timeoutMs?: number;
  /** Keep at most this many bytes of combined output (the tail is kept). @default 1000000 */
  outputCapBytes?: number;
  /** Called with each output chunk as it arrives. */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** Called every `tickMs` while the process runs (heartbeats). */
  onTick?: () => void;
  tickMs?: number;
  signal?: AbortSignal;
  input?: string;
  /**
   * Run the command under `process-guard.mjs`, which SIGKILLs the command's whole process group
   * within moments of this process dying (even by SIGKILL), so no orphan outlives its worker.
   * @default false
   */
  parentWatchdog?: boolean;
  /** Called once the process group exists, with its id and start time (see `GroupRecord`). */
  onSpawn?: (group: GroupRecord) => void;
  /**
   * Values handed to the command on extra pipes, one per value, then closed (a secret read from a
   * file descriptor never shows in the command's environment or argv, so the shells it starts do
   * not inherit it). Their fd numbers come from `extraInputFd`.
   */
  extraInputs?: readonly string[];
}

/** The fd number the command reads `extraInputs[index]` from (fd 3 is the watchdog's lifeline). */
export function extraInputFd(index: number, parentWatchdog: boolean): number {
  return (parentWatchdog ? 4 : 3) + index;
}

/** A process group as recorded durably: the leader's pid (= pgid) and its start time. */
export interface GroupRecord {
  pgid: number;
  /** Start time of the leader in clock ticks since boot (`/proc/<pid>/stat` field 22); null off Linux. */
  startTicks: string | null;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

export function runProcess(cmd: string, args: readonly string[], opts: RunOptions): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 300_000;
  const cap = opts.outputCapBytes ?? 1_000_000;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const stdin = opts.input === undefined ? 'ignore' : 'pipe';
    const extras = opts.extraInputs ?? [];
    const extraPipes = extras.map(() => 'pipe' as const);
    // The guard's lifeline (fd 3) is a pipe only this process holds: it closes when we die.
    const child = opts.parentWatchdog
      ? spawn(process.execPath, [GUARD, String(extras.length), cmd, ...args], {
          cwd: opts.cwd,
          env: opts.env as NodeJS.ProcessEnv,
          detached: true,
          stdio: [stdin, 'pipe', 'pipe', 'pipe', ...extraPipes],
        })
      : spawn(cmd, args, {
          cwd: opts.cwd,
          env: opts.env as NodeJS.ProcessEnv,
          detached: true,
          stdio: [stdin, 'pipe', 'pipe', ...extraPipes],
        });
    if (child.pid) opts.onSpawn?.({ pgid: child.pid, startTicks: processStartTicks(child.pid) });
    extras.forEach((value, i) => {
      const pipe = child.stdio[extraInputFd(i, opts.parentWatchdog === true)] as Writable | null;
      // A command that exits without reading its pipe must not crash this process with EPIPE.
      pipe?.on('error', () => {});
      pipe?.end(value);
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const keep = (prev: string, chunk: string) => {
      const next = prev + chunk;
      return next.length > cap ? next.slice(next.length - cap) : next;
    };
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      stdout = keep(stdout, c);
      opts.onOutput?.(c, 'stdout');
    });
    child.stderr?.setEncoding('utf8').on('data', (c: string) => {
      stderr = keep(stderr, c);
      opts.onOutput?.(c, 'stderr');
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    const ticker = opts.onTick ? setInterval(opts.onTick, opts.tickMs ?? 1000) : null;
    const onAbort = () => killGroup();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      clearTimeout(timer);
      if (ticker) clearInterval(ticker);
      opts.signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    child.on('close', (code, signal) => {
      // Whatever the command left running in its group (a `cmd &`) goes with it.
      if (opts.parentWatchdog) killGroup();
      clearTimeout(timer);
      if (ticker) clearInterval(ticker);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ code, signal, stdout, stderr, timedOut, durationMs: Date.now() - started });
    });
  });
}

/** The start time of a live process (clock ticks since boot), or null when it is gone or off Linux. */
export function processStartTicks(pid: number): string | null {
  try {
    return parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))?.startTicks ?? null;
  } catch {
    return null;
  }
}

/** Pids of live processes in a process group (Linux /proc), for tests and for waiting on a kill. */
export function groupMembers(pgid: number): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^[0-9]+$/.test(e));
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    try {
      const st = parseProcStat(fs.readFileSync(`/proc/${e}/stat`, 'utf8'));
      return st && st.pgid === pgid && st.state !== 'Z' ? [Number(e)] : [];
    } catch {
      return [];
    }
  });
}

/**
 * SIGKILLs a recorded process group if its leader is still the process that was recorded (same
 * start time, so a recycled pid is never hit), then waits until no member is left. Returns true
 * when it killed something. Off Linux (no start times) it only relies on the watchdog.
 */
export async function killRecordedGroup(group: GroupRecord, waitMs = 5000): Promise<boolean> {
  if (group.startTicks === null) return false;
  const start = processStartTicks(group.pgid);
  // A live leader with another start time is a recycled pid: not ours.
  if (start !== null && start !== group.startTicks) return false;
  // The leader may be gone while members of its group live on (the guard died first); the pgid
  // cannot be reused while any member exists, so those members are ours.
  if (start === null && groupMembers(group.pgid).length === 0) return false;
  try {
    process.kill(-group.pgid, 'SIGKILL');
  } catch {
    return false;
  }
  const until = Date.now() + waitMs;
  while (groupMembers(group.pgid).length > 0 && Date.now() < until)
    await new Promise((r) => setTimeout(r, 20));
  return true;
}

/** A long-lived child under the parent-death watchdog, with its stdio open for a protocol. */
export interface WatchedProcess {
  child: import('node:child_process').ChildProcessWithoutNullStreams;
  group: GroupRecord;
  /** SIGKILLs the whole group (the command and everything it started). */
  kill(): void;
  /** Resolves when the command has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `cmd` under `process-guard.mjs` (see `runProcess`'s `parentWatchdog`) with stdin, stdout
 * and stderr as pipes the caller drives (an ACP agent speaks JSON-RPC over them). The group is
 * reported through `onSpawn` before the caller writes anything, so it can be recorded durably.
 */
export function spawnWatched(
  cmd: string,
  args: readonly string[],
  opts: {
    cwd?: string;
    /** The command's whole environment (a core/child-env.ts profile). */
    env: Readonly<Record<string, string | undefined>>;
    onSpawn?: (group: GroupRecord) => void;
  },
): WatchedProcess {
  const child = spawn(process.execPath, [GUARD, '0', cmd, ...args], {
    cwd: opts.cwd,
    env: opts.env as NodeJS.ProcessEnv,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  }) as unknown as WatchedProcess['child'];
  const group: GroupRecord = {
    pgid: child.pid ?? -1,
    startTicks: child.pid ? processStartTicks(child.pid) : null,
  };
  if (child.pid) opts.onSpawn?.(group);
  const kill = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', () => resolve({ code: null, signal: null }));
    child.once('close', (code, signal) => {
      kill();
      resolve({ code, signal });
    });
  });
  // A command that exits without reading its input must not crash this process with EPIPE.
  child.stdin.on('error', () => {});
  return { child, group, kill, exited };
}
