/**
 * Which runners this machine is set up for, judged from the console's configuration (under
 * `npm start` the worker gets the same environment). The same rules as activities/agents/registry.ts;
 * only presence is read, never a secret's value.
 */
import { acpAgents } from '../../core/acp.js';
import type { RunnerName } from '../../core/agent.js';
import { childEnv, getConfig } from './env.js';
import { onPath } from './health.js';

/** ACP agents (presets and the config file's) whose command is installed, by name. */
export function installedAcpAgents(): string[] {
  const { agents } = getConfig();
  const envPath = childEnv().PATH;
  return Object.entries(acpAgents(agents.acp)).flatMap(([name, a]) =>
    onPath(a.command, envPath) ? [name] : [],
  );
}

export function runnerAvailability(): Record<RunnerName, boolean> {
  const { env } = getConfig();
  return {
    script: true,
    anthropic: Boolean(env.ANTHROPIC_API_KEY),
    openai: Boolean(env.OPENAI_API_KEY || env.OPENAI_BASE_URL),
    'claude-code': onPath('claude', childEnv().PATH),
    acp: installedAcpAgents().length > 0,
  };
}

/** The first runner with credentials, else the demo `script` runner: the pick when no default is stored. */
export function credentialRunner(available = runnerAvailability()): RunnerName {
  const order: RunnerName[] = ['anthropic', 'openai', 'claude-code'];
  return order.find((r) => available[r]) ?? 'script';
}
