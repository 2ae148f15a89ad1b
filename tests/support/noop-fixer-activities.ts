/**
 * Fixer steps that change nothing, for suites and benchmarks about the ratchet's orchestration
 * (backoff, caps, pokes, history) rather than about editing code: the agent reports `summary` and
 * touches no file, so every fixer ends `no_change`. Typed by the fixer's own list of activities,
 * so a step the fixer gains is a compile error here, not a "not registered" retry loop at run time.
 */
import { zeroUsage } from '../../core/agent.js';
import type { RunAgentTurnInput } from '../../activities/agents/activities.js';
import type { FixerStepActivities } from '../../workflows/fixer.js';

export function noopFixerActivities(
  opts: { summary?: (input: RunAgentTurnInput) => string; onAgent?: (input: RunAgentTurnInput) => void } = {},
): FixerStepActivities {
  return {
    async runAgentTurn(input) {
      opts.onAgent?.(input);
      const summary = opts.summary?.(input) ?? 'could not find the cause';
      return { sessionId: input.sessionId, status: 'completed', summary, costUsd: 0, usage: zeroUsage() };
    },
    async readHead() {
      return { sha: 'f'.repeat(40) };
    },
    async fetchBranch() {
      return { sha: 'e'.repeat(40) };
    },
    async commitTurn() {
      return { commit: null, createdNow: false, filesChanged: 0 };
    },
    async pushBranch(): Promise<never> {
      throw new Error('pushBranch must not run when nothing was committed');
    },
  };
}
