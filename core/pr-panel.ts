/**
 * What the PR panel shows, projected from the last stored snapshot of the pull request: the
 * latest attempt of each check with its link, the latest verdict of each reviewer, the
 * unresolved threads, and whether the PR can merge. One pure function, so the page and any API
 * reader show the same thing.
 */
import { checkResult, latestAttempts, rollupChecks, type CheckResult, type CiStatus } from './ci-rollup.js';
import { hasConflict, type PrSnapshot, type ReviewState } from './pr.js';

export interface PanelCheck {
  name: string;
  workflowName: string | null;
  result: CheckResult;
  /** GitHub's own word: the conclusion of a finished run, the status of a running one, a status context's state. */
  outcome: string;
  /** The check's run page (details URL or status target URL). */
  url: string | null;
  startedAt: string | null;
  completedAt: string | null;
}

export interface PanelReview {
  author: string;
  isBot: boolean;
  state: ReviewState;
  submittedAt: string | null;
  body: string;
}

export interface PanelThread {
  path: string;
  line: number | null;
  outdated: boolean;
  comments: number;
  author: string;
  /** The first comment, which opened the thread. */
  body: string;
}

export interface PrPanel {
  number: number;
  url: string;
  title: string;
  state: PrSnapshot['state'];
  isDraft: boolean;
  headSha: string;
  ci: CiStatus;
  /** Failing first, then pending, then passing; by name within each. */
  checks: PanelCheck[];
  reviewDecision: PrSnapshot['reviewDecision'];
  /** The latest submitted review of each reviewer (pending drafts are not shown). */
  reviews: PanelReview[];
  threads: PanelThread[];
  mergeable: PrSnapshot['mergeable'];
  mergeStateStatus: PrSnapshot['mergeStateStatus'];
  conflict: boolean;
  /** One line for people: can it merge, and if not, why. */
  mergeSummary: string;
}

const RESULT_ORDER: Record<CheckResult, number> = { failure: 0, pending: 1, success: 2 };

const MERGE_WORDS: Record<PrSnapshot['mergeStateStatus'], string> = {
  CLEAN: 'No conflicts; GitHub allows merging',
  BEHIND: 'Behind its base branch (needs an update before merging)',
  BLOCKED: 'Blocked by branch protection (required reviews or checks)',
  DIRTY: 'Has merge conflicts with its base branch',
  DRAFT: 'Draft: not ready for review',
  HAS_HOOKS: 'Can merge (merge hooks will run)',
  UNKNOWN: 'GitHub has not computed mergeability yet',
  UNSTABLE: 'Can merge, but some checks are not passing',
};

export function prPanelOf(pr: PrSnapshot): PrPanel {
  const checks = latestAttempts(pr.checks)
    .map((c): PanelCheck =>
      c.kind === 'check_run'
        ? {
            name: c.name,
            workflowName: c.workflowName,
            result: checkResult(c),
            outcome: c.status === 'COMPLETED' && c.conclusion ? c.conclusion : c.status,
            url: c.detailsUrl,
            startedAt: c.startedAt,
            completedAt: c.completedAt,
          }
        : {
            name: c.context,
            workflowName: null,
            result: checkResult(c),
            outcome: c.state,
            url: c.targetUrl,
            startedAt: c.createdAt,
            completedAt: null,
          },
    )
    .sort((a, b) => RESULT_ORDER[a.result] - RESULT_ORDER[b.result] || a.name.localeCompare(b.name));
  const latest = new Map<string, PrSnapshot['reviews'][number]>();
  for (const r of pr.reviews) {
    if (r.state === 'PENDING' || r.submittedAt === null) continue;
    const prev = latest.get(r.author.login);
    if (!prev || (prev.submittedAt ?? '') <= r.submittedAt) latest.set(r.author.login, r);
  }
  const reviews = [...latest.values()]
    .sort((a, b) => (b.submittedAt ?? '').localeCompare(a.submittedAt ?? ''))
    .map((r) => ({
      author: r.author.login,
      isBot: r.author.isBot,
      state: r.state,
      submittedAt: r.submittedAt,
      body: r.body,
    }));
  const threads = pr.unresolvedThreads.map((t) => ({
    path: t.path,
    line: t.line,
    outdated: t.isOutdated,
    comments: t.comments.length,
    author: t.comments[0]?.author.login ?? '?',
    body: t.comments[0]?.body ?? '',
  }));
  const conflict = hasConflict(pr);
  const mergeSummary =
    pr.state !== 'OPEN'
      ? `The pull request is ${pr.state.toLowerCase()}`
      : conflict
        ? MERGE_WORDS.DIRTY
        : MERGE_WORDS[pr.mergeStateStatus];
  return {
    number: pr.number,
    url: pr.url,
    title: pr.title,
    state: pr.state,
    isDraft: pr.isDraft,
    headSha: pr.headSha,
    ci: rollupChecks(pr.checks).status,
    checks,
    reviewDecision: pr.reviewDecision,
    reviews,
    threads,
    mergeable: pr.mergeable,
    mergeStateStatus: pr.mergeStateStatus,
    conflict,
    mergeSummary,
  };
}
