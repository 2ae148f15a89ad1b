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

/** The ACP methods the fake agent was called with, in order (`$FAKE_ACP_STATE/calls.log`). */
export function fakeAcpCalls(stateDir: string): Array<{ method: string; pid: number }> {
  const log = path.join(stateDir, 'calls.log');
  return fs.existsSync(log)
    ? fs
        .readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { method: string; pid: number })
    : [];
}

/** Live (not zombie) processes whose working directory is `dir`: what an agent left behind there. */
export function processesIn(dir: string): number[] {
  const real = fs.realpathSync(dir);
  return fs.readdirSync('/proc').flatMap((e) => {
    if (!/^[0-9]+$/.test(e)) return [];
    try {
      const state = fs.readFileSync(`/proc/${e}/stat`, 'utf8').split(') ')[1]?.[0];
      return state !== 'Z' && fs.readlinkSync(`/proc/${e}/cwd`) === real ? [Number(e)] : [];
    } catch {
      return [];
    }
  });
}
