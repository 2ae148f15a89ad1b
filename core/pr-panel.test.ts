import { describe, expect, it } from 'vitest';
import { checkRun, prSnapshot, review, statusContext } from './pr-fixtures.js';
import { prPanelOf } from './pr-panel.js';

describe('prPanelOf', () => {
  it('shows the latest attempt of each check, failing first, with its link', () => {
    const panel = prPanelOf(
      prSnapshot({
        checks: [
          checkRun({ name: 'test', conclusion: 'FAILURE', runId: 100, detailsUrl: 'https://x/100' }),
          checkRun({
            name: 'test',
            conclusion: 'SUCCESS',
            runId: 101,
            attempt: 2,
            detailsUrl: 'https://x/101',
          }),
          checkRun({ name: 'lint', conclusion: 'FAILURE', runId: 102, detailsUrl: 'https://x/102' }),
          checkRun({ name: 'e2e', status: 'IN_PROGRESS', conclusion: null, runId: 103, detailsUrl: null }),
          statusContext({ context: 'deploy', state: 'PENDING', targetUrl: 'https://ci/1' }),
        ],
      }),
    );
    expect(panel.ci).toBe('failure');
    expect(panel.checks.map((c) => [c.name, c.result, c.outcome, c.url])).toEqual([
      ['lint', 'failure', 'FAILURE', 'https://x/102'],
      ['deploy', 'pending', 'PENDING', 'https://ci/1'],
      ['e2e', 'pending', 'IN_PROGRESS', null],
      ['test', 'success', 'SUCCESS', 'https://x/101'],
    ]);
  });
  it("keeps each reviewer's latest submitted verdict and drops pending drafts", () => {
    const panel = prPanelOf(
      prSnapshot({
        reviews: [
          review({
            id: 'r1',
            author: { login: 'alice', isBot: false },
            state: 'CHANGES_REQUESTED',
            submittedAt: '2026-03-01T10:00:00Z',
          }),
          review({
            id: 'r2',
            author: { login: 'alice', isBot: false },
            state: 'APPROVED',
            submittedAt: '2026-03-01T11:00:00Z',
          }),
          review({ id: 'r3', author: { login: 'bob', isBot: false }, state: 'PENDING', submittedAt: null }),
        ],
      }),
    );
    expect(panel.reviews.map((r) => [r.author, r.state])).toEqual([['alice', 'APPROVED']]);
  });
  it.each([
    [
      'conflicts win over the merge state',
      { mergeable: 'CONFLICTING', mergeStateStatus: 'BLOCKED' },
      true,
      'Has merge conflicts with its base branch',
    ],
    [
      'clean',
      { mergeable: 'MERGEABLE', mergeStateStatus: 'CLEAN' },
      false,
      'No conflicts; GitHub allows merging',
    ],
    [
      'behind',
      { mergeable: 'MERGEABLE', mergeStateStatus: 'BEHIND' },
      false,
      'Behind its base branch (needs an update before merging)',
    ],
    ['merged PR', { state: 'MERGED' }, false, 'The pull request is merged'],
  ] as const)('%s', (_name, over, conflict, summary) => {
    const panel = prPanelOf(prSnapshot(over));
    expect(panel.conflict).toBe(conflict);
    expect(panel.mergeSummary).toBe(summary);
  });
});
