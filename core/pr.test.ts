import { describe, expect, it } from 'vitest';
import { checkRun, prSnapshot, review, statusContext, thread } from './pr-fixtures.js';
import { hasConflict, prSnapshotSchema } from './pr.js';

describe('prSnapshotSchema', () => {
  it('prSnapshotSchema accepts a full snapshot with check runs, statuses, reviews and threads', () => {
    const pr = prSnapshot({
      checks: [checkRun(), statusContext()],
      reviews: [review(), review({ id: 'R2', state: 'PENDING', submittedAt: null })],
      unresolvedThreads: [thread({ line: null })],
      baseSha: 'ffff',
      reviewDecision: 'REVIEW_REQUIRED',
    });
    expect(prSnapshotSchema.parse(pr)).toEqual(pr);
  });

  it.each([
    ['state', { state: 'open' }],
    ['mergeStateStatus', { mergeStateStatus: 'MERGEABLE' }],
    ['number', { number: 0 }],
    ['headSha', { headSha: '' }],
    ['checks', { checks: [{ ...checkRun(), conclusion: 'PASSED' }] }],
    ['checks', { checks: [{ ...statusContext(), kind: 'commit_status' }] }],
    ['reviews', { reviews: [{ ...review(), state: 'REQUEST_CHANGES' }] }],
  ])('prSnapshotSchema rejects a bad %s and names the field', (field, patch) => {
    const result = prSnapshotSchema.safeParse({ ...prSnapshot(), ...patch });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path[0]).toBe(field);
  });

  it('prSnapshotSchema requires reviewDecision to be present (null allowed, missing not)', () => {
    const { reviewDecision: _omit, ...rest } = prSnapshot();
    expect(prSnapshotSchema.safeParse(rest).success).toBe(false);
    expect(prSnapshotSchema.safeParse({ ...rest, reviewDecision: null }).success).toBe(true);
  });
});

describe('hasConflict', () => {
  it.each([
    ['MERGEABLE', 'CLEAN', false],
    ['CONFLICTING', 'DIRTY', true],
    ['CONFLICTING', 'UNKNOWN', true],
    ['UNKNOWN', 'DIRTY', true],
    ['UNKNOWN', 'UNKNOWN', false],
    ['MERGEABLE', 'BEHIND', false],
  ] as const)(
    'hasConflict mergeable=%s mergeStateStatus=%s → %s',
    (mergeable, mergeStateStatus, expected) => {
      expect(hasConflict({ mergeable, mergeStateStatus })).toBe(expected);
    },
  );
});
