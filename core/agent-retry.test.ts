import { describe, expect, it } from 'vitest';
import { agentFailureVerdict, agentTurnRetryPolicy, AGENT_RETRY_CAP_MS } from './agent-retry.js';

describe('agentFailureVerdict', () => {
  it.each([
    [1, {}, { kind: 'retry', delayMs: 2_000 }],
    [2, {}, { kind: 'retry', delayMs: 4_000 }],
    [7, {}, { kind: 'retry', delayMs: AGENT_RETRY_CAP_MS }],
    [8, {}, { kind: 'fail', reason: 'failed 8 times (limit 8)' }],
    [3, { limit: 3, baseMs: 100 }, { kind: 'fail', reason: 'failed 3 times (limit 3)' }],
    [2, { limit: 3, baseMs: 100 }, { kind: 'retry', delayMs: 200 }],
  ] as const)('after failure %i with %o: %o', (failures, opts, want) => {
    expect(agentFailureVerdict(failures, opts)).toEqual(want);
  });
});

describe('agentTurnRetryPolicy', () => {
  it('retries worker loss without limit after a constant delay', () => {
    expect(agentTurnRetryPolicy(500)).toEqual({
      initialInterval: 500,
      backoffCoefficient: 1,
      maximumInterval: 500,
      maximumAttempts: Number.POSITIVE_INFINITY,
    });
  });
});
