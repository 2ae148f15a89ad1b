import { describe, expect, it } from 'vitest';
import { keys, workflowIds } from './ids.js';

const WF = 'workspace/ws_1';
const RUN = '0193-run';
const FIX = 'fix/ws_1/abc123/ci';

/**
 * Each builder against the exact string the template it replaced produced (they are stored in
 * users' databases, in recorded histories and on GitHub: changing one writes a second row, posts a
 * second comment or commits twice). Expected values are written out, never built.
 */
const cases: { [K in keyof typeof keys]: [Parameters<(typeof keys)[K]>, string][] } = {
  workspaceWrite: [
    [[WF, RUN, 1, 'created'], 'workspace/ws_1/0193-run/1/created'],
    [[WF, RUN, 12, 'status-agent_running'], 'workspace/ws_1/0193-run/12/status-agent_running'],
  ],
  statusWrite: [[['awaiting_plan_approval'], 'status-awaiting_plan_approval']],
  session: [
    [['ws_1', 1, 'implement'], 'ws_1-t1-implement'],
    [['ws_1', 3, 'followup'], 'ws_1-t3-followup'],
    [['ws_1', 1, 'plan', 2], 'ws_1-t1-plan-r2'],
    [['ws_1', 101, 'ci-fix'], 'ws_1-t101-ci-fix'],
  ],
  trustNotification: [[['ws_1', 'e3b0c442'], 'trust/ws_1/e3b0c442']],
  prBodyMarker: [[['ws_1'], '<!-- ratchet:workspace/ws_1 -->']],
  turnTrailer: [[['ws_1', 2], 'Ratchet-Turn: ws_1#2']],
  fixHolder: [[[FIX, 4], 'fix/ws_1/abc123/ci#4']],
  fixTrailer: [[[FIX, 4, 2], 'Ratchet-Fix: fix/ws_1/abc123/ci #4 (attempt 2)']],
  legacyFixTrailer: [[[FIX, 2], 'Ratchet-Fix: fix/ws_1/abc123/ci (attempt 2)']],
  fixRow: [[[FIX, 4], 'fix/ws_1/abc123/ci#4']],
  ratchetDecision: [[['ws_1', RUN, 7], 'ratchet/ws_1/0193-run/d7']],
  ratchetEvent: [
    [['ws_1', RUN, 'merge/7'], 'ratchet/ws_1/0193-run/merge/7'],
    [['ws_1', RUN, 'stopped'], 'ratchet/ws_1/0193-run/stopped'],
  ],
  ask: [[['ws_1', 3], 'ask/ws_1/3']],
  reviewFixMarker: [[['ws_1', 3], 'review-fix/ws_1/3']],
  baseRedMarker: [[['ws_1'], 'base-red/ws_1']],
  stalledNotification: [[['ws_1', 'pr:1|sha:abc'], 'stalled/ws_1/pr:1|sha:abc']],
  pollError: [[['poller/o/r', RUN, 5, 'GithubRateLimited'], 'poller/o/r/0193-run/error/5/GithubRateLimited']],
  pollErrorIsOfType: [],
  pollRecovered: [
    [
      ['poller/o/r/0193-run/error/5/GithubUnavailable'],
      'poller/o/r/0193-run/error/5/GithubUnavailable/recovered',
    ],
  ],
  perWorkspaceEvent: [[['poller/o/r/0193-run/error/5/X', 'ws_1'], 'poller/o/r/0193-run/error/5/X/ws_1']],
  statusNotification: [
    [['workspace/ws_1/0193-run/9/status-failed'], 'status/workspace/ws_1/0193-run/9/status-failed'],
  ],
  mergedNotification: [[['ws_1'], 'merged/ws_1']],
  commentMarker: [[['review-fix/ws_1/3'], '<!-- ratchet:review-fix/ws_1/3 -->']],
  setupEvent: [
    [[WF, 1, 'start'], 'workspace/ws_1/setup/attempt-1/start'],
    [[WF, 2, 'out-0'], 'workspace/ws_1/setup/attempt-2/out-0'],
    [[undefined, 1, 'skipped'], 'undefined/setup/attempt-1/skipped'],
  ],
  setupOutputStep: [[[3], 'out-3']],
  agentFailurePrefix: [[[WF, RUN, '5'], 'workspace/ws_1/0193-run/5/agent-failure/']],
  agentFailure: [[[WF, RUN, '5', 2], 'workspace/ws_1/0193-run/5/agent-failure/2']],
  activityRetry: [
    [[WF, RUN, '3', 2], 'workspace/ws_1/0193-run/3/attempt-2'],
    [[undefined, undefined, '3', 2], 'undefined/undefined/3/attempt-2'],
  ],
  liveStream: [[['ws_1-t1-implement', 1, 'mabc12', 3], 'ws_1-t1-implement/1/mabc12.3']],
  inflightFile: [[[4242, '0f1e2d3c-4b5a-6978', 7], '4242-0f1e2d3c-7.json']],
};

describe('keys', () => {
  for (const [name, rows] of Object.entries(cases)) {
    for (const [args, want] of rows) {
      it(`${name}(${args.map((a) => JSON.stringify(a)).join(', ')}) is ${want}`, () => {
        const build = keys[name as keyof typeof keys] as (...a: unknown[]) => unknown;
        expect(build(...args)).toBe(want);
      });
    }
  }

  it('pollErrorIsOfType matches the error type ending the streak key, not a prefix of it', () => {
    const key = keys.pollError('poller/o/r', RUN, 5, 'GithubUnavailable');
    expect(keys.pollErrorIsOfType(key, 'GithubUnavailable')).toBe(true);
    expect(keys.pollErrorIsOfType(key, 'Unavailable')).toBe(false);
    expect(keys.pollErrorIsOfType(key, 'GithubRateLimited')).toBe(false);
  });

  it('every builder has a row (or a test of its own)', () => {
    const covered = Object.entries(cases)
      .filter(([name, rows]) => rows.length > 0 || name === 'pollErrorIsOfType')
      .map(([name]) => name);
    expect(covered.sort()).toEqual(Object.keys(keys).sort());
  });
});

describe('workflowIds', () => {
  it.each([
    [workflowIds.workspace('ws_1'), 'workspace/ws_1'],
    [workflowIds.ratchet('ws_1'), 'ratchet/ws_1'],
    [workflowIds.poller('o', 'r'), 'poller/o/r'],
    [workflowIds.notify(12), 'notify-12'],
    [workflowIds.lookup('p_1', 'issues', 'n1'), 'lookup/p_1/issues/n1'],
    [workflowIds.fix('ws_1', 'abc123', 'review'), 'fix/ws_1/abc123/review'],
  ])('builds %s', (got, want) => {
    expect(got).toBe(want);
  });

  it('refuses an id that is not a safe key segment, naming the field', () => {
    expect(() => workflowIds.workspace('a/b')).toThrow(/workspaceId must match/);
    expect(() => workflowIds.notify(0)).toThrow(/notificationId must be a positive integer/);
  });
});
