import { describe, expect, it } from 'vitest';
import { checkRun, prSnapshot, review, statusContext, thread } from '../pr-fixtures.js';
import type { PrSnapshot } from '../pr.js';
import { failingChecksOfKey, snapshotKey } from './snapshot-key.js';

const policy = { reviewBotAllowlist: [], selfLogin: null };
const key = (pr: PrSnapshot) => snapshotKey(pr, policy);
const failing = (name: string, conclusion: 'FAILURE' | 'TIMED_OUT' = 'FAILURE') =>
  checkRun({ name, conclusion, databaseId: name.length });

const base = prSnapshot({
  checks: [failing('lint'), failing('unit'), checkRun({ name: 'build' }), statusContext({ state: 'ERROR' })],
  reviews: [review({ id: 'R1' }), review({ id: 'R2', author: { login: 'bob', isBot: false } })],
  unresolvedThreads: [thread({ id: 'T1' }), thread({ id: 'T2' })],
});

describe('snapshotKey', () => {
  it('snapshotKey is readable and lists the facts', () => {
    expect(key(base)).toBe(
      `pr:42|sha:${base.headSha}|ci:CI%20%2F%20lint:FAILURE,CI%20%2F%20unit:FAILURE,ci%2Fexternal:ERROR|rev:R1,R2|thr:T1:1,T2:1|conflict:0`,
    );
  });

  it('snapshotKey same facts in any order give the same key', () => {
    const shuffled = {
      ...base,
      checks: [...base.checks].reverse(),
      reviews: [...base.reviews].reverse(),
      unresolvedThreads: [...base.unresolvedThreads].reverse(),
    };
    expect(key(shuffled)).toBe(key(base));
  });

  it.each([
    ['a push (new head SHA)', { headSha: 'b'.repeat(40) }],
    [
      'a different failing check',
      { checks: [failing('lint'), checkRun({ name: 'unit' }), statusContext({ state: 'ERROR' })] },
    ],
    [
      'a different conclusion',
      { checks: [failing('lint'), failing('unit', 'TIMED_OUT'), statusContext({ state: 'ERROR' })] },
    ],
    [
      'a new review',
      { reviews: [...base.reviews, review({ id: 'R3', author: { login: 'carol', isBot: false } })] },
    ],
    [
      'a reply on a thread',
      {
        unresolvedThreads: [
          thread({ id: 'T1' }),
          thread({ id: 'T2', comments: [...thread().comments, ...thread().comments] }),
        ],
      },
    ],
    ['a resolved thread', { unresolvedThreads: [thread({ id: 'T1' })] }],
    ['a conflict', { mergeable: 'CONFLICTING', mergeStateStatus: 'DIRTY' }],
  ] as [string, Partial<PrSnapshot>][])('snapshotKey changes on %s', (_name, patch) => {
    expect(key({ ...base, ...patch })).not.toBe(key(base));
  });

  it.each([
    [
      'a rerun that fails the same way (new run id and attempt)',
      {
        checks: [
          failing('lint'),
          checkRun({ name: 'unit', conclusion: 'FAILURE', runId: 777, attempt: 2, databaseId: 99 }),
          checkRun({ name: 'build' }),
          statusContext({ state: 'ERROR' }),
        ],
      },
    ],
    [
      'a pending check finishing green',
      { checks: [...base.checks, checkRun({ name: 'e2e', status: 'IN_PROGRESS', conclusion: null })] },
    ],
    [
      'a new comment from an uncounted bot',
      {
        unresolvedThreads: [
          ...base.unresolvedThreads,
          thread({
            id: 'T9',
            comments: [
              { author: { login: 'sonarcloud', isBot: true }, body: 'x', createdAt: '2026-03-01T11:00:00Z' },
            ],
          }),
        ],
      },
    ],
    [
      'a pending review',
      {
        reviews: [
          ...base.reviews,
          review({ id: 'R8', state: 'PENDING', submittedAt: null, author: { login: 'dave', isBot: false } }),
        ],
      },
    ],
    ['a new updatedAt', { updatedAt: '2026-03-02T00:00:00Z' }],
  ] as [string, Partial<PrSnapshot>][])('snapshotKey ignores %s', (_name, patch) => {
    expect(key({ ...base, ...patch })).toBe(key(base));
  });

  it('snapshotKey check names with separators cannot forge another key', () => {
    const tricky = prSnapshot({
      checks: [checkRun({ name: 'a|rev:X', workflowName: null, conclusion: 'FAILURE' })],
    });
    expect(key(tricky)).toContain('ci:a%7Crev%3AX:FAILURE|rev:|');
  });
});

describe('failingChecksOfKey', () => {
  it.each<[string, string, string[]]>([
    ['reads every failing check of the fixture', key(base), ['CI / lint', 'CI / unit', 'ci/external']],
    [
      'a key with no failing check names none',
      key(prSnapshot({ checks: [checkRun({ name: 'build' })] })),
      [],
    ],
    [
      'a check name holding separators comes back whole',
      key(
        prSnapshot({ checks: [checkRun({ name: 'a|rev:X,y', workflowName: null, conclusion: 'FAILURE' })] }),
      ),
      ['a|rev:X,y'],
    ],
    ['a key without a ci part names none', 'pr:1|sha:abc', []],
    ['an entry that is not URI-encoded is skipped', 'pr:1|ci:%E0%A4%A:FAILURE,ok:FAILURE|rev:', ['ok']],
  ])('failingChecksOfKey %s', (_name, k, want) => {
    expect(failingChecksOfKey(k)).toEqual(want);
  });
});
