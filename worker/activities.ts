/** The composition root of activities: real clients wired into each module's factory. */
import { Context } from '@temporalio/activity';
import { gitEnv } from '../core/child-env.js';
import type { RatchetConfig } from '../core/config.js';
import type { Db } from '../db/client.js';
import { createAgentActivities } from '../activities/agents/activities.js';
import { createRunners } from '../activities/agents/registry.js';
import type { AgentRunner } from '../activities/agents/runner.js';
import { createCleanupRunner } from '../activities/cleanup-script.js';
import { createGitActivities } from '../activities/git.js';
import { createSetupActivities } from '../activities/setup.js';
import { createStoreActivities } from '../activities/store/index.js';
import { createGithubActivities, type GithubClient } from '../activities/github/index.js';
import { createPollCycleActivities } from '../activities/poll-cycle.js';
import { createTemporalActivities, startNotifyDelivery } from '../activities/temporal.js';
import { createNotifyActivities } from '../activities/notify.js';
import type { RunnerName } from '../core/agent.js';
import { parentEnv } from './env.js';

/** Heartbeat only when called inside an activity (git helpers are also used outside one). */
function heartbeat() {
  try {
    Context.current().heartbeat();
  } catch {
    // Not in an activity context.
  }
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
  env = parentEnv(),
}: {
  db: Db;
  config: RatchetConfig;
  /** The GitHub client; null without a token (GitHub activities then fail GithubAuth, visibly). */
  octokit?: GithubClient | null;
  /** Tests add runners aimed at loopback fakes. */
  extraRunners?: Partial<Record<RunnerName, AgentRunner>>;
  /**
   * The environment children are built from (core/child-env.ts profiles).
   * @default the worker's environment at start-up (worker/env.ts `parentEnv`)
   */
  env?: Readonly<Record<string, string | undefined>>;
}) {
  const runners = { ...createRunners(config, env), ...extraRunners };
  return {
    // One factory per outside system; the poll cycle composes GitHub, store and Temporal steps.
    ...createStoreActivities({ db, startDelivery: startNotifyDelivery }),
    // Archive runs the project's approved cleanup script before it removes the worktree.
    ...createGitActivities({
      heartbeat,
      env: gitEnv(env),
      beforeRemove: createCleanupRunner({ db, env }),
    }),
    ...createSetupActivities({ db, parentEnv: env }),
    ...createAgentActivities({ db, runners, env }),
    ...createGithubActivities({ octokit }),
    ...createTemporalActivities({ pollIntervalMs: config.env.RATCHET_POLL_INTERVAL_S * 1000 }),
    ...createNotifyActivities({ db, consoleUrl: consoleUrlOf(config) }),
    ...createPollCycleActivities({ db, octokit }),
  };
}
