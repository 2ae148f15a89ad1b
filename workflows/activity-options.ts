/**
 * Activity options of every workflow, by outside system: one retry policy per system, one list of
 * the failures a retry cannot fix (from core/errors.ts). Workflows take their proxies' options from
 * here and nowhere else, so "how hard do we retry GitHub" has one answer.
 *
 * Retry policies and timeouts are not part of a workflow's history commands (replay compares
 * activity types and ids), so changing a value here changes behaviour for new attempts without
 * breaking running workflows.
 */
import type { ActivityOptions, RetryPolicy } from '@temporalio/workflow';
import { agentTurnRetryPolicy } from '../core/agent-retry.js';
import { ErrorTypes, GITHUB_PERMANENT_ERRORS, LOCAL_PERMANENT_ERRORS } from '../core/errors.js';

/**
 * GitHub reads and writes. Each write looks before it acts, so retries converge; Octokit retries
 * once inline and rate limits come back with `nextRetryDelay` = time to the reset, so the attempt
 * cap is about outages, not quotas.
 */
export const githubRetry: RetryPolicy = {
  initialInterval: '2s',
  backoffCoefficient: 2,
  maximumInterval: '5m',
  maximumAttempts: 10,
  nonRetryableErrorTypes: [...GITHUB_PERMANENT_ERRORS],
};

/**
 * GitHub reads that only add context (a failed job's logs for a fixer's prompt): a few quick tries,
 * then the caller goes on without them.
 */
export const githubContextReadRetry: RetryPolicy = {
  ...githubRetry,
  maximumInterval: '1m',
  maximumAttempts: 5,
};

/** GitHub reads a person waits on (intake pickers): a few quick tries, then the console answers. */
export const githubInteractiveOptions: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '5s',
    maximumAttempts: 3,
    nonRetryableErrorTypes: [...GITHUB_PERMANENT_ERRORS],
  },
};

/**
 * The outgoing webhook: one POST per attempt (the activity's own request timeout is 10 s), retried
 * with backoff for up to about two hours until the receiver answers 2xx; a refusal stops it.
 */
export const webhookOptions: ActivityOptions = {
  startToCloseTimeout: '30s',
  retry: {
    initialInterval: '2s',
    backoffCoefficient: 2,
    maximumInterval: '10m',
    maximumAttempts: 20,
    nonRetryableErrorTypes: [ErrorTypes.WebhookRefused],
  },
};

/** SQLite writes (the read model): fast, local, idempotent by dedupe keys. */
export const storeRetry: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  maximumAttempts: 20,
  nonRetryableErrorTypes: [...LOCAL_PERMANENT_ERRORS],
};

/** Git, setup scripts and other work on the local worktree, bounded by `maximumAttempts`. */
export function localRetry(maximumAttempts: number): RetryPolicy {
  return {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '30s',
    maximumAttempts,
    nonRetryableErrorTypes: [...LOCAL_PERMANENT_ERRORS],
  };
}

/**
 * Agent turns counted by Temporal's attempts (fixers, and workspace runs from before the
 * `agent-retry-worker-loss` patch): a lost worker and a real failure both spend an attempt.
 */
export const boundedAgentRetry: RetryPolicy = {
  ...localRetry(8),
  initialInterval: '2s',
  maximumInterval: '2m',
};

/**
 * Agent turns whose real failures the activity counts itself (core/agent-retry.ts): unlimited,
 * constant delay for worker loss; `AgentTurnFailed` at the activity's own limit ends the turn.
 */
export function workerLossAgentRetry(baseMs: number): RetryPolicy {
  return {
    ...agentTurnRetryPolicy(baseMs),
    nonRetryableErrorTypes: [...LOCAL_PERMANENT_ERRORS, ErrorTypes.AgentTurnFailed],
  };
}

/** The poll cycle is its own retry loop: its activity retries only worker crashes and transport faults. */
export const pollCycleRetry: RetryPolicy = {
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '30s',
  maximumAttempts: 3,
};

/** Timeouts by kind of work. Long work also sets a heartbeat timeout (passed in by the caller). */
export const timeouts = {
  /** SQLite writes. */
  store: '30s',
  /** One GitHub call (the client's own retries included). */
  github: '2m',
  /** One poll cycle: a GraphQL listing per 100 PRs plus follow-ups. */
  pollCycle: '2m',
  /** A git command, bounded by git's own timeout. */
  git: '10m',
  /** One agent turn; it resumes from its transcript on retry. */
  agentTurn: '4h',
} as const satisfies Record<string, ActivityOptions['startToCloseTimeout']>;

export const storeOptions: ActivityOptions = { startToCloseTimeout: timeouts.store, retry: storeRetry };
export const githubOptions: ActivityOptions = { startToCloseTimeout: timeouts.github, retry: githubRetry };
export const githubContextReadOptions: ActivityOptions = {
  startToCloseTimeout: timeouts.github,
  retry: githubContextReadRetry,
};
