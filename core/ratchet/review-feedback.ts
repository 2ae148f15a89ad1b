/**
 * Which review feedback the loop acts on. The anti-loop policy in one place:
 * - only published reviews (PENDING drafts are invisible to everyone but their author);
 * - humans always count; bots only when allowlisted; Ratchet's own login never;
 * - per author, only the latest CHANGES_REQUESTED review, and none if a later APPROVED
 *   from the same author supersedes it (COMMENTED does not: GitHub keeps the request too);
 * - unresolved threads that are not outdated and carry a comment from a counted author.
 * - which of these trigger a fix is the project's choice (`triggers`): by default change requests
 *   and unresolved threads; a COMMENTED review with a body (how most review bots write) only when
 *   `commented` is on, and only while its author has no later verdict.
 * Each item gets a token (`review:<id>`, `thread:<id>:<comments>`); a reply on a thread changes
 * its token, so new feedback is acted on even after the thread was addressed once.
 */
import type { Actor, PrSnapshot, Review, ReviewThread } from '../pr.js';

/** Review states that can trigger a review fix. */
export const REVIEW_TRIGGERS = ['changes_requested', 'unresolved_threads', 'commented'] as const;
export type ReviewTrigger = (typeof REVIEW_TRIGGERS)[number];
/** @default change requests and unresolved threads (what the loop always acted on) */
export const DEFAULT_REVIEW_TRIGGERS: readonly ReviewTrigger[] = ['changes_requested', 'unresolved_threads'];

export interface FeedbackPolicy {
  reviewBotAllowlist: readonly string[];
  selfLogin?: string | null;
  /** @default DEFAULT_REVIEW_TRIGGERS */
  triggers?: readonly ReviewTrigger[];
}

export interface ReviewFeedback {
  /**
   * Latest unsuperseded CHANGES_REQUESTED review per counted author, oldest first (and, with the
   * `commented` trigger, COMMENTED reviews with a body that no later verdict of theirs superseded).
   */
  changesRequested: Review[];
  /** Unresolved, current threads with a comment from a counted author, sorted by id. */
  threads: ReviewThread[];
  /** Sorted tokens for every item above. */
  tokens: string[];
}

const normalizeLogin = (login: string) =>
  login
    .trim()
    .toLowerCase()
    .replace(/\[bot\]$/, '');

/** True when this author's feedback counts: a human, or an allowlisted bot; never Ratchet itself. */
export function isCountedAuthor(author: Actor, policy: FeedbackPolicy): boolean {
  const login = normalizeLogin(author.login);
  if (policy.selfLogin && login === normalizeLogin(policy.selfLogin)) return false;
  if (!author.isBot) return true;
  return policy.reviewBotAllowlist.some((allowed) => normalizeLogin(allowed) === login);
}

export const reviewToken = (review: Pick<Review, 'id'>) => `review:${review.id}`;
export const threadToken = (thread: Pick<ReviewThread, 'id' | 'comments'>) =>
  `thread:${thread.id}:${thread.comments.length}`;

const submittedMs = (r: Review) =>
  r.submittedAt === null ? Number.NEGATIVE_INFINITY : Date.parse(r.submittedAt) || 0;

/** Published reviews in submission order (stable for equal times). */
function published(reviews: readonly Review[]): Review[] {
  return reviews
    .map((review, index) => ({ review, index }))
    .filter(({ review }) => review.state !== 'PENDING' && review.submittedAt !== null)
    .sort((a, b) => submittedMs(a.review) - submittedMs(b.review) || a.index - b.index)
    .map(({ review }) => review);
}

/** Per author (normalized login), the latest published APPROVED or CHANGES_REQUESTED review. */
export function latestVerdicts(reviews: readonly Review[]): Map<string, Review> {
  const verdicts = new Map<string, Review>();
  for (const review of published(reviews)) {
    if (review.state === 'APPROVED' || review.state === 'CHANGES_REQUESTED') {
      verdicts.set(normalizeLogin(review.author.login), review);
    }
  }
  return verdicts;
}

export function reviewFeedback(
  pr: Pick<PrSnapshot, 'reviews' | 'unresolvedThreads'>,
  policy: FeedbackPolicy,
): ReviewFeedback {
  const triggers = new Set(policy.triggers ?? DEFAULT_REVIEW_TRIGGERS);
  const verdicts = latestVerdicts(pr.reviews);
  const requested = triggers.has('changes_requested')
    ? [...verdicts.values()].filter(
        (r) => r.state === 'CHANGES_REQUESTED' && isCountedAuthor(r.author, policy),
      )
    : [];
  // A comment-only review counts until its author gives a verdict after it.
  const commented = triggers.has('commented')
    ? published(pr.reviews).filter((r) => {
        if (r.state !== 'COMMENTED' || r.body.trim() === '' || !isCountedAuthor(r.author, policy))
          return false;
        const verdict = verdicts.get(normalizeLogin(r.author.login));
        return !verdict || submittedMs(verdict) < submittedMs(r);
      })
    : [];
  const changesRequested = [...requested, ...commented].sort(
    (a, b) => submittedMs(a) - submittedMs(b) || (a.id < b.id ? -1 : 1),
  );
  const threads = triggers.has('unresolved_threads')
    ? pr.unresolvedThreads
        .filter((t) => !t.isOutdated && t.comments.some((c) => isCountedAuthor(c.author, policy)))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    : [];
  const tokens = [...changesRequested.map(reviewToken), ...threads.map(threadToken)].sort();
  return { changesRequested, threads, tokens };
}

/** The feedback not yet handed to a review fixer (per `addressed` tokens). */
export function unaddressedFeedback(feedback: ReviewFeedback, addressed: readonly string[]): ReviewFeedback {
  const done = new Set(addressed);
  const changesRequested = feedback.changesRequested.filter((r) => !done.has(reviewToken(r)));
  const threads = feedback.threads.filter((t) => !done.has(threadToken(t)));
  return { changesRequested, threads, tokens: feedback.tokens.filter((t) => !done.has(t)) };
}

/** True when a human (not a bot) currently approves: their latest verdict is APPROVED. */
export function hasHumanApproval(reviews: readonly Review[], policy: FeedbackPolicy): boolean {
  return [...latestVerdicts(reviews).values()].some(
    (r) => r.state === 'APPROVED' && !r.author.isBot && isCountedAuthor(r.author, policy),
  );
}
