/**
 * Builders for PR snapshots in tests (ours and other suites'). Every builder returns a value that
 * passes `prSnapshotSchema`; overrides replace fields wholesale.
 */
import type { CheckRun, PrSnapshot, Review, ReviewThread, StatusContext } from './pr.js';

export const HEAD_SHA = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678';

export function prSnapshot(overrides: Partial<PrSnapshot> = {}): PrSnapshot {
  return {
    repo: { owner: 'acme', name: 'widgets' },
    number: 42,
    url: 'https://github.com/acme/widgets/pull/42',
    title: 'Add widget sorting',
    state: 'OPEN',
    isDraft: false,
    headRefName: 'ratchet/add-widget-sorting-ab12',
    baseRefName: 'main',
    headSha: HEAD_SHA,
    mergeable: 'MERGEABLE',
    mergeStateStatus: 'CLEAN',
    reviewDecision: null,
    reviews: [],
    unresolvedThreads: [],
    checks: [checkRun()],
    updatedAt: '2026-03-01T10:00:00Z',
    ...overrides,
  };
}

export function checkRun(overrides: Partial<CheckRun> = {}): CheckRun {
  return {
    kind: 'check_run',
    name: 'test',
    workflowName: 'CI',
    status: 'COMPLETED',
    conclusion: 'SUCCESS',
    startedAt: '2026-03-01T09:00:00Z',
    completedAt: '2026-03-01T09:05:00Z',
    detailsUrl: 'https://github.com/acme/widgets/actions/runs/100/job/1',
    databaseId: 1,
    runId: 100,
    attempt: 1,
    ...overrides,
  };
}

export function statusContext(overrides: Partial<StatusContext> = {}): StatusContext {
  return {
    kind: 'status',
    context: 'ci/external',
    state: 'SUCCESS',
    targetUrl: 'https://ci.example.com/build/1',
    createdAt: '2026-03-01T09:00:00Z',
    ...overrides,
  };
}

export function review(overrides: Partial<Review> = {}): Review {
  return {
    id: 'R1',
    author: { login: 'alice', isBot: false },
    state: 'CHANGES_REQUESTED',
    submittedAt: '2026-03-01T09:30:00Z',
    body: 'Please handle the empty list.',
    ...overrides,
  };
}

export function thread(overrides: Partial<ReviewThread> = {}): ReviewThread {
  return {
    id: 'T1',
    path: 'src/sort.ts',
    line: 12,
    isOutdated: false,
    comments: [
      {
        author: { login: 'alice', isBot: false },
        body: 'Off by one here?',
        createdAt: '2026-03-01T09:31:00Z',
      },
    ],
    ...overrides,
  };
}
