/**
 * Child processes for activities: argument arrays only (never a shell unless the caller asks for
 * one explicitly), a hard timeout that kills the whole process group, captured output with a cap,
 * and a tick callback so long runs can heartbeat.
 */
import { spawn } from 'node:child_process';

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
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
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

export function runProcess(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? 300_000;
  const cap = opts.outputCapBytes ?? 1_000_000;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: (opts.env ?? process.env) as NodeJS.ProcessEnv,
      detached: true,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
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
      clearTimeout(timer);
      if (ticker) clearInterval(ticker);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ code, signal, stdout, stderr, timedOut, durationMs: Date.now() - started });
    });
  });
}
