/**
 * The parent-death watchdog for long child processes (`runProcess(..., { parentWatchdog: true })`).
 * Started as the leader of a new process group, it runs `argv[3..]` inside that same group and
 * watches fd 3, a pipe whose other end only the worker holds. When the worker dies (SIGKILL
 * included: the kernel closes its end), the pipe reads end-of-file and the guard SIGKILLs the whole
 * group, the command and everything it started, so nothing from a dead worker's attempt can act
 * after it (a retry would otherwise run beside it). Plain JavaScript, so it starts with bare `node`.
 * Stdio 0-2 are inherited: the command reads and writes the worker's pipes directly, and so are
 * the extra input pipes (`runProcess`'s `extraInputs`, their count in `argv[2]`) from fd 4 on, at
 * the same numbers.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import process from 'node:process';

const [extraCount, cmd, ...args] = process.argv.slice(2);
/** Ignored by the guard (a terminal's ^C reaches the whole group); it stops with its command. */
const POLITE = ['SIGINT', 'SIGTERM', 'SIGHUP'];
for (const sig of POLITE) process.on(sig, () => {});
const killGroup = () => {
  try {
    process.kill(-process.pid, 'SIGKILL');
  } catch {
    process.exit(137);
  }
};

const lifeline = new net.Socket({ fd: 3, readable: true, writable: false });
lifeline.on('end', killGroup);
lifeline.on('close', killGroup);
lifeline.on('error', killGroup);
lifeline.resume();

const extras = Array.from({ length: Number(extraCount) || 0 }, (_, i) => 4 + i);
// fd 3 (the lifeline) is not passed on: only the guard may notice the worker's death.
const child = spawn(cmd, args, {
  stdio: extras.length ? ['inherit', 'inherit', 'inherit', 'ignore', ...extras] : 'inherit',
});
child.on('error', (err) => {
  process.stderr.write(`process-guard: cannot start ${cmd}: ${err.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  lifeline.removeAllListeners();
  lifeline.destroy();
  // Mirror the command's status so the caller sees what the command did, not the guard.
  if (!signal) process.exit(code ?? 1);
  for (const sig of POLITE) process.removeAllListeners(sig);
  process.kill(process.pid, signal);
});
