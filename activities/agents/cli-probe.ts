/**
 * Is an agent's command installed, and does it answer? Used by the runners (a missing command is a
 * ConfigInvalid failure) and by the console's provider health (`/api/health`, Settings). Node
 * built-ins only, so the console can import it without the worker's dependencies.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildAgentEnv, type Env } from './sandbox-env.js';

/** Finds an executable on the env's PATH (or checks an explicit path); null when absent. */
export function resolveExecutable(bin: string, env: Env): string | null {
  const candidates = bin.includes('/')
    ? [bin]
    : (env.PATH ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .map((d) => path.join(d, bin));
  for (const file of candidates) {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // Not here.
    }
  }
  return null;
}

/** True when the command is installed and `<bin> --version` exits 0 within the deadline. */
export function answersVersion(file: string, env: Env, timeoutMs = 10_000): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(file, ['--version'], { env: buildAgentEnv(env), timeout: timeoutMs }, (err) => resolve(!err));
  });
}

/** True when the Claude Code CLI is installed and answers `--version` (for /api/health). */
export async function isClaudeCliAvailable(opts: {
  env: Env;
  claudeBin?: string;
  timeoutMs?: number;
}): Promise<boolean> {
  const file = resolveExecutable(opts.claudeBin ?? 'claude', opts.env);
  return file ? answersVersion(file, opts.env, opts.timeoutMs) : false;
}
