/**
 * The process's configuration for the worker and the scripts: core/config.ts's loader over the real
 * environment and file system, and the parent environment record children are built from. With
 * web/lib/env.ts and scripts/, the only place that reads `process.env` (eslint.config.js enforces it).
 */
import fs from 'node:fs';
import os from 'node:os';
import { loadConfig as load, type RatchetConfig } from '../core/config.js';

/** The file's text, or null when it does not exist (any other read error is thrown). */
export function readConfigFile(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): RatchetConfig {
  return load({ env, homeDir: os.homedir(), readFile: readConfigFile });
}

/**
 * A frozen copy of the process's environment: the record every child process's environment is
 * built from (core/child-env.ts profiles). The composition root (worker/activities.ts) takes it
 * once, when the worker starts, and hands it to the activities; none reads `process.env` itself.
 */
export function parentEnv(): Readonly<Record<string, string | undefined>> {
  return Object.freeze({ ...process.env });
}
