import { describe, expect, it } from 'vitest';
import { checkRun, prSnapshot, review, statusContext, thread } from '../pr-fixtures.js';
import type { PrSnapshot } from '../pr.js';
import { mergeReadiness, type MergeBlockerCode } from './merge-ready.js';
import { ratchetSettings } from './settings.js';

const approved = { reviewDecision: 'APPROVED' } as const;
const codes = (pr: PrSnapshot, requireApproval = true) =>
  mergeReadiness(pr, ratchetSettings({ requireApproval, reviewBotAllowlist: ['coderabbitai'] })).blockers.map(
    (b) => b.code,
  );

describe('mergeReadiness', () => {
  it('mergeReadiness green, approved, mergeable, not draft → ready', () => {
    const r = mergeReadiness(prSnapshot(approved), ratchetSettings());
    expect(r).toEqual({ ready: true, blockers: [] });
  });

  it.each([
    ['closed', { ...approved, state: 'CLOSED' }, ['not_open']],
    ['draft', { ...approved, isDraft: true, mergeStateStatus: 'DRAFT' }, ['draft']],
    ['conflicting', { ...approved, mergeable: 'CONFLICTING', mergeStateStatus: 'DIRTY' }, ['conflict']],
    [
      'mergeability still computing',
      { ...approved, mergeable: 'UNKNOWN', mergeStateStatus: 'UNKNOWN' },
      ['mergeability_unknown'],
    ],
    ['behind a protected base', { ...approved, mergeStateStatus: 'BEHIND' }, ['behind']],
    ['CI failing', { ...approved, checks: [checkRun({ conclusion: 'FAILURE' })] }, ['ci_failing']],
    [
      'CI running',
      { ...approved, checks: [checkRun({ status: 'IN_PROGRESS', conclusion: null })] },
      ['ci_pending'],
    ],
    [
      'a status context pending',
      { ...approved, checks: [statusContext({ state: 'EXPECTED' })] },
      ['ci_pending'],
    ],
    ['changes requested by GitHub decision', { reviewDecision: 'CHANGES_REQUESTED' }, ['changes_requested']],
    [
      'changes requested by a counted reviewer (no branch protection)',
      { reviews: [review()] },
      ['changes_requested'],
    ],
    ['an unresolved current thread', { ...approved, unresolvedThreads: [thread()] }, ['unresolved_threads']],
    [
      'branch protection requires review',
      { reviewDecision: 'REVIEW_REQUIRED', mergeStateStatus: 'BLOCKED' },
      ['approval_required'],
    ],
    ['no approval while required by settings', {}, ['approval_required']],
    ['BLOCKED with nothing else to explain it', { ...approved, mergeStateStatus: 'BLOCKED' }, ['blocked']],
  ] as [string, Partial<PrSnapshot>, MergeBlockerCode[]][])(
    'mergeReadiness %s → %j',
    (_name, patch, expected) => {
      expect(codes(prSnapshot(patch))).toEqual(expected);
    },
  );

  it('mergeReadiness empty CI ("none") is not a blocker here; decide holds it for a settle window', () => {
    expect(codes(prSnapshot({ ...approved, checks: [] }))).toEqual([]);
  });

  it('mergeReadiness approval not required by settings and none by protection → ready without reviews', () => {
    expect(codes(prSnapshot(), false)).toEqual([]);
  });

  it('mergeReadiness a human approval counts when GitHub reports no decision', () => {
    expect(codes(prSnapshot({ reviews: [review({ state: 'APPROVED' })] }))).toEqual([]);
  });

  it('mergeReadiness an allowlisted bot approval does not satisfy requireApproval', () => {
    expect(
      codes(
        prSnapshot({
          reviews: [review({ state: 'APPROVED', author: { login: 'coderabbitai', isBot: true } })],
        }),
      ),
    ).toEqual(['approval_required']);
  });

  it('mergeReadiness an outdated thread and an ignored bot thread do not block', () => {
    const threads = [
      thread({ isOutdated: true }),
      thread({
        id: 'T2',
        comments: [{ author: { login: 'sonar', isBot: true }, body: 'x', createdAt: '2026-03-01T10:00:00Z' }],
      }),
    ];
    expect(codes(prSnapshot({ ...approved, unresolvedThreads: threads }))).toEqual([]);
  });

  it('mergeReadiness lists every blocker in a fixed order with readable messages', () => {
    const r = mergeReadiness(
      prSnapshot({
        isDraft: true,
        mergeable: 'CONFLICTING',
        mergeStateStatus: 'DIRTY',
        checks: [checkRun({ name: 'lint', conclusion: 'FAILURE' })],
        reviews: [review()],
      }),
      ratchetSettings(),
    );
    expect(r.ready).toBe(false);
    expect(r.blockers.map((b) => b.code)).toEqual(['draft', 'conflict', 'ci_failing', 'changes_requested']);
    expect(r.blockers[2]?.message).toBe('CI failing: CI / lint');
    expect(r.blockers[3]?.message).toBe('changes requested by alice');
  });
});
