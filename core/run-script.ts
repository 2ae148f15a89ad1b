/**
 * The run script's rules, as pure functions: a project's long-running dev server, started per
 * workspace from the console (web/run-script-server.ts carries them out). Its environment is the
 * `run` profile of core/child-env.ts: the terminal's allowlist (nothing of Ratchet's, no model,
 * GitHub or Temporal secret) plus `PORT`; its output is kept as a bounded tail; its process group
 * is recorded so a console that died (even by SIGKILL) has the group killed at its next start.
 */
import { z } from 'zod';

/** Stop: SIGTERM to the process group, SIGKILL to whatever is left after this. @default 5000 */
export const RUN_STOP_GRACE_MS = 5000;
/** Output kept per run (the tail; older output is dropped). @default 262144 */
export const RUN_OUTPUT_TAIL_CHARS = 256 * 1024;

/** Its environment is core/child-env.ts's `run` profile. */
export { runScriptEnv } from './child-env.js';

/**
 * The port the run script's server listens on: the one set on the Projects page, else a whole
 * number `runPort` in the repository's `.ratchet/config.json`, else none (no `PORT`, no link).
 */
export function runPortOf(consolePort: number | null | undefined, repoConfig: unknown): number | null {
  if (typeof consolePort === 'number') return consolePort;
  const fromRepo =
    repoConfig && typeof repoConfig === 'object' ? (repoConfig as Record<string, unknown>).runPort : null;
  return typeof fromRepo === 'number' && Number.isInteger(fromRepo) && fromRepo >= 1 && fromRepo <= 65_535
    ? fromRepo
    : null;
}

// CSI (colours, cursor moves), OSC (titles, links; ended by BEL or ST) and lone two-byte escapes.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** Output as plain text for the page's output pane: terminal escapes removed, `\r\n` as `\n`. */
export function plainOutput(text: string): string {
  return text.replace(ANSI, '').replace(/\r\n/g, '\n');
}

/** `tail` with `chunk` appended, cut to the last `cap` characters. */
export function appendTail(tail: string, chunk: string, cap = RUN_OUTPUT_TAIL_CHARS): string {
  const next = tail + chunk;
  return next.length > cap ? next.slice(next.length - cap) : next;
}

/** What the console writes to `$RATCHET_HOME/run-scripts/<workspace id>.json` while a run lives. */
export const runRecordSchema = z.object({
  workspaceId: z.string().min(1),
  /** The leader's pid, which is the process group id. */
  pgid: z.number().int().positive(),
  /** The leader's start time (`/proc/<pid>/stat` field 22) so a recycled pid is never killed; null off Linux. */
  startTicks: z.string().nullable(),
  startedAt: z.number().int(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

/** A run as the page and `GET /api/workspaces/:id/run` show it. */
export interface RunView {
  /** `stopping`: SIGTERM sent, waiting for the group to end. */
  status: 'stopped' | 'running' | 'stopping';
  pid: number | null;
  port: number | null;
  /** `http://localhost:<port>` when a port is configured. */
  url: string | null;
  startedAt: number | null;
  endedAt: number | null;
  exitCode: number | null;
  signal: string | null;
}

export const STOPPED_RUN: RunView = {
  status: 'stopped',
  pid: null,
  port: null,
  url: null,
  startedAt: null,
  endedAt: null,
  exitCode: null,
  signal: null,
};

export const runUrl = (port: number | null) => (port === null ? null : `http://localhost:${port}`);

/** How a run ended, in a few words for the output pane. */
export function exitText(code: number | null, signal: string | null): string {
  if (signal) return `stopped by ${signal}`;
  if (code === null) return 'ended';
  return code === 0 ? 'exited with code 0' : `exited with code ${code}`;
}
