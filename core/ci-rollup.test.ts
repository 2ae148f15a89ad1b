import { describe, expect, it } from 'vitest';
import { classifyFailure, latestAttempts, rollupChecks } from './ci-rollup.js';
import { checkRun, statusContext } from './pr-fixtures.js';
import type { CheckConclusion, CheckStatus, StatusState } from './pr.js';

const run = (conclusion: CheckConclusion | null, status: CheckStatus = 'COMPLETED', name = 'test') =>
  checkRun({ name, status, conclusion });

describe('rollupChecks', () => {
  it('rollupChecks empty list is "none" (no CI reported), not success', () => {
    expect(rollupChecks([])).toEqual({ status: 'none', failing: [], pending: [], passing: [], latest: [] });
  });

  it.each([
    ['SUCCESS', 'success'],
    ['NEUTRAL', 'success'],
    ['SKIPPED', 'success'],
    ['FAILURE', 'failure'],
    ['TIMED_OUT', 'failure'],
    ['CANCELLED', 'failure'],
    ['ACTION_REQUIRED', 'failure'],
    ['STARTUP_FAILURE', 'failure'],
    ['STALE', 'failure'],
  ] as const)('rollupChecks completed check run with %s → %s', (conclusion, status) => {
    expect(rollupChecks([run(conclusion)]).status).toBe(status);
  });

  it.each(['QUEUED', 'IN_PROGRESS', 'WAITING', 'PENDING', 'REQUESTED'] as const)(
    'rollupChecks check run with status %s → pending',
    (status) => {
      expect(rollupChecks([run(null, status)]).status).toBe('pending');
    },
  );

  it('rollupChecks COMPLETED without a conclusion counts as pending', () => {
    expect(rollupChecks([run(null, 'COMPLETED')]).status).toBe('pending');
  });

  it.each([
    ['SUCCESS', 'success'],
    ['ERROR', 'failure'],
    ['FAILURE', 'failure'],
    ['PENDING', 'pending'],
    ['EXPECTED', 'pending'],
  ] as [StatusState, string][])('rollupChecks commit status %s → %s', (state, status) => {
    expect(rollupChecks([statusContext({ state })]).status).toBe(status);
  });

  it.each([
    ['failure beats pending', [run('FAILURE', 'COMPLETED', 'a'), run(null, 'IN_PROGRESS', 'b')], 'failure'],
    [
      'failure beats success',
      [run('SUCCESS', 'COMPLETED', 'a'), run('TIMED_OUT', 'COMPLETED', 'b')],
      'failure',
    ],
    [
      'pending beats success',
      [run('SUCCESS', 'COMPLETED', 'a'), statusContext({ state: 'PENDING' })],
      'pending',
    ],
    [
      'status error beats running check',
      [run(null, 'QUEUED', 'a'), statusContext({ state: 'ERROR' })],
      'failure',
    ],
    [
      'all passing kinds → success',
      [run('SUCCESS', 'COMPLETED', 'a'), run('SKIPPED', 'COMPLETED', 'b'), run('NEUTRAL', 'COMPLETED', 'c')],
      'success',
    ],
  ])('rollupChecks %s', (_name, checks, status) => {
    expect(rollupChecks(checks).status).toBe(status);
  });

  it('rollupChecks a passing rerun (higher attempt) supersedes the failed attempt', () => {
    const first = checkRun({ conclusion: 'FAILURE', attempt: 1, databaseId: 1 });
    const rerun = checkRun({
      conclusion: 'SUCCESS',
      attempt: 2,
      databaseId: 2,
      startedAt: '2026-03-01T09:10:00Z',
    });
    expect(rollupChecks([rerun, first]).status).toBe('success');
    expect(rollupChecks([first, rerun]).status).toBe('success');
  });

  it('rollupChecks a higher run id supersedes a lower one even if it started earlier', () => {
    const older = checkRun({ conclusion: 'SUCCESS', runId: 100, startedAt: '2026-03-01T09:30:00Z' });
    const newer = checkRun({
      conclusion: 'FAILURE',
      runId: 101,
      startedAt: '2026-03-01T09:00:00Z',
      databaseId: 9,
    });
    expect(rollupChecks([older, newer]).failing.map((c) => c.runId)).toEqual([101]);
  });

  it('rollupChecks without run ids the latest startedAt wins', () => {
    const a = checkRun({
      runId: null,
      attempt: null,
      conclusion: 'FAILURE',
      startedAt: '2026-03-01T09:00:00Z',
    });
    const b = checkRun({
      runId: null,
      attempt: null,
      conclusion: 'SUCCESS',
      startedAt: '2026-03-01T09:20:00Z',
      databaseId: 2,
    });
    expect(rollupChecks([b, a]).status).toBe('success');
  });

  it('rollupChecks statuses keep the newest createdAt per context', () => {
    const old = statusContext({ state: 'FAILURE', createdAt: '2026-03-01T09:00:00Z' });
    const fresh = statusContext({ state: 'SUCCESS', createdAt: '2026-03-01T09:05:00Z' });
    expect(rollupChecks([fresh, old]).status).toBe('success');
    expect(rollupChecks([old, fresh]).latest).toHaveLength(1);
  });

  it('rollupChecks same check name in different workflows are different checks', () => {
    const ci = checkRun({ workflowName: 'CI', conclusion: 'SUCCESS' });
    const nightly = checkRun({ workflowName: 'Nightly', conclusion: 'FAILURE', runId: 50 });
    const r = rollupChecks([ci, nightly]);
    expect(r.failing.map((c) => c.key)).toEqual(['Nightly / test']);
    expect(r.passing.map((c) => c.key)).toEqual(['CI / test']);
  });

  it('rollupChecks refs carry rerun and log handles, sorted by key', () => {
    const r = rollupChecks([run('FAILURE', 'COMPLETED', 'zeta'), run('FAILURE', 'COMPLETED', 'alpha')]);
    expect(r.failing.map((c) => c.key)).toEqual(['CI / alpha', 'CI / zeta']);
    expect(r.failing[0]).toMatchObject({
      kind: 'check_run',
      outcome: 'FAILURE',
      runId: 100,
      attempt: 1,
      url: expect.any(String),
    });
  });

  it('rollupChecks is independent of input order', () => {
    const checks = [
      run('FAILURE', 'COMPLETED', 'a'),
      statusContext(),
      run(null, 'QUEUED', 'b'),
      checkRun({ name: 'a', attempt: 2, conclusion: 'SUCCESS' }),
    ];
    expect(rollupChecks([...checks].reverse())).toEqual(rollupChecks(checks));
  });
});

describe('latestAttempts', () => {
  it('latestAttempts keeps one entry per check and per status context', () => {
    const checks = [
      checkRun({ attempt: 1 }),
      checkRun({ attempt: 2 }),
      checkRun({ attempt: 3 }),
      statusContext(),
      statusContext({ context: 'other' }),
    ];
    expect(latestAttempts(checks)).toHaveLength(3);
  });
});

describe('classifyFailure', () => {
  it.each([
    ['CANCELLED', 'infrastructure'],
    ['TIMED_OUT', 'infrastructure'],
    ['STARTUP_FAILURE', 'infrastructure'],
    ['STALE', 'infrastructure'],
    ['ACTION_REQUIRED', 'human'],
    ['FAILURE', 'code'],
  ] as const)('classifyFailure conclusion %s → %s', (conclusion, cls) => {
    expect(classifyFailure(run(conclusion))).toBe(cls);
  });

  it.each([
    'The runner has received a shutdown signal. This can happen when the runner service is stopped',
    'The self-hosted runner: gh-1 lost communication with the server.',
    'The hosted runner encountered an error while running your job.',
    'System.IO.IOException: No space left on device',
    'npm ERR! network read ECONNRESET',
    'Error response from daemon: toomanyrequests: You have reached your pull rate limit.',
  ])('classifyFailure runner-failure text makes a FAILURE infrastructure: %s', (summary) => {
    expect(classifyFailure(run('FAILURE'), summary)).toBe('infrastructure');
  });

  it('classifyFailure ordinary test output stays code', () => {
    expect(classifyFailure(run('FAILURE'), 'expected 3 to equal 4\n  at sort.test.ts:12')).toBe('code');
  });

  it.each(['ERROR', 'FAILURE'] as const)(
    'classifyFailure status %s is code unless its text says otherwise',
    (state) => {
      expect(classifyFailure(statusContext({ state }))).toBe('code');
      expect(classifyFailure(statusContext({ state }), '503 Service Unavailable')).toBe('infrastructure');
    },
  );
});
