/**
 * Provider health for `/api/health` and Settings: per runner (and per ACP agent) whether it is
 * installed and whether it has credentials. Only presence is read, never a secret's value; a
 * command counts as installed when it answers `--version` (Claude Code) or is on PATH (ACP agents,
 * some of which start a session on any argument). Cached 30 s, like the gh probe.
 */
import fs from 'node:fs';
import path from 'node:path';
import { acpAgents, type AcpAgentConfig } from '../../core/acp.js';
import type { RatchetConfig } from '../../core/config.js';
import { execFile } from 'node:child_process';
import { isSecretName, probeEnv } from '../../core/child-env.js';

export interface ProviderHealth {
  installed: boolean;
  /** null: cannot be told from here (the agent authenticates itself, or a cloud profile). */
  authenticated: boolean | null;
  /** What was found, never a value. */
  detail: string;
}

export interface ProvidersReport {
  anthropic: ProviderHealth;
  openai: ProviderHealth;
  'claude-code': ProviderHealth;
  /** By ACP agent name (presets and the config file's). */
  acp: Record<string, ProviderHealth>;
}

type Env = Record<string, string | undefined>;

/**
 * The executable `bin` resolves to on `env.PATH`, or null. The console may not import the
 * worker's activities (the boundaries rule), so this is the console's own copy of the runners'
 * `resolveExecutable` (activities/agents/cli-probe.ts); both follow PATH the same way.
 */
function resolveExecutable(bin: string, env: Env): string | null {
  const dirs = bin.includes('/') ? [''] : (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  for (const dir of dirs) {
    const file = dir ? path.join(dir, bin) : bin;
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // Not here.
    }
  }
  return null;
}

/** The Claude Code CLI is installed and `claude --version` exits 0 (as `isClaudeCliAvailable`). */
function claudeAnswers(env: Env, timeoutMs: number): Promise<boolean> {
  const file = resolveExecutable('claude', env);
  if (!file) return Promise.resolve(false);
  // The `probe` profile (PATH and HOME only): the probe needs no credential.
  const childEnv = probeEnv(env) as unknown as NodeJS.ProcessEnv;
  return new Promise((resolve) =>
    execFile(file, ['--version'], { env: childEnv, timeout: timeoutMs }, (err: Error | null) =>
      resolve(!err),
    ),
  );
}

/** A Claude Code login: `claude login` writes `.credentials.json` in the config directory. */
function claudeLogin(env: Env): string | null {
  const dir = env.CLAUDE_CONFIG_DIR ?? (env.HOME ? path.join(env.HOME, '.claude') : null);
  if (!dir) return null;
  const file = path.join(dir, '.credentials.json');
  return fs.existsSync(file) ? file : null;
}

function claudeAuth(config: RatchetConfig, env: Env): Pick<ProviderHealth, 'authenticated' | 'detail'> {
  if (config.env.ANTHROPIC_API_KEY) return { authenticated: true, detail: 'ANTHROPIC_API_KEY is set' };
  if (env.CLAUDE_CODE_USE_BEDROCK || env.CLAUDE_CODE_USE_VERTEX)
    return { authenticated: null, detail: 'Bedrock/Vertex selected: cloud credentials are not checked here' };
  const login = claudeLogin(env);
  if (login) return { authenticated: true, detail: `logged in (${login})` };
  return { authenticated: false, detail: 'no ANTHROPIC_API_KEY and no `claude login`' };
}

function acpHealth(name: string, agent: AcpAgentConfig, config: RatchetConfig, env: Env): ProviderHealth {
  const installed = resolveExecutable(agent.command, env) !== null;
  const where = installed ? `${agent.command} on PATH` : `${agent.command} not on PATH`;
  if (name === 'claude' && agent.command === 'claude-agent-acp') {
    const auth = claudeAuth(config, env);
    return { installed, ...auth, detail: `${where}; ${auth.detail}` };
  }
  const credentials = agent.passEnv.filter(isSecretName);
  if (credentials.length === 0)
    return { installed, authenticated: null, detail: `${where}; the agent authenticates itself` };
  // The console's child environment drops the secrets it knows; the parsed config still has them.
  const known = config.env as Record<string, unknown>;
  const set = credentials.filter((n) => env[n] || known[n]);
  return {
    installed,
    authenticated: set.length > 0,
    detail: `${where}; ${set.length ? `${set.join(', ')} set` : `none of ${credentials.join(', ')} set`}`,
  };
}

const cache = globalThis as unknown as { __ratchetProviders?: { at: number; report: ProvidersReport } };

export async function checkProviders(
  config: RatchetConfig,
  processEnv: Env,
  opts: { fresh?: boolean } = {},
): Promise<ProvidersReport> {
  const hit = cache.__ratchetProviders;
  if (!opts.fresh && hit && Date.now() - hit.at < 30_000) return hit.report;
  const { env } = config;
  const claudeInstalled = await claudeAnswers(processEnv, 5000);
  const claude = claudeAuth(config, processEnv);
  const report: ProvidersReport = {
    anthropic: {
      installed: true,
      authenticated: Boolean(env.ANTHROPIC_API_KEY),
      detail: env.ANTHROPIC_API_KEY ? 'ANTHROPIC_API_KEY is set' : 'ANTHROPIC_API_KEY is not set',
    },
    openai: {
      installed: true,
      // A local OpenAI-compatible endpoint (Ollama, vLLM) needs no key.
      authenticated: Boolean(env.OPENAI_API_KEY || env.OPENAI_BASE_URL),
      detail: env.OPENAI_API_KEY
        ? 'OPENAI_API_KEY is set'
        : env.OPENAI_BASE_URL
          ? 'OPENAI_BASE_URL is set (no key: a local endpoint needs none)'
          : 'neither OPENAI_API_KEY nor OPENAI_BASE_URL is set',
    },
    'claude-code': {
      installed: claudeInstalled,
      ...claude,
      detail: `${claudeInstalled ? 'claude answers --version' : 'claude is not installed or does not answer'}; ${claude.detail}`,
    },
    acp: Object.fromEntries(
      Object.entries(acpAgents(config.agents.acp)).map(([name, a]) => [
        name,
        acpHealth(name, a, config, processEnv),
      ]),
    ),
  };
  cache.__ratchetProviders = { at: Date.now(), report };
  return report;
}
