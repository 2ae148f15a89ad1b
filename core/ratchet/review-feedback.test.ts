import { describe, expect, it } from 'vitest';
import { prSnapshot, review, thread } from '../pr-fixtures.js';
import type { Actor } from '../pr.js';
import { hasHumanApproval, isCountedAuthor, reviewFeedback, unaddressedFeedback } from './review-feedback.js';

const policy = { reviewBotAllowlist: ['coderabbitai'], selfLogin: 'ratchet-bot' };
const bot = (login: string): Actor => ({ login, isBot: true });
const human = (login: string): Actor => ({ login, isBot: false });
const at = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, '0')}:00Z`;

describe('isCountedAuthor', () => {
  it.each([
    ['a human', human('alice'), true],
    ['an allowlisted bot', bot('coderabbitai'), true],
    ['an allowlisted bot with the [bot] suffix and other case', bot('CodeRabbitAI[bot]'), true],
    ['a bot not on the allowlist', bot('dependabot'), false],
    ['Ratchet itself', human('ratchet-bot'), false],
    ['Ratchet itself, as a bot', bot('Ratchet-Bot[bot]'), false],
  ])('isCountedAuthor %s → %s', (_name, author, expected) => {
    expect(isCountedAuthor(author, policy)).toBe(expected);
  });
});

describe('reviewFeedback', () => {
  const ids = (pr: Parameters<typeof reviewFeedback>[0]) =>
    reviewFeedback(pr, policy).changesRequested.map((r) => r.id);

  it('reviewFeedback counts a human CHANGES_REQUESTED review', () => {
    expect(ids(prSnapshot({ reviews: [review()] }))).toEqual(['R1']);
  });

  it('reviewFeedback ignores PENDING (unpublished) reviews', () => {
    expect(ids(prSnapshot({ reviews: [review({ state: 'PENDING', submittedAt: null })] }))).toEqual([]);
    expect(ids(prSnapshot({ reviews: [review({ state: 'PENDING' })] }))).toEqual([]);
  });

  it('reviewFeedback drops a request superseded by a later APPROVED from the same author', () => {
    const reviews = [
      review({ id: 'R1', submittedAt: at(1) }),
      review({ id: 'R2', state: 'APPROVED', submittedAt: at(2) }),
    ];
    expect(ids(prSnapshot({ reviews }))).toEqual([]);
  });

  it('reviewFeedback keeps a request made after an earlier approval by the same author', () => {
    const reviews = [
      review({ id: 'R2', submittedAt: at(5) }),
      review({ id: 'R1', state: 'APPROVED', submittedAt: at(1) }),
    ];
    expect(ids(prSnapshot({ reviews }))).toEqual(['R2']);
  });

  it('reviewFeedback an approval by someone else does not supersede', () => {
    const reviews = [
      review({ id: 'R1', submittedAt: at(1) }),
      review({ id: 'R2', author: human('bob'), state: 'APPROVED', submittedAt: at(2) }),
    ];
    expect(ids(prSnapshot({ reviews }))).toEqual(['R1']);
  });

  it('reviewFeedback a later COMMENTED review does not supersede the request', () => {
    const reviews = [
      review({ id: 'R1', submittedAt: at(1) }),
      review({ id: 'R2', state: 'COMMENTED', submittedAt: at(2) }),
    ];
    expect(ids(prSnapshot({ reviews }))).toEqual(['R1']);
  });

  it('reviewFeedback a DISMISSED request does not count', () => {
    expect(ids(prSnapshot({ reviews: [review({ state: 'DISMISSED' })] }))).toEqual([]);
  });

  it('reviewFeedback keeps only the latest request per author', () => {
    const reviews = [review({ id: 'R1', submittedAt: at(1) }), review({ id: 'R2', submittedAt: at(3) })];
    expect(ids(prSnapshot({ reviews }))).toEqual(['R2']);
  });

  it('reviewFeedback bot requests count only when allowlisted', () => {
    const reviews = [
      review({ id: 'R1', author: bot('coderabbitai') }),
      review({ id: 'R2', author: bot('sonarcloud') }),
    ];
    expect(ids(prSnapshot({ reviews }))).toEqual(['R1']);
  });

  it('reviewFeedback threads: outdated dropped, uncounted-only dropped, counted kept', () => {
    const threads = [
      thread({ id: 'T1' }),
      thread({ id: 'T2', isOutdated: true }),
      thread({ id: 'T3', comments: [{ author: bot('sonarcloud'), body: 'smell', createdAt: at(1) }] }),
      thread({
        id: 'T4',
        comments: [
          { author: bot('sonarcloud'), body: 'smell', createdAt: at(1) },
          { author: human('bob'), body: 'yes fix', createdAt: at(2) },
        ],
      }),
      thread({ id: 'T5', comments: [{ author: human('ratchet-bot'), body: 'Done.', createdAt: at(3) }] }),
      thread({ id: 'T6', comments: [] }),
    ];
    const fb = reviewFeedback(prSnapshot({ unresolvedThreads: threads }), policy);
    expect(fb.threads.map((t) => t.id)).toEqual(['T1', 'T4']);
    expect(fb.tokens).toEqual(['thread:T1:1', 'thread:T4:2']);
  });

  it('reviewFeedback is independent of input order', () => {
    const reviews = [
      review({ id: 'R1', submittedAt: at(1) }),
      review({ id: 'R9', author: human('bob'), submittedAt: at(2) }),
    ];
    const threads = [thread({ id: 'T2' }), thread({ id: 'T1' })];
    expect(
      reviewFeedback(prSnapshot({ reviews: [...reviews].reverse(), unresolvedThreads: threads }), policy),
    ).toEqual(reviewFeedback(prSnapshot({ reviews, unresolvedThreads: [...threads].reverse() }), policy));
  });
});

describe('reviewFeedback triggers', () => {
  const withTriggers = (triggers: Parameters<typeof reviewFeedback>[1]['triggers']) => ({
    ...policy,
    triggers,
  });
  const pr = prSnapshot({
    reviews: [
      review({ id: 'R1', submittedAt: at(1) }),
      review({
        id: 'R2',
        author: bot('coderabbitai[bot]'),
        state: 'COMMENTED',
        body: 'Rename x',
        submittedAt: at(2),
      }),
      review({
        id: 'R3',
        author: bot('sonarcloud[bot]'),
        state: 'COMMENTED',
        body: 'smell',
        submittedAt: at(3),
      }),
      review({ id: 'R4', author: human('carol'), state: 'COMMENTED', body: '', submittedAt: at(4) }),
    ],
    unresolvedThreads: [thread({ id: 'T1' })],
  });

  it.each<[string, Parameters<typeof reviewFeedback>[1]['triggers'], string[]]>([
    ['the default: change requests and threads', undefined, ['review:R1', 'thread:T1:1']],
    ['change requests only', ['changes_requested'], ['review:R1']],
    ['threads only', ['unresolved_threads'], ['thread:T1:1']],
    ['comments from counted authors with a body', ['commented'], ['review:R2']],
    [
      'all three',
      ['changes_requested', 'unresolved_threads', 'commented'],
      ['review:R1', 'review:R2', 'thread:T1:1'],
    ],
    ['none', [], []],
  ])('reviewFeedback triggers: %s', (_name, triggers, tokens) => {
    expect(reviewFeedback(pr, withTriggers(triggers)).tokens).toEqual(tokens);
  });

  it('reviewFeedback a comment-only review stops counting once its author approves after it', () => {
    const later = prSnapshot({
      reviews: [
        review({
          id: 'R2',
          author: bot('coderabbitai'),
          state: 'COMMENTED',
          body: 'Rename x',
          submittedAt: at(2),
        }),
        review({ id: 'R5', author: bot('coderabbitai'), state: 'APPROVED', submittedAt: at(5) }),
      ],
    });
    expect(reviewFeedback(later, withTriggers(['commented'])).tokens).toEqual([]);
  });
});

describe('unaddressedFeedback', () => {
  it('unaddressedFeedback hides handed-over items but a new reply on a thread brings it back', () => {
    const base = prSnapshot({ reviews: [review()], unresolvedThreads: [thread()] });
    const addressed = reviewFeedback(base, policy).tokens;
    expect(unaddressedFeedback(reviewFeedback(base, policy), addressed).tokens).toEqual([]);
    const replied = thread({
      comments: [...thread().comments, { author: human('alice'), body: 'still wrong', createdAt: at(9) }],
    });
    const again = unaddressedFeedback(
      reviewFeedback(prSnapshot({ reviews: [review()], unresolvedThreads: [replied] }), policy),
      addressed,
    );
    expect(again.tokens).toEqual(['thread:T1:2']);
    expect(again.changesRequested).toEqual([]);
  });
});

describe('hasHumanApproval', () => {
  it.each([
    ['latest human verdict approved', [review({ state: 'APPROVED' })], true],
    [
      'approval then changes requested',
      [review({ id: 'a', state: 'APPROVED', submittedAt: at(1) }), review({ id: 'b', submittedAt: at(2) })],
      false,
    ],
    [
      'allowlisted bot approval does not count',
      [review({ state: 'APPROVED', author: bot('coderabbitai') })],
      false,
    ],
    ['pending approval does not count', [review({ state: 'PENDING', submittedAt: null })], false],
  ])('hasHumanApproval %s → %s', (_name, reviews, expected) => {
    expect(hasHumanApproval(reviews, policy)).toBe(expected);
  });
});
