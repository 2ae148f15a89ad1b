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
import { createAcpRunner } from './acp-runner.js';
import { createAnthropicRunner } from './anthropic-runner.js';
import { createClaudeCodeRunner } from './claude-code-runner.js';
import { createOpenAIRunner } from './openai-runner.js';
import { createFallbackRunner, type AgentRunner, type ToolboxFactory } from './runner.js';
import { createScriptRunner } from './script-runner.js';
import { createToolbox } from './tools/index.js';

export type RunnerSet = Partial<Record<RunnerName, AgentRunner>>;

/** Label for an OpenAI-compatible endpoint, guessed from its URL unless configured. */
export function openaiProviderLabel(baseURL: string | undefined, configured?: string): string {
  if (configured) return configured;
  if (!baseURL) return 'openai';
  if (/:11434\b/.test(baseURL)) return 'ollama';
  if (/openrouter\.ai/.test(baseURL)) return 'openrouter';
  return 'openai-compatible';
}

export function createRunners(
  config: RatchetConfig,
  parentEnv: Record<string, string | undefined> = process.env,
): RunnerSet {
  const { env, agents } = config;
  const makeToolbox: ToolboxFactory = ({ worktree, mode }) =>
    createToolbox({ worktree, mode, env: parentEnv });
  const prices = agents.prices;
  const models = agents.defaultModels ?? {};
  const runners: RunnerSet = {
    script: createScriptRunner(),
  };
  if (hasApiCredentials('anthropic', env)) {
    runners.anthropic = createAnthropicRunner({
      apiKey: env.ANTHROPIC_API_KEY,
      baseURL: env.ANTHROPIC_BASE_URL,
      makeToolbox,
      env: parentEnv,
      prices,
      defaultModel: models.anthropic,
    });
  }
  if (hasApiCredentials('openai', env)) {
    runners.openai = createOpenAIRunner({
      apiKey: env.OPENAI_API_KEY,
      baseURL: env.OPENAI_BASE_URL,
      provider: openaiProviderLabel(env.OPENAI_BASE_URL, agents.openaiProvider),
      makeToolbox,
      env: parentEnv,
      prices,
      defaultModel: models.openai,
    });
  }
  runners['claude-code'] = createClaudeCodeRunner({
    env: parentEnv,
    apiKey: env.ANTHROPIC_API_KEY,
    baseURL: env.ANTHROPIC_BASE_URL,
    prices,
    defaultModel: models['claude-code'],
  });
  runners.acp = createAcpRunner({
    env: parentEnv,
    agents: acpAgents(agents.acp),
    defaultAgent: agents.defaultAcpAgent,
  });
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
