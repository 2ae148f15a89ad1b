/** The composition root of activities: real clients wired into each module's factory. */
import { Context } from '@temporalio/activity';
import type { RatchetConfig } from '../core/config.js';
import type { Db } from '../db/client.js';
import { createAgentActivities } from '../activities/agents/activities.js';
import { createRunners } from '../activities/agents/registry.js';
import { isSecretName } from '../activities/agents/sandbox-env.js';
import type { AgentRunner } from '../activities/agents/runner.js';
import { createGitActivities } from '../activities/git.js';
import { createSetupActivities } from '../activities/setup.js';
import { createStoreActivities } from '../activities/store/index.js';
import { createGithubActivities, type GithubClient } from '../activities/github/index.js';
import { createPollCycleActivities } from '../activities/poll-cycle.js';
import { createTemporalActivities, startNotifyDelivery } from '../activities/temporal.js';
import { createNotifyActivities } from '../activities/notify.js';
import type { RunnerName } from '../core/agent.js';

/** Heartbeat only when called inside an activity (git helpers are also used outside one). */
function heartbeat() {
  try {
    Context.current().heartbeat();
  } catch {
    // Not in an activity context.
  }
}

/** Git gets the user's environment minus the secrets it never needs (model keys, other tokens). */
function gitEnv(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    // Same secret rule as the agent env, except the GitHub token: pushing through the `gh` credential
    // helper needs it. SSH_AUTH_SOCK and credential helpers pass too.
    const githubToken = k === 'GITHUB_TOKEN' || k === 'GH_TOKEN';
    if (/^(ANTHROPIC_|OPENAI_|RATCHET_)/.test(k) || (isSecretName(k) && !githubToken)) continue;
    out[k] = v;
  }
  return out;
}

/** The console's address for links in webhook messages (a wildcard bind is reached on loopback). */
function consoleUrlOf(config: RatchetConfig): string {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

export function createActivities({
  db,
  config,
  octokit = null,
  extraRunners = {},
}: {
  db: Db;
  config: RatchetConfig;
  /** The GitHub client; null without a token (GitHub activities then fail GithubAuth, visibly). */
  octokit?: GithubClient | null;
  /** Tests add runners aimed at loopback fakes. */
  extraRunners?: Partial<Record<RunnerName, AgentRunner>>;
}) {
  const runners = { ...createRunners(config), ...extraRunners };
  return {
    // One factory per outside system; the poll cycle composes GitHub, store and Temporal steps.
    ...createStoreActivities({ db, startDelivery: startNotifyDelivery }),
    ...createGitActivities({ heartbeat, env: gitEnv(process.env) }),
    ...createSetupActivities({ db }),
    ...createAgentActivities({ db, runners }),
    ...createGithubActivities({ octokit }),
    ...createTemporalActivities({ pollIntervalMs: config.env.RATCHET_POLL_INTERVAL_S * 1000 }),
    ...createNotifyActivities({ db, consoleUrl: consoleUrlOf(config) }),
    ...createPollCycleActivities({ db, octokit }),
  };
}
