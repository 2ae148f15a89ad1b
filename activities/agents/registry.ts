/**
 * Which runners this worker offers, built from configuration: `script` always; `anthropic` when a
 * key is set; `openai` when a key or a base URL is set (Ollama and vLLM need no key); `claude-code`
 * always registered, failing with a clear ConfigInvalid when the CLI is missing; `acp` always
 * registered over the ACP presets and the config file's agents, failing the same way when the
 * named agent is unknown or not installed. With a fallback
 * runner configured, every other model runner hands over to it after N failed attempts.
 */
import type { RatchetConfig } from '../../core/config.js';
import type { RunnerName } from '../../core/agent.js';
import { acpAgents } from '../../core/acp.js';
import { hasApiCredentials } from '../../core/runner-availability.js';
import type { AcpRunnerDeps } from './acp-runner.js';
import type { AnthropicRunnerDeps } from './anthropic-runner.js';
import { createClaudeCodeRunner } from './claude-code-runner.js';
import type { OpenAIRunnerDeps } from './openai-runner.js';
import { createFallbackRunner, type AgentRunner, type ToolboxFactory } from './runner.js';
import { createScriptRunner } from './script-runner.js';
import { createToolbox } from './tools/index.js';

export type RunnerSet = Partial<Record<RunnerName, AgentRunner>>;

/**
 * A runner whose module, and the model SDK it imports (`@anthropic-ai/sdk`, `openai`,
 * `@agentclientprotocol/sdk`), loads on its first turn instead of at the worker's start: a worker
 * restarted after a crash is ready sooner (bench/worker-start.ts measures it).
 */
function lazyRunner(
  name: RunnerName,
  provider: string | undefined,
  load: () => Promise<AgentRunner>,
): AgentRunner {
  let loading: Promise<AgentRunner> | undefined;
  return {
    name,
    provider,
    run: async (req, ctx) => {
      loading ??= load();
      // A failed import is retried on the next turn rather than cached.
      const runner = await loading.catch((err: unknown) => {
        loading = undefined;
        throw err;
      });
      return runner.run(req, ctx);
    },
  };
}

/** Label for an OpenAI-compatible endpoint, guessed from its URL unless configured. */
export function openaiProviderLabel(baseURL: string | undefined, configured?: string): string {
  if (configured) return configured;
  if (!baseURL) return 'openai';
  if (/:11434\b/.test(baseURL)) return 'ollama';
  if (/openrouter\.ai/.test(baseURL)) return 'openrouter';
  return 'openai-compatible';
}

/** `parentEnv`: the worker's environment, captured once at start-up (worker/env.ts `parentEnv`). */
export function createRunners(
  config: RatchetConfig,
  parentEnv: Readonly<Record<string, string | undefined>>,
): RunnerSet {
  const { env, agents } = config;
  const makeToolbox: ToolboxFactory = ({ worktree, mode }) =>
    createToolbox({ worktree, mode, env: parentEnv });
  const prices = agents.prices;
  const models = agents.defaultModels ?? {};
  const runners: RunnerSet = {
    script: createScriptRunner({ killPoints: config.env.RATCHET_TEST_KILL_POINTS === '1' }),
  };
  if (hasApiCredentials('anthropic', env)) {
    const deps: AnthropicRunnerDeps = {
      apiKey: env.ANTHROPIC_API_KEY,
      baseURL: env.ANTHROPIC_BASE_URL,
      makeToolbox,
      env: parentEnv,
      prices,
      defaultModel: models.anthropic,
    };
    runners.anthropic = lazyRunner('anthropic', 'anthropic', async () =>
      (await import('./anthropic-runner.js')).createAnthropicRunner(deps),
    );
  }
  if (hasApiCredentials('openai', env)) {
    const deps: OpenAIRunnerDeps = {
      apiKey: env.OPENAI_API_KEY,
      baseURL: env.OPENAI_BASE_URL,
      provider: openaiProviderLabel(env.OPENAI_BASE_URL, agents.openaiProvider),
      makeToolbox,
      env: parentEnv,
      prices,
      defaultModel: models.openai,
    };
    runners.openai = lazyRunner('openai', deps.provider, async () =>
      (await import('./openai-runner.js')).createOpenAIRunner(deps),
    );
  }
  runners['claude-code'] = createClaudeCodeRunner({
    env: parentEnv,
    apiKey: env.ANTHROPIC_API_KEY,
    baseURL: env.ANTHROPIC_BASE_URL,
    prices,
    defaultModel: models['claude-code'],
  });
  const acpDeps: AcpRunnerDeps = {
    env: parentEnv,
    agents: acpAgents(agents.acp),
    defaultAgent: agents.defaultAcpAgent,
  };
  runners.acp = lazyRunner('acp', undefined, async () =>
    (await import('./acp-runner.js')).createAcpRunner(acpDeps),
  );
  const fallback = agents.fallbackRunner ? runners[agents.fallbackRunner] : undefined;
  if (fallback) {
    for (const name of ['anthropic', 'openai', 'claude-code', 'acp'] as const) {
      const primary = runners[name];
      if (!primary || name === agents.fallbackRunner) continue;
      runners[name] = createFallbackRunner(primary, fallback, {
        switchAfterAttempts: agents.fallbackAfterAttempts ?? 3,
        secondaryModel: models[agents.fallbackRunner!],
      });
    }
  }
  return runners;
}
