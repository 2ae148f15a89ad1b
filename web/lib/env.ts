/**
 * The console's configuration, through core/config.ts's one loader, once per process. Nothing else
 * in web/ reads `process.env`. The console's start-up (web/instrumentation.ts) loads it, so a bad
 * variable or config file stops the start with every offending name listed.
 */
import fs from 'node:fs';
import os from 'node:os';
import { loadConfig, type RatchetConfig } from '../../core/config.js';
import { pickShell, terminalEnv } from '../../core/terminal.js';

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

/** Variables no child process of the console needs; stripped from `childEnv()`. */
const SECRET_ENV = ['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'GITHUB_TOKEN', 'GH_TOKEN'];

/**
 * The only other process.env read: the environment for subprocesses the console runs (git, gh),
 * with model and GitHub secrets removed.
 */
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
  for (const k of SECRET_ENV) delete env[k];
  return env;
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
