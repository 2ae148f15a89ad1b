/**
 * Who pays for an agent turn's retries. Temporal cannot tell a lost worker (heartbeat timeout)
 * from a real failure when it counts attempts, so the two are split:
 *
 * - **Worker loss** (SIGKILL, OOM, a machine that went away) surfaces as a heartbeat timeout. The
 *   activity's policy retries it without limit, after a constant short delay, so an interrupted
 *   turn resumes as soon as a worker is back and crashes never add up to a failed workspace.
 * - **Real failures** (the runner threw: a provider error, a bug) are counted by the activity
 *   itself, durably, one timeline row per failed attempt (`agent.attempt_failed`, keyed by run,
 *   activity and attempt, so a retried write lands once). The activity sets the next delay itself
 *   (exponential from `baseMs`) and, at the limit, fails non-retryable `AgentTurnFailed`.
 *
 * A worker that dies writes no failure row, so it spends nothing of the bound.
 */

/** Real failures an agent turn may have before the workspace fails. @default 8 */
export const AGENT_TURN_FAILURE_LIMIT = 8;
/** First delay after a real failure; doubles per failure, capped at `AGENT_RETRY_CAP_MS`. @default 2000 */
export const AGENT_RETRY_BASE_MS = 2_000;
export const AGENT_RETRY_CAP_MS = 120_000;

/** The activity retry policy for agent turns: unlimited, constant `baseMs` (worker loss). */
export function agentTurnRetryPolicy(baseMs: number = AGENT_RETRY_BASE_MS) {
  return {
    initialInterval: baseMs,
    backoffCoefficient: 1,
    maximumInterval: baseMs,
    maximumAttempts: Number.POSITIVE_INFINITY,
  };
}

export type AgentFailureVerdict = { kind: 'retry'; delayMs: number } | { kind: 'fail'; reason: string };

/** After the `failures`-th real failure of one turn: retry after a delay, or give up. */
export function agentFailureVerdict(
  failures: number,
  opts: { limit?: number; baseMs?: number } = {},
): AgentFailureVerdict {
  const limit = opts.limit ?? AGENT_TURN_FAILURE_LIMIT;
  const baseMs = opts.baseMs ?? AGENT_RETRY_BASE_MS;
  // The bound is on real failures only; reaching it ends the turn for good.
  if (failures >= limit) return { kind: 'fail', reason: `failed ${failures} times (limit ${limit})` };
  return { kind: 'retry', delayMs: Math.min(AGENT_RETRY_CAP_MS, baseMs * 2 ** Math.max(0, failures - 1)) };
}
