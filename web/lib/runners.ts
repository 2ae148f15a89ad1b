/**
 * Which runners this machine is set up for, judged from the console's configuration (under
 * `npm start` the worker gets the same environment). The rules are core/runner-availability.ts,
 * shared with the worker's registry; only presence is read, never a secret's value.
 */
import { acpAgents } from '../../core/acp.js';
import type { RunnerName } from '../../core/agent.js';
import {
  credentialRunner as firstCredentialRunner,
  runnerAvailability as availabilityOf,
} from '../../core/runner-availability.js';
import { getConfig, parentEnv } from './env.js';
import { onPath } from './health.js';

/** ACP agents (presets and the config file's) whose command is installed, by name. */
export function installedAcpAgents(): string[] {
  const { agents } = getConfig();
  const envPath = parentEnv().PATH;
  return Object.entries(acpAgents(agents.acp)).flatMap(([name, a]) =>
    onPath(a.command, envPath) ? [name] : [],
  );
}

export function runnerAvailability(): Record<RunnerName, boolean> {
  return availabilityOf({
    env: getConfig().env,
    claudeOnPath: onPath('claude', parentEnv().PATH),
    installedAcpAgents: installedAcpAgents(),
  });
}

/** The first runner with credentials, else the demo `script` runner: the pick when no default is stored. */
export function credentialRunner(available = runnerAvailability()): RunnerName {
  return firstCredentialRunner(available);
}
