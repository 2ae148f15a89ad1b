/**
 * The fake ACP agent (`fake-acp-agent.mjs`, built on the SDK's agent side, scripted through
 * FAKE_ACP_SCRIPT / FAKE_ACP_STATE) as the suites configure it: for a runner built in the test, or
 * for a real worker process through its config file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AcpAgentConfig } from '../../core/acp.js';

export const FAKE_ACP_AGENT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fake-acp-agent.mjs');

/** The agent's config as the acp runner takes it; the script and state files come from the env. */
export function fakeAcpAgentConfig(): AcpAgentConfig {
  return {
    command: FAKE_ACP_AGENT,
    args: [],
    passEnv: ['FAKE_ACP_SCRIPT', 'FAKE_ACP_STATE'],
    modes: { agent: 'default', plan: 'plan' },
    systemPrompt: 'inline',
  };
}

/** Writes `$home/config.json` naming the fake agent `fake`, for a worker process started on `home`. */
export function writeFakeAcpWorkerConfig(home: string): void {
  fs.writeFileSync(
    path.join(home, 'config.json'),
    JSON.stringify({
      agents: {
        acp: {
          fake: {
            command: FAKE_ACP_AGENT,
            passEnv: ['FAKE_ACP_SCRIPT', 'FAKE_ACP_STATE'],
            modes: { agent: 'default', plan: 'plan' },
            provider: 'fake-acp',
          },
        },
      },
    }),
  );
}
