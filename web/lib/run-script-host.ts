/**
 * Where route handlers find the run-script owner. The console's process (web/server.ts) creates
 * it (web/run-script-server.ts) and installs it here, on `globalThis`, because Next compiles the
 * route handlers into their own module instances: a module-level variable would not be shared.
 * Nothing crosses this boundary but plain data (no error classes: `instanceof` would fail), so
 * the owner answers with result objects and the routes throw their own errors.
 */
import type { RunView } from '../../core/run-script.js';
import { DomainError } from './errors.js';

/** What a route hands the owner to start: everything already checked (trust, worktree, port). */
export interface RunPlan {
  workspaceId: string;
  /** The exact approved text, run with `/bin/sh -c`. */
  script: string;
  cwd: string;
  port: number | null;
}

export type StartRunResult = { ok: true; view: RunView } | { ok: false; reason: 'running'; view: RunView };

export interface RunScriptHost {
  start(plan: RunPlan): StartRunResult;
  /** SIGTERM to the group, SIGKILL after the grace; resolves with the view once the group ended. */
  stop(workspaceId: string): Promise<RunView>;
  view(workspaceId: string): RunView;
  /** Sends SSE frames (`reset`, then `output` and `state`) until the returned function is called. */
  subscribe(workspaceId: string, send: (frame: string) => void): () => void;
}

const slot = globalThis as unknown as { __ratchetRunScripts?: RunScriptHost };

export function installRunScriptHost(host: RunScriptHost | undefined): void {
  slot.__ratchetRunScripts = host;
}

/** The owner, or null when the console was not started by web/server.ts (e.g. `next dev`). */
export function findRunScriptHost(): RunScriptHost | null {
  return slot.__ratchetRunScripts ?? null;
}

export function runScriptHostOrThrow(): RunScriptHost {
  const host = findRunScriptHost();
  if (!host)
    throw new DomainError(
      'RunScriptsUnavailable',
      'Run scripts need the console started by web/server.ts (npm start); this process has no owner for them.',
    );
  return host;
}
