/**
 * The console's configuration, through core/config.ts's one loader, once per process, and the
 * environments of its child processes (core/child-env.ts profiles). Nothing else in web/ reads
 * `process.env` (eslint.config.js enforces it for web/lib). The console's start-up
 * (web/instrumentation.ts) loads it, so a bad variable or config file stops the start with every
 * offending name listed.
 */
import fs from 'node:fs';
import os from 'node:os';
import { loadConfig, type RatchetConfig } from '../../core/config.js';
import { consoleEnv, terminalEnv } from '../../core/child-env.js';
import { pickShell } from '../../core/terminal.js';

const cache = globalThis as unknown as { __ratchetWebConfig?: RatchetConfig };

function readConfigFile(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** The configuration, loaded once per process (web/instrumentation.ts loads it at start-up). */
export function getConfig(): RatchetConfig {
  cache.__ratchetWebConfig ??= loadConfig({
    env: process.env,
    homeDir: os.homedir(),
    readFile: readConfigFile,
  });
  return cache.__ratchetWebConfig;
}

/**
 * The environment for subprocesses the console runs (git, gh): core/child-env.ts's `console`
 * profile (the user's environment minus every secret, the GitHub tokens included, model keys,
 * RATCHET_* and NODE_OPTIONS).
 */
export function childEnv(): NodeJS.ProcessEnv {
  // Next's type augmentation makes NODE_ENV required on ProcessEnv; a child env need not carry it.
  return consoleEnv(process.env) as NodeJS.ProcessEnv;
}

/**
 * A frozen copy of the console's environment, for checks that only look (is `claude` on PATH,
 * which CLAUDE_* switch or agent key is set): never handed to a child process.
 */
export function parentEnv(): Readonly<Record<string, string | undefined>> {
  return Object.freeze({ ...process.env });
}

/** Whether each named variable is set (non-empty) in the console's environment; never a value. */
export function envNamesSet(names: readonly string[]): Record<string, boolean> {
  return Object.fromEntries(names.map((n) => [n, Boolean(process.env[n])]));
}

/**
 * The workspace terminal's shell and its whole environment (core/terminal.ts `terminalEnv`: an
 * allowlist, no secrets), for a shell started in `cwd`.
 */
export function terminalShell(cwd: string): { shell: string; env: Record<string, string> } {
  const shell = pickShell(process.env.SHELL, (f) => fs.existsSync(f));
  return { shell, env: terminalEnv(process.env, { shell, cwd }) };
}
