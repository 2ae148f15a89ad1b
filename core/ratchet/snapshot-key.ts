/**
 * The snapshot key: the PR facts a fixer could act on, as one stable string. Two snapshots with
 * the same facts give the same key whatever order GitHub listed them in; any new fact (a push, a
 * different failing check or conclusion, a new review, a reply on a thread, a conflict appearing or
 * clearing) gives a new key. Attempt caps and backoff count per key, so the loop stalls on a key
 * and resumes by itself as soon as the key changes.
 *
 * Deliberately NOT in the key: run ids and attempts (a rerun that fails the same way is the same
 * fact; factory-factory keys on run id, so every rerun reset its cap), pending/passing checks,
 * timestamps, and feedback from authors the policy ignores (uncounted bots cannot unstall a PR).
 */
import { rollupChecks } from '../ci-rollup.js';
import { hasConflict, type PrSnapshot } from '../pr.js';
import { reviewFeedback, type FeedbackPolicy } from './review-feedback.js';

const part = (value: string) => encodeURIComponent(value);

export interface SnapshotKeyFacts {
  number: number;
  headSha: string;
  /** `checkKey:OUTCOME` of the latest failing attempts (key URI-encoded, so separators cannot forge). */
  failing: string[];
  /** Counted CHANGES_REQUESTED review ids (URI-encoded). */
  reviews: string[];
  /** Counted unresolved thread ids (URI-encoded) with their comment counts (`id:n`). */
  threads: string[];
  conflict: boolean;
}

export function snapshotKeyFacts(pr: PrSnapshot, policy: FeedbackPolicy): SnapshotKeyFacts {
  const feedback = reviewFeedback(pr, policy);
  return {
    number: pr.number,
    headSha: pr.headSha,
    failing: rollupChecks(pr.checks)
      .failing.map((c) => `${part(c.key)}:${c.outcome}`)
      .sort(),
    reviews: feedback.changesRequested.map((r) => part(r.id)).sort(),
    threads: feedback.threads.map((t) => `${part(t.id)}:${t.comments.length}`).sort(),
    conflict: hasConflict(pr),
  };
}

/** `pr:12|sha:abc|ci:build%20%2F%20test:FAILURE,lint:FAILURE|rev:R1|thr:T1:2|conflict:0` */
export function formatSnapshotKey(facts: SnapshotKeyFacts): string {
  return [
    `pr:${facts.number}`,
    `sha:${part(facts.headSha)}`,
    `ci:${facts.failing.join(',')}`,
    `rev:${facts.reviews.join(',')}`,
    `thr:${facts.threads.join(',')}`,
    `conflict:${facts.conflict ? 1 : 0}`,
  ].join('|');
}

export function snapshotKey(pr: PrSnapshot, policy: FeedbackPolicy): string {
  return formatSnapshotKey(snapshotKeyFacts(pr, policy));
}

/**
 * The failing check keys a snapshot key names (the inverse of its `ci:` part), decoded; empty for a
 * key without one. Keys are URI-encoded there, so the last `:` of each entry starts the outcome.
 */
export function failingChecksOfKey(key: string): string[] {
  const ci = key.split('|').find((p) => p.startsWith('ci:'));
  if (!ci || ci === 'ci:') return [];
  const out: string[] = [];
  for (const entry of ci.slice(3).split(',')) {
    const colon = entry.lastIndexOf(':');
    if (colon <= 0) continue;
    try {
      out.push(decodeURIComponent(entry.slice(0, colon)));
    } catch {
      // Not written by formatSnapshotKey; nothing to count.
    }
  }
  return out;
}
