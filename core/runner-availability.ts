/**
 * Which runners a machine can use, from facts the caller gathered (configuration, what is on
 * `PATH`). One rule for the worker's registry (which runners it builds) and the console (what the
 * forms offer and which runner is the default). Presence only: never a secret's value.
 */
import type { RunnerName } from './agent.js';

/** The configuration a runner's credentials come from (presence is all that is read). */
export interface RunnerCredentialEnv {
  ANTHROPIC_API_KEY?: string;
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
}

export interface RunnerFacts {
  env: RunnerCredentialEnv;
  /** The `claude` CLI is on the worker's `PATH`. */
  claudeOnPath: boolean;
  /** ACP agents (presets and the config file's) whose command is installed. */
  installedAcpAgents: readonly string[];
}

/** The API runners need credentials: Anthropic a key; OpenAI-compatible a key or a base URL (Ollama and vLLM need no key). */
export function hasApiCredentials<E extends RunnerCredentialEnv>(
  runner: 'anthropic',
  env: E,
): env is E & { ANTHROPIC_API_KEY: string };
export function hasApiCredentials(runner: 'anthropic' | 'openai', env: RunnerCredentialEnv): boolean;
export function hasApiCredentials(runner: 'anthropic' | 'openai', env: RunnerCredentialEnv): boolean {
  return runner === 'anthropic'
    ? Boolean(env.ANTHROPIC_API_KEY)
    : Boolean(env.OPENAI_API_KEY || env.OPENAI_BASE_URL);
}

export function runnerAvailability(facts: RunnerFacts): Record<RunnerName, boolean> {
  return {
    script: true,
    anthropic: hasApiCredentials('anthropic', facts.env),
    openai: hasApiCredentials('openai', facts.env),
    'claude-code': facts.claudeOnPath,
    acp: facts.installedAcpAgents.length > 0,
  };
}

/** The order in which a runner with credentials becomes the default when none is stored. */
export const DEFAULT_RUNNER_ORDER: readonly RunnerName[] = ['anthropic', 'openai', 'claude-code'];

/** The first runner with credentials, else the demo `script` runner. */
export function credentialRunner(available: Record<RunnerName, boolean>): RunnerName {
  return DEFAULT_RUNNER_ORDER.find((r) => available[r]) ?? 'script';
}
