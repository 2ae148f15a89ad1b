/**
 * RatchetLoop's transitions (workflows/ratchet-loop.ts), outside Temporal: the state is private,
 * so these read it only through the loop's own outputs (decisions, `view()`, `carry()`).
 */
import { describe, expect, it } from 'vitest';
import { checkRun, HEAD_SHA, prSnapshot } from '../../core/pr-fixtures.js';
import { workspaceSpecSchema } from '../../core/workspace.js';
import { recordFixAttempt } from '../../core/ratchet/memory.js';
import { RatchetLoop } from '../../workflows/ratchet-loop.js';
import type { RatchetInput, RatchetResume } from '../../workflows/ratchet-messages.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const spec = workspaceSpecSchema.parse({
  workspaceId: 'ws1',
  projectId: 'p1',
  repoPath: '/nonexistent/repo',
  worktreeRoot: '/nonexistent/wt',
  worktreePath: '/nonexistent/wt/ws1',
  branch: 'feat',
  baseBranch: 'main',
  title: 'loop state',
  prompt: 'loop state',
  agent: { runner: 'script' },
  github: { owner: 'acme', repo: 'widgets' },
});
const base: RatchetInput = {
  spec,
  github: { owner: 'acme', repo: 'widgets' },
  pr: { number: 12, url: 'https://github.com/acme/widgets/pull/12', headBranch: 'feat', baseBranch: 'main' },
  settings: { autoMerge: true, requireApproval: false },
};
const identity = { workflowId: 'ratchet/ws1', chainId: 'run-1' };
const loopOf = (input: Partial<RatchetInput> = {}) => new RatchetLoop({ ...base, ...input }, identity);
const red = prSnapshot({ checks: [checkRun({ name: 'unit', conclusion: 'FAILURE', databaseId: 7 })] });
const snapshot = (pr = red, at = NOW) => ({ kind: 'snapshot' as const, pr, baseFailing: [], at });

describe('RatchetLoop', () => {
  it('isNewDecision only compares; decided numbers a new decision once', () => {
    const loop = loopOf();
    loop.snapshotArrived(snapshot());
    const action = loop.decideNow(NOW);
    if (!action) throw new Error('no decision');
    expect(action).toMatchObject({ kind: 'fix_ci', rule: 'ci_failed' });
    expect(loop.isNewDecision(action)).toBe(true);
    expect(loop.isNewDecision(action)).toBe(true);
    expect(loop.decisionNo).toBe(0);
    loop.decided(action, true);
    expect(loop.decisionNo).toBe(1);
    expect(loop.isNewDecision(action)).toBe(false);
    loop.decided(action, false);
    expect(loop.view()).toMatchObject({ decisionNo: 1, state: 'fixing_ci', rule: 'ci_failed' });
  });

  it('carry() hands the next run exactly the resume it was given (byte for byte)', () => {
    const resume: RatchetResume = {
      memory: recordFixAttempt(
        { attempts: {}, infraReruns: {}, addressedFeedback: ['review:R1'], questions: {}, head: null },
        'k',
        NOW,
      ),
      fixNo: 3,
      decisionNo: 41,
      lastSignature: 'stalled|ci_failed|k|3 attempts at fix_ci changed nothing; waiting for the PR to change',
      paused: true,
      last: snapshot(),
      notified: ['stalled/ws1/k'],
    };
    const policy = { settings: { autoMerge: false }, mergeMethod: 'rebase' as const };
    const loop = loopOf({ resume, policy });
    expect(JSON.stringify(loop.carry())).toBe(JSON.stringify(resume));
    expect(loop.nextRunInput()).toEqual({ ...base, policy, resume });
  });

  it('a stalled decision carried in the signature is the same decision after the gate became rows', () => {
    const c = snapshot();
    const first = loopOf();
    first.snapshotArrived(c);
    const memory = first.view().memory;
    const key = first.decideNow(NOW);
    if (key?.kind !== 'fix_ci') throw new Error('expected a CI fix');
    let m = memory;
    for (let i = 0; i < 3; i++) m = recordFixAttempt(m, key.key, NOW - 3_600_000);
    const signature = `stalled|ci_failed|${key.key}|3 attempts at fix_ci changed nothing; waiting for the PR to change`;
    const resumed = loopOf({
      resume: {
        memory: m,
        fixNo: 3,
        decisionNo: 9,
        lastSignature: signature,
        paused: false,
        last: c,
        notified: [],
      },
    });
    const again = resumed.decideNow(NOW);
    if (!again) throw new Error('no decision');
    expect(again).toMatchObject({ kind: 'stalled', rule: 'stalled_key', holds: 'ci_failed' });
    expect(resumed.isNewDecision(again)).toBe(false);
  });

  it('a PR gone before the first snapshot is decided as done by the closed_or_merged row', () => {
    const loop = loopOf();
    expect(loop.decideNow(NOW)).toBeNull();
    loop.snapshotArrived({ kind: 'missing', number: 12, at: NOW });
    expect(loop.prToRead).toBe(12);
    loop.missingRead();
    expect(loop.prToRead).toBeNull();
    loop.prEnded({ outcome: 'closed', reason: 'PR #12 no longer exists on GitHub' });
    expect(loop.endUndecided).toBe(true);
    expect(loop.decideNow(NOW)).toEqual({
      kind: 'done',
      outcome: 'closed',
      reason: 'PR #12 no longer exists on GitHub',
      rule: 'closed_or_merged',
    });
    loop.finished();
    expect(loop.endUndecided).toBe(false);
  });

  it('a failed effect forgets the decision (it is carried out again) and wakes the loop at the retry time', () => {
    const loop = loopOf({ settings: { autoMerge: true, requireApproval: false } });
    loop.snapshotArrived(snapshot(prSnapshot({ reviewDecision: 'APPROVED', headSha: HEAD_SHA })));
    const merge = loop.decideNow(NOW);
    if (!merge) throw new Error('no decision');
    expect(merge.kind).toBe('merge');
    loop.decided(merge, true);
    expect(loop.wakeAt()).toBeNull();
    loop.effectFailed(NOW + 300_000);
    expect(loop.wakeAt()).toBe(NOW + 300_000);
    expect(loop.isNewDecision(merge)).toBe(true);
    expect(loop.carry().lastSignature).toBeNull();
  });

  it('a fixer: dispatched → the loop waits for it; returned → unsettled; settled → off the loop', () => {
    const loop = loopOf();
    loop.snapshotArrived(snapshot());
    const fix = loop.decideNow(NOW);
    if (fix?.kind !== 'fix_ci') throw new Error('expected a CI fix');
    loop.decided(fix, true);
    expect(loop.fixerSettled()).toBeNull();
    loop.fixerDispatched(
      { kind: 'ci', workflowId: 'fix/ws1/sha/ci', rowId: 'fix/ws1/sha/ci#1', fixNo: 1, action: fix },
      NOW,
    );
    expect(loop.fixNo).toBe(1);
    expect(loop.prToRead).toBeNull();
    expect(loop.decideNow(NOW)).toMatchObject({ kind: 'wait', waitingFor: 'fixer', rule: 'fixer_running' });
    expect(loop.shouldContinueAsNew(() => true)).toBe(false);
    loop.woke();
    loop.fixerReturned({ outcome: 'pushed', commit: 'c0ffee', detail: 'fixed' });
    expect(loop.hasNews).toBe(true);
    expect(loop.fixerReturnedUnsettled).toBe(true);
    expect(loop.fixerSettled()).toMatchObject({ fixNo: 1, result: { outcome: 'pushed' } });
    expect(loop.fixerReturnedUnsettled).toBe(false);
    expect(loop.fixerSettled()).toBeNull();
    expect(loop.shouldContinueAsNew(() => true)).toBe(true);
  });

  it("a policy signal keeps the loop's own login, and wins over a start-up read that answers after it", () => {
    const loop = loopOf({ settings: undefined });
    loop.policyRead({ settings: { reviewBotAllowlist: ['a'] }, mergeMethod: 'squash' }, 'ratchet-bot');
    expect(loop.settings).toMatchObject({ reviewBotAllowlist: ['a'], selfLogin: 'ratchet-bot' });
    loop.policySignalled({ settings: { reviewBotAllowlist: ['b'] }, mergeMethod: 'merge' });
    expect(loop.settings).toMatchObject({ reviewBotAllowlist: ['b'], selfLogin: 'ratchet-bot' });
    const late = loopOf({ settings: undefined });
    late.policySignalled({ settings: { reviewBotAllowlist: ['b'] }, mergeMethod: 'merge' });
    late.policyRead({ settings: { reviewBotAllowlist: ['a'] }, mergeMethod: 'squash' }, 'ratchet-bot');
    expect(late.settings).toMatchObject({ reviewBotAllowlist: ['b'], selfLogin: 'ratchet-bot' });
    expect(late.policy?.mergeMethod).toBe('merge');
  });
});
