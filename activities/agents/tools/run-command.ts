/**
 * run_command: `/bin/sh -c` in its own process group, with the allowlisted environment, no stdin,
 * a hard timeout, and an output cap. The whole group is killed when the time runs out, when the
 * caller cancels, and also when the shell exits normally, so `cmd &` leaves nothing running
 * behind the agent's back (a background job could otherwise edit files after the turn ends).
 */
import { spawn } from 'node:child_process';
import type { AgentEnv } from '../sandbox-env.js';
import { capText, type ToolResult } from './fs-tools.js';

export interface RunCommandOptions {
  cwd: string;
  env: AgentEnv;
  timeoutMs: number;
  capBytes: number;
  signal?: AbortSignal;
}

/** Idle time after which pipes still open past the shell's exit are abandoned. */
const DRAIN_MS = 1000;
/** Bytes kept free for the status line above the output. */
const STATUS_RESERVE = 96;

function killGroup(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

export function runCommandTool(command: string, opts: RunCommandOptions): Promise<ToolResult> {
  opts.signal?.throwIfAborted();
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], {
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Keep head and tail within the cap while streaming, so a chatty command cannot grow memory.
    const chunks: Buffer[] = [];
    let kept = 0;
    const tail: Buffer[] = [];
    let tailBytes = 0;
    let dropped = 0;
    let exited = false;
    let dataSeq = 0;
    const onData = (chunk: Buffer) => {
      dataSeq++;
      if (exited) armDrain();
      let c = chunk;
      if (tail.length === 0 && kept < opts.capBytes) {
        const room = opts.capBytes - kept;
        chunks.push(c.subarray(0, room));
        kept += Math.min(room, c.length);
        if (c.length <= room) return;
        c = c.subarray(room);
      }
      tail.push(c);
      tailBytes += c.length;
      while (tailBytes > opts.capBytes) {
        const first = tail[0] as Buffer;
        const excess = tailBytes - opts.capBytes;
        if (first.length <= excess) {
          tail.shift();
          tailBytes -= first.length;
          dropped += first.length;
        } else {
          tail[0] = first.subarray(excess);
          tailBytes -= excess;
          dropped += excess;
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    let timedOut = false;
    let aborted = false;
    let settled = false;
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, opts.timeoutMs);
    const onAbort = () => {
      aborted = true;
      killGroup(child.pid);
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    let drainTimer: NodeJS.Timeout | undefined;
    // After the shell exits, finish once the pipes close, or once they have been idle for DRAIN_MS
    // (an escaped daemon holding them open must not hang the tool).
    // A stalled event loop can run the timer before reading data already in the pipe, so the timer
    // only schedules a check after the next poll phase, and any data read meanwhile re-arms it.
    const armDrain = () => {
      clearTimeout(drainTimer);
      drainTimer = setTimeout(() => {
        const mark = dataSeq;
        setImmediate(() => (dataSeq === mark ? finish() : armDrain()));
      }, DRAIN_MS);
    };
    const finish = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(drainTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      child.stdout.destroy();
      child.stderr.destroy();
      if (aborted) {
        reject(opts.signal?.reason ?? new Error('aborted'));
        return;
      }
      const all = Buffer.concat([...chunks, ...tail]).toString('utf8');
      // Leave room for the status line so the whole result stays within the cap.
      const output = capText(all, Math.max(256, opts.capBytes - STATUS_RESERVE), dropped);
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      if (timedOut) {
        resolve({
          ok: false,
          output: `command timed out after ${opts.timeoutMs} ms and was killed\n${output}`.trimEnd(),
        });
        return;
      }
      const status = exitCode !== null ? `exit code ${exitCode}` : `killed by ${exitSignal ?? 'signal'}`;
      resolve({ ok: exitCode === 0, output: `${status} (${secs}s)\n${output}`.trimEnd() });
    };
    child.on('error', (err) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ ok: false, output: `could not start /bin/sh: ${err.message}` });
    });
    child.on('exit', (code, sig) => {
      exitCode = code;
      exitSignal = sig;
      // Reap background jobs the command left behind, then give the pipes a moment to drain.
      exited = true;
      killGroup(child.pid);
      armDrain();
    });
    child.on('close', finish);
  });
}
