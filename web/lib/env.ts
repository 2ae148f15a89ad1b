/**
 * The console's configuration, parsed once per process with core/config.ts. Nothing else in web/
 * reads `process.env`. A bad variable fails the first request with every offending name listed.
 */
import fs from 'node:fs';
import os from 'node:os';
import { pickShell, terminalEnv } from '../../core/terminal.js';
import {
  parseEnv,
  parseFileConfig,
  resolveConfig,
  type FileConfig,
  type RatchetConfig,
} from '../../core/config.js';

const cache = globalThis as unknown as { __ratchetWebConfig?: RatchetConfig };

function readFileConfig(file: string, explicit: boolean): FileConfig {
  if (!fs.existsSync(file)) {
    if (explicit) return parseFileConfig(undefined, file);
    return {};
  }
  return parseFileConfig(JSON.parse(fs.readFileSync(file, 'utf8')), file);
}

export function getConfig(): RatchetConfig {
  if (!cache.__ratchetWebConfig) {
    const env = parseEnv(process.env);
    const homeDir = os.homedir();
    const home = env.RATCHET_HOME ?? `${homeDir}/.ratchet`;
    const file = env.RATCHET_CONFIG ?? `${home}/config.json`;
    cache.__ratchetWebConfig = resolveConfig(
      env,
      readFileConfig(file, env.RATCHET_CONFIG !== undefined),
      homeDir,
    );
  }
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

/**
 * The workspace terminal's shell and its whole environment (core/terminal.ts `terminalEnv`: an
 * allowlist, no secrets), for a shell started in `cwd`.
 */
export function terminalShell(cwd: string): { shell: string; env: Record<string, string> } {
  const shell = pickShell(process.env.SHELL, (f) => fs.existsSync(f));
  return { shell, env: terminalEnv(process.env, { shell, cwd }) };
}
