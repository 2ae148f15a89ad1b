import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../backoff.js';
import { checkRun, HEAD_SHA, prSnapshot, review, statusContext, thread } from '../pr-fixtures.js';
import type { PrSnapshot } from '../pr.js';
import {
  BELOW_GATE,
  decide,
  decisionSignature,
  isFixAction,
  RATCHET_RULES,
  type DecideInput,
  type RatchetAction,
} from './decide.js';
import {
  emptyMemory,
  observeHead,
  recordAddressed,
  recordFixAttempt,
  recordQuestion,
  recordRerun,
  type RatchetMemory,
} from './memory.js';
import { ratchetSettings, type RatchetSettingsInput } from './settings.js';
import { snapshotKey } from './snapshot-key.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const SEEN = NOW - 3_600_000;
const green = { reviewDecision: 'APPROVED' } as const;
const red = (
  name: string,
  conclusion: 'FAILURE' | 'TIMED_OUT' | 'CANCELLED' | 'ACTION_REQUIRED' | 'STARTUP_FAILURE' = 'FAILURE',
  more = {},
) => checkRun({ name, conclusion, databaseId: name.length, ...more });
const running = (name: string) =>
  checkRun({ name, status: 'IN_PROGRESS', conclusion: null, completedAt: null });
const conflict = { mergeable: 'CONFLICTING', mergeStateStatus: 'DIRTY' } as const;
const bob = { login: 'bob', isBot: false };

interface Case {
  pr?: Partial<PrSnapshot>;
  settings?: RatchetSettingsInput;
  memory?: (m: RatchetMemory, pr: PrSnapshot) => RatchetMemory;
  input?: Partial<DecideInput>;
}

function input(c: Case = {}): DecideInput {
  const pr = prSnapshot({ ...green, ...c.pr });
  const settings = ratchetSettings({ autoMerge: true, reviewBotAllowlist: ['coderabbitai'], ...c.settings });
  const seen = observeHead(emptyMemory(), pr.headSha, SEEN);
  return {
    pr,
    ended: null,
    settings,
    memory: c.memory ? c.memory(seen, pr) : seen,
    baseFailing: [],
    fixer: null,
    now: NOW,
    seed: 'ratchet/ws1',
    ...c.input,
  };
}
const run = (c: Case = {}) => decide(input(c));
const keyOf = (c: Case) => {
  const i = input(c);
  if (!i.pr) throw new Error('keyOf needs a snapshot');
  return snapshotKey(i.pr, i.settings);
};
/** Memory with `count` attempts on the case's current key, the last one `ago` ms before NOW. */
const tried =
  (c: Case, count: number, ago = 3_600_000) =>
  (m: RatchetMemory) => {
    let out = m;
    for (let i = 0; i < count; i++) out = recordFixAttempt(out, keyOf(c), NOW - ago);
    return out;
  };

// Every row: the situation, and the rule + action kind that must win. Rows marked "beats" pin an ordering conflict.
const table: [string, Case, RatchetAction['rule'], RatchetAction['kind']][] = [
  ['merged PR → done', { pr: { state: 'MERGED' } }, 'closed_or_merged', 'done'],
  ['closed PR → done', { pr: { state: 'CLOSED' } }, 'closed_or_merged', 'done'],
  [
    'merged beats paused, a running fixer and a conflict',
    {
      pr: { state: 'MERGED', ...conflict },
      settings: { paused: true },
      input: { fixer: { kind: 'ci', workflowId: 'fix/ws1/abc/ci' } },
    },
    'closed_or_merged',
    'done',
  ],
  [
    'paused beats a running fixer and failing CI',
    {
      pr: { checks: [red('unit')] },
      settings: { paused: true },
      input: { fixer: { kind: 'ci', workflowId: 'f' } },
    },
    'paused',
    'paused',
  ],
  [
    'running fixer beats a conflict and failing CI',
    { pr: { ...conflict, checks: [red('unit')] }, input: { fixer: { kind: 'review', workflowId: 'f' } } },
    'fixer_running',
    'wait',
  ],
  ['conflict → fix_conflict', { pr: conflict }, 'conflict', 'fix_conflict'],
  [
    'conflict beats failing CI (CI on a conflicting merge ref means nothing)',
    { pr: { ...conflict, checks: [red('unit')] } },
    'conflict',
    'fix_conflict',
  ],
  [
    'conflict beats pending CI',
    { pr: { ...conflict, checks: [running('unit')] } },
    'conflict',
    'fix_conflict',
  ],
  [
    'conflict beats review feedback',
    { pr: { ...conflict, reviews: [review()] } },
    'conflict',
    'fix_conflict',
  ],
  [
    'pending CI, no failures → wait',
    { pr: { checks: [running('unit'), checkRun({ name: 'lint' })] } },
    'ci_pending',
    'wait',
  ],
  [
    'pending CI beats review feedback',
    { pr: { checks: [running('unit')], reviews: [review()] } },
    'ci_pending',
    'wait',
  ],
  [
    'pending status context → wait',
    { pr: { checks: [statusContext({ state: 'PENDING' })] } },
    'ci_pending',
    'wait',
  ],
  [
    'a failure while others still run → fix now',
    { pr: { checks: [running('e2e'), red('unit')] } },
    'ci_failed',
    'fix_ci',
  ],
  [
    'no checks within the settle window → wait',
    { pr: { checks: [] }, memory: (m) => ({ ...m, head: { sha: HEAD_SHA, seenAt: NOW - 10_000 } }) },
    'ci_settling',
    'wait',
  ],
  [
    'no checks after the settle window → treated as no CI → merge',
    { pr: { checks: [] } },
    'merge_ready',
    'merge',
  ],
  [
    'infra failure not yet rerun on this SHA → rerun',
    { pr: { checks: [red('unit', 'TIMED_OUT')] } },
    'infra_rerun',
    'rerun_flaky',
  ],
  [
    'runner-failure text on a FAILURE → rerun',
    {
      pr: { checks: [red('unit')] },
      input: { failureSummaries: { 'CI / unit': 'The runner has received a shutdown signal.' } },
    },
    'infra_rerun',
    'rerun_flaky',
  ],
  [
    'infra failure already rerun on this SHA → fix (a repeat is probably a hang)',
    { pr: { checks: [red('unit', 'CANCELLED')] }, memory: (m) => recordRerun(m, HEAD_SHA, ['CI / unit']) },
    'ci_failed',
    'fix_ci',
  ],
  [
    'infra failure on attempt 2 (rerun by a person) → fix',
    { pr: { checks: [red('unit', 'STARTUP_FAILURE', { attempt: 2 })] } },
    'ci_failed',
    'fix_ci',
  ],
  [
    'infra failure of a non-Actions check (no run id) → fix',
    { pr: { checks: [red('unit', 'TIMED_OUT', { runId: null })] } },
    'ci_failed',
    'fix_ci',
  ],
  [
    'code failure beats an infra rerun (the fixer push reruns all)',
    { pr: { checks: [red('unit', 'CANCELLED'), red('lint')] } },
    'ci_failed',
    'fix_ci',
  ],
  [
    'infra rerun beats base red',
    { pr: { checks: [red('unit', 'TIMED_OUT'), red('lint')] }, input: { baseFailing: ['CI / lint'] } },
    'infra_rerun',
    'rerun_flaky',
  ],
  [
    'every code failure also red on base → base_red',
    { pr: { checks: [red('lint')] }, input: { baseFailing: ['lint'] } },
    'base_red',
    'base_red',
  ],
  [
    'a failure not red on base beats base red',
    { pr: { checks: [red('lint'), red('unit')] }, input: { baseFailing: ['CI / lint'] } },
    'ci_failed',
    'fix_ci',
  ],
  [
    'review feedback beats base red',
    { pr: { checks: [red('lint')], reviews: [review()] }, input: { baseFailing: ['CI / lint'] } },
    'changes_requested',
    'fix_review',
  ],
  [
    'CI failure beats review feedback',
    { pr: { checks: [red('unit')], reviews: [review()] } },
    'ci_failed',
    'fix_ci',
  ],
  [
    'human changes requested → fix_review',
    { pr: { reviewDecision: 'CHANGES_REQUESTED', reviews: [review()] } },
    'changes_requested',
    'fix_review',
  ],
  [
    'unresolved current thread → fix_review',
    { pr: { unresolvedThreads: [thread()] } },
    'changes_requested',
    'fix_review',
  ],
  [
    'allowlisted bot request → fix_review',
    { pr: { reviews: [review({ author: { login: 'coderabbitai', isBot: true } })] } },
    'changes_requested',
    'fix_review',
  ],
  [
    'non-allowlisted bot request is ignored → merge',
    { pr: { reviews: [review({ author: { login: 'sonarcloud', isBot: true } })] } },
    'merge_ready',
    'merge',
  ],
  [
    'pending review is ignored → merge',
    { pr: { reviews: [review({ state: 'PENDING', submittedAt: null })] } },
    'merge_ready',
    'merge',
  ],
  [
    "request superseded by the same author's approval → merge",
    {
      pr: {
        reviews: [
          review({ submittedAt: '2026-03-01T09:00:00Z' }),
          review({ id: 'R2', state: 'APPROVED', submittedAt: '2026-03-01T10:00:00Z' }),
        ],
      },
    },
    'merge_ready',
    'merge',
  ],
  [
    'outdated thread is ignored → merge',
    { pr: { unresolvedThreads: [thread({ isOutdated: true })] } },
    'merge_ready',
    'merge',
  ],
  [
    'feedback already handed to a fixer, still requested → wait for re-review',
    {
      pr: { reviewDecision: 'CHANGES_REQUESTED', reviews: [review()] },
      memory: (m) => recordAddressed(m, ['review:R1']),
    },
    'not_ready',
    'wait',
  ],
  [
    'ACTION_REQUIRED only → wait for a person',
    { pr: { checks: [red('deploy', 'ACTION_REQUIRED')] } },
    'ci_needs_human',
    'wait',
  ],
  [
    'code failure beats ACTION_REQUIRED',
    { pr: { checks: [red('deploy', 'ACTION_REQUIRED'), red('unit')] } },
    'ci_failed',
    'fix_ci',
  ],
  [
    'ACTION_REQUIRED beats base red',
    { pr: { checks: [red('deploy', 'ACTION_REQUIRED'), red('lint')] }, input: { baseFailing: ['lint'] } },
    'ci_needs_human',
    'wait',
  ],
  [
    'draft otherwise ready (approval aside) → mark ready',
    { pr: { isDraft: true, mergeStateStatus: 'DRAFT', reviewDecision: null } },
    'draft_ready',
    'mark_ready',
  ],
  [
    'draft with failing CI → fix first',
    { pr: { isDraft: true, mergeStateStatus: 'DRAFT', checks: [red('unit')] } },
    'ci_failed',
    'fix_ci',
  ],
  [
    'draft with pending CI → wait',
    { pr: { isDraft: true, mergeStateStatus: 'DRAFT', checks: [running('unit')] } },
    'ci_pending',
    'wait',
  ],
  [
    'behind a protected base, nothing else → update branch',
    { pr: { mergeStateStatus: 'BEHIND' } },
    'behind',
    'update_branch',
  ],
  [
    'behind but unapproved → wait for approval first',
    { pr: { mergeStateStatus: 'BEHIND', reviewDecision: null } },
    'not_ready',
    'wait',
  ],
  ['merge-ready with autoMerge → merge', {}, 'merge_ready', 'merge'],
  ['merge-ready without autoMerge → wait', { settings: { autoMerge: false } }, 'merge_ready', 'wait'],
  ['approval required and missing → wait', { pr: { reviewDecision: null } }, 'not_ready', 'wait'],
  [
    'mergeability unknown → wait',
    { pr: { mergeable: 'UNKNOWN', mergeStateStatus: 'UNKNOWN' } },
    'not_ready',
    'wait',
  ],
  ['BLOCKED for reasons we cannot see → wait', { pr: { mergeStateStatus: 'BLOCKED' } }, 'not_ready', 'wait'],
  [
    'attempts on this key at the cap → stalled',
    { pr: { checks: [red('unit')] }, memory: tried({ pr: { checks: [red('unit')] } }, 3) },
    'stalled_key',
    'stalled',
  ],
  [
    'the key cap beats backoff',
    { pr: conflict, memory: tried({ pr: conflict }, 3, 1_000) },
    'stalled_key',
    'stalled',
  ],
  [
    'an update-branch at the key cap → stalled (updates count as attempts)',
    { pr: { mergeStateStatus: 'BEHIND' }, memory: tried({ pr: { mergeStateStatus: 'BEHIND' } }, 3) },
    'stalled_key',
    'stalled',
  ],
  [
    'a fixer asked a question on this key → wait for a person',
    { pr: conflict, memory: (m) => recordQuestion(m, keyOf({ pr: conflict }), 'keep both renames?') },
    'question_asked',
    'wait',
  ],
  [
    'an open question beats the cap (a person must answer either way; the reason says what was asked)',
    {
      pr: conflict,
      memory: (m) => recordQuestion(tried({ pr: conflict }, 3)(m), keyOf({ pr: conflict }), 'q'),
    },
    'question_asked',
    'wait',
  ],
  [
    'a fix was pushed over this head and GitHub does not show it yet → wait, not a second fix',
    { pr: conflict, memory: (m) => ({ ...m, pushedOver: HEAD_SHA }) },
    'push_pending',
    'wait',
  ],
  [
    'the pushed-over head is another one (the push shows) → the fix rules decide again',
    { pr: conflict, memory: (m) => ({ ...m, pushedOver: 'f'.repeat(40) }) },
    'conflict',
    'fix_conflict',
  ],
  [
    'recent attempt on this key → backoff',
    { pr: { reviews: [review()] }, memory: tried({ pr: { reviews: [review()] } }, 1, 1_000) },
    'backoff',
    'wait',
  ],
  [
    'attempts on the whole PR at the cap → stalled, even on a fresh key',
    { pr: conflict, memory: (m) => ({ ...m, attempts: { 'old-key': { count: 12, lastAt: 0 } } }) },
    'stalled_pr',
    'stalled',
  ],
  [
    'the key cap beats the PR cap',
    { pr: conflict, settings: { maxAttemptsPerPr: 3 }, memory: tried({ pr: conflict }, 3) },
    'stalled_key',
    'stalled',
  ],
  [
    'the PR cap beats backoff',
    {
      pr: conflict,
      settings: { maxAttemptsPerPr: 2 },
      memory: (m) => {
        const t = tried({ pr: conflict }, 1, 1_000)(m);
        return { ...t, attempts: { ...t.attempts, 'old-key': { count: 1, lastAt: 0 } } };
      },
    },
    'stalled_pr',
    'stalled',
  ],
  [
    'an attempt long enough ago passes the gate → the fix, as attempt 2',
    { pr: conflict, memory: tried({ pr: conflict }, 1) },
    'conflict',
    'fix_conflict',
  ],
  [
    'the gate holds only fixes: pending CI beats backoff',
    { pr: { checks: [running('unit')] }, memory: tried({ pr: { checks: [running('unit')] } }, 1, 1_000) },
    'ci_pending',
    'wait',
  ],
  [
    'the gate holds only fixes: base red beats the key cap',
    {
      pr: { checks: [red('lint')] },
      input: { baseFailing: ['lint'] },
      memory: tried({ pr: { checks: [red('lint')] }, input: { baseFailing: ['lint'] } }, 3),
    },
    'base_red',
    'base_red',
  ],
  [
    'the gate holds only fixes: an infra rerun beats the PR cap',
    {
      pr: { checks: [red('unit', 'TIMED_OUT')] },
      memory: (m) => ({ ...m, attempts: { 'old-key': { count: 12, lastAt: 0 } } }),
    },
    'infra_rerun',
    'rerun_flaky',
  ],
  [
    'the gate holds only fixes: merge-ready beats the PR cap',
    { memory: (m) => ({ ...m, attempts: { 'old-key': { count: 12, lastAt: 0 } } }) },
    'merge_ready',
    'merge',
  ],
  [
    'paused beats the gate',
    { pr: conflict, settings: { paused: true }, memory: tried({ pr: conflict }, 3) },
    'paused',
    'paused',
  ],
  [
    'a running fixer beats the gate',
    {
      pr: conflict,
      memory: tried({ pr: conflict }, 3),
      input: { fixer: { kind: 'conflict', workflowId: 'f' } },
    },
    'fixer_running',
    'wait',
  ],
  [
    'the merge answered merged → done (the snapshot still says OPEN)',
    { input: { ended: { outcome: 'merged', reason: 'merged abcdef12' } } },
    'closed_or_merged',
    'done',
  ],
  [
    'a PR gone from GitHub → done, even before the first snapshot',
    { input: { pr: null, ended: { outcome: 'closed', reason: 'PR #12 no longer exists on GitHub' } } },
    'closed_or_merged',
    'done',
  ],
  [
    'an ending beats paused, a running fixer and the gate',
    {
      pr: conflict,
      settings: { paused: true },
      memory: tried({ pr: conflict }, 3),
      input: { ended: { outcome: 'closed', reason: 'PR closed' }, fixer: { kind: 'ci', workflowId: 'f' } },
    },
    'closed_or_merged',
    'done',
  ],
];

describe('decide', () => {
  it.each(table)('decide %s', (_name, c, rule, kind) => {
    const action = run(c);
    expect({ rule: action.rule, kind: action.kind }).toEqual({ rule, kind });
    expect(action.reason.length).toBeGreaterThan(0);
  });

  it('decide every rule is exercised by the table', () => {
    expect(new Set(table.map((row) => row[2]))).toEqual(new Set(RATCHET_RULES.map((r) => r.name)));
  });

  it('decide rules are tried in this order', () => {
    expect(RATCHET_RULES.map((r) => r.name)).toEqual([
      'closed_or_merged',
      'paused',
      'fixer_running',
      'push_pending',
      'question_asked',
      'stalled_key',
      'stalled_pr',
      'backoff',
      'conflict',
      'ci_pending',
      'ci_settling',
      'infra_rerun',
      'ci_failed',
      'changes_requested',
      'ci_needs_human',
      'base_red',
      'draft_ready',
      'behind',
      'merge_ready',
      'not_ready',
    ]);
  });

  it('decide done carries the outcome', () => {
    expect(run({ pr: { state: 'MERGED' } })).toMatchObject({ kind: 'done', outcome: 'merged' });
    expect(run({ pr: { state: 'CLOSED' } })).toMatchObject({ kind: 'done', outcome: 'closed' });
  });

  it('decide fix_ci names only the fixable checks (not infra, base-red or human ones)', () => {
    const action = run({
      pr: {
        checks: [
          red('unit'),
          red('flaky', 'CANCELLED'),
          red('lint'),
          red('deploy', 'ACTION_REQUIRED'),
          checkRun({ name: 'build' }),
        ],
      },
      input: { baseFailing: ['CI / lint'] },
    });
    expect(action.kind === 'fix_ci' && action.checks.map((c) => c.key)).toEqual(['CI / unit']);
    expect(action).toMatchObject({ attempt: 1, key: expect.stringContaining(`sha:${HEAD_SHA}`) });
  });

  it('decide rerun_flaky lists only rerunnable infra checks with their run ids', () => {
    const action = run({
      pr: {
        checks: [
          red('a', 'TIMED_OUT', { runId: 5 }),
          red('b', 'CANCELLED', { runId: 6 }),
          red('c', 'CANCELLED'),
        ],
      },
      memory: (m) => recordRerun(m, HEAD_SHA, ['CI / c']),
      input: { baseFailing: ['CI / c'] },
    });
    expect(action).toMatchObject({ kind: 'rerun_flaky', headSha: HEAD_SHA });
    expect(action.kind === 'rerun_flaky' && action.checks.map((c) => [c.key, c.runId])).toEqual([
      ['CI / a', 5],
      ['CI / b', 6],
    ]);
  });

  it('decide rerun is once per SHA: recorded on one SHA, a new SHA reruns again', () => {
    const checks = [red('unit', 'TIMED_OUT')];
    const rerunOld = (m: RatchetMemory) => recordRerun(m, 'old-sha', ['CI / unit']);
    expect(run({ pr: { checks }, memory: rerunOld }).kind).toBe('rerun_flaky');
    expect(run({ pr: { checks }, memory: (m) => recordRerun(m, HEAD_SHA, ['CI / unit']) }).kind).toBe(
      'fix_ci',
    );
  });

  it('decide fix_review carries the counted reviews, threads and tokens to record', () => {
    const action = run({
      pr: {
        reviews: [review(), review({ id: 'R2', author: bob, state: 'COMMENTED' })],
        unresolvedThreads: [thread(), thread({ id: 'T2', isOutdated: true }), thread({ id: 'T3' })],
      },
      memory: (m) => recordAddressed(m, ['thread:T3:1']),
    });
    expect(action.kind).toBe('fix_review');
    if (action.kind !== 'fix_review') return;
    expect(action.reviews.map((r) => r.id)).toEqual(['R1']);
    expect(action.threads.map((t) => t.id)).toEqual(['T1']);
    expect(action.feedbackTokens).toEqual(['review:R1', 'thread:T1:1']);
  });

  it('decide backoff waits until lastAt + deterministic jittered delay, then retries as attempt 2', () => {
    const c: Case = { pr: { checks: [red('unit')] } };
    const key = keyOf(c);
    const lastAt = NOW - 1_000;
    const waiting = run({ ...c, memory: (m) => recordFixAttempt(m, key, lastAt) });
    const delay = backoffDelayMs(1, {
      baseMs: 60_000,
      capMs: 1_800_000,
      jitter: 0.2,
      seed: `ratchet/ws1|${key}`,
    });
    expect(waiting).toMatchObject({ kind: 'wait', waitingFor: 'backoff', until: lastAt + delay });
    expect(delay).toBeGreaterThanOrEqual(48_000);
    expect(delay).toBeLessThanOrEqual(72_000);
    const after = decide({
      ...input({ ...c, memory: (m) => recordFixAttempt(m, key, lastAt) }),
      now: lastAt + delay,
    });
    expect(after).toMatchObject({ kind: 'fix_ci', attempt: 2 });
  });

  it('decide backoff grows with attempts on the same key (1, 2, 4 … min, capped at 30)', () => {
    const c: Case = {
      pr: { checks: [red('unit')] },
      settings: { maxAttemptsPerKey: 20, maxAttemptsPerPr: 100, backoff: { jitter: 0 } },
    };
    const waits = [1, 2, 3, 4, 5, 6, 7].map((n) => {
      const a = run({ ...c, memory: tried(c, n, 0) });
      return a.kind === 'wait' ? (a.until ?? 0) - NOW : -1;
    });
    expect(waits).toEqual([60_000, 120_000, 240_000, 480_000, 960_000, 1_800_000, 1_800_000]);
  });

  it('decide stalled holds while the key is unchanged and lifts when it changes', () => {
    const c: Case = { pr: { checks: [red('unit')] } };
    const memory = tried(c, 3);
    const stalled = run({ ...c, memory });
    expect(stalled).toMatchObject({ kind: 'stalled', attempts: 3, key: keyOf(c) });
    // Same facts listed differently by GitHub, and a rerun with a new run id: still the same key.
    expect(
      run({
        pr: { checks: [checkRun({ name: 'build' }), red('unit', 'FAILURE', { runId: 999, attempt: 2 })] },
        memory,
      }).kind,
    ).toBe('stalled');
    // A push (new head SHA) changes the key: fixing resumes at attempt 1.
    expect(run({ pr: { checks: [red('unit')], headSha: 'c'.repeat(40) }, memory })).toMatchObject({
      kind: 'fix_ci',
      attempt: 1,
    });
    // New human feedback changes the key too (and CI still comes first).
    expect(run({ pr: { checks: [red('unit')], reviews: [review()] }, memory })).toMatchObject({
      kind: 'fix_ci',
      attempt: 1,
    });
  });

  it('decide an open question holds fixes on its key (awaiting a person) and lifts when the PR changes', () => {
    const c: Case = { pr: { checks: [red('unit')] } };
    const memory = (m: RatchetMemory) => recordQuestion(m, keyOf(c), 'Should the flag default to on?');
    expect(run({ ...c, memory })).toMatchObject({
      kind: 'wait',
      waitingFor: 'human_answer',
      reason: 'the CI fixer asked: Should the flag default to on?',
    });
    expect(run({ pr: { checks: [red('unit')], headSha: 'c'.repeat(40) }, memory })).toMatchObject({
      kind: 'fix_ci',
      attempt: 1,
    });
  });

  it('decide the per-PR cap stalls even on a fresh key', () => {
    const memory = (m: RatchetMemory) => ({
      ...m,
      attempts: Object.fromEntries(
        Array.from({ length: 6 }, (_, i) => [`old-key-${i}`, { count: 2, lastAt: 0 }]),
      ),
    });
    expect(run({ pr: conflict, memory })).toMatchObject({ kind: 'stalled', attempts: 12 });
    expect(run({ pr: conflict, memory, settings: { maxAttemptsPerPr: 13 } }).kind).toBe('fix_conflict');
  });

  it('decide settle window: until is first-seen + ciSettleMs; an unobserved head counts as seen now', () => {
    const seenAt = NOW - 10_000;
    expect(
      run({ pr: { checks: [] }, memory: (m) => ({ ...m, head: { sha: HEAD_SHA, seenAt } }) }),
    ).toMatchObject({ until: seenAt + 180_000 });
    expect(run({ pr: { checks: [] }, memory: () => emptyMemory() })).toMatchObject({
      kind: 'wait',
      until: NOW + 180_000,
    });
  });

  it('decide merge is pinned to the head SHA it checked', () => {
    expect(run()).toMatchObject({ kind: 'merge', headSha: HEAD_SHA });
  });

  it.each([
    ['no approval', { pr: { reviewDecision: null } }, 'approval'],
    [
      'addressed, awaiting re-review',
      {
        pr: { reviewDecision: 'CHANGES_REQUESTED', reviews: [review()] },
        memory: (m: RatchetMemory) => recordAddressed(m, ['review:R1']),
      },
      'review',
    ],
    ['mergeability unknown', { pr: { mergeable: 'UNKNOWN', mergeStateStatus: 'UNKNOWN' } }, 'mergeability'],
    ['blocked', { pr: { mergeStateStatus: 'BLOCKED' } }, 'branch_protection'],
    ['ready, auto-merge off', { settings: { autoMerge: false } }, 'merge'],
    ['CI running', { pr: { checks: [running('unit')] } }, 'ci'],
    ['action required', { pr: { checks: [red('deploy', 'ACTION_REQUIRED')] } }, 'human_check'],
    ['fixer running', { input: { fixer: { kind: 'conflict', workflowId: 'f' } } }, 'fixer'],
  ] as [string, Case, string][])('decide wait says what it waits for: %s → %s', (_name, c, waitingFor) => {
    expect(run(c)).toMatchObject({ kind: 'wait', waitingFor });
  });

  it('decide is deterministic and order-independent for the same facts', () => {
    const pr: Partial<PrSnapshot> = {
      checks: [red('b'), red('a'), checkRun({ name: 'c' })],
      reviews: [review()],
      unresolvedThreads: [thread({ id: 'T2' }), thread()],
    };
    const a = run({ pr });
    const b = run({
      pr: {
        ...pr,
        checks: [...(pr.checks ?? [])].reverse(),
        unresolvedThreads: [...(pr.unresolvedThreads ?? [])].reverse(),
      },
    });
    expect(b).toEqual(a);
  });

  it('decide a gate row names the fix row it held back; other rows hold nothing', () => {
    const ci: Case = { pr: { checks: [red('unit')] } };
    expect(run({ ...ci, memory: tried(ci, 3) })).toMatchObject({
      kind: 'stalled',
      rule: 'stalled_key',
      holds: 'ci_failed',
    });
    const rv: Case = { pr: { reviews: [review()] } };
    expect(run({ ...rv, memory: tried(rv, 1, 1_000) })).toMatchObject({
      rule: 'backoff',
      holds: 'changes_requested',
    });
    expect(run({ pr: conflict })).not.toHaveProperty('holds');
    expect(run({ pr: { checks: [running('unit')] }, memory: tried(ci, 3) })).not.toHaveProperty('holds');
  });

  it('decisionSignature of a gate decision is the string loops carried before the gate became rows', () => {
    const c: Case = { pr: { checks: [red('unit')] } };
    const stalled = run({ ...c, memory: tried(c, 3) });
    expect(decisionSignature(stalled)).toBe(
      `stalled|ci_failed|${keyOf(c)}|3 attempts at fix_ci changed nothing; waiting for the PR to change`,
    );
    const asked = run({ pr: conflict, memory: (m) => recordQuestion(m, keyOf({ pr: conflict }), 'q?') });
    expect(decisionSignature(asked)).toBe('wait|conflict||the conflict fixer asked: q?');
    expect(decisionSignature(run({ pr: conflict }))).toBe(
      `fix_conflict|conflict|${keyOf({ pr: conflict })}|PR conflicts with its base branch`,
    );
  });

  it('decide an ending is decided as it ended: outcome and reason from the input', () => {
    expect(
      run({ pr: { state: 'OPEN' }, input: { ended: { outcome: 'merged', reason: 'merged abcdef12' } } }),
    ).toEqual({ kind: 'done', outcome: 'merged', reason: 'merged abcdef12', rule: 'closed_or_merged' });
    // The ending is newer than the snapshot: a snapshot saying CLOSED does not override our merge.
    expect(
      run({ pr: { state: 'CLOSED' }, input: { ended: { outcome: 'merged', reason: 'merged abcdef12' } } }),
    ).toMatchObject({ outcome: 'merged' });
  });

  it('decide refuses an input with neither a snapshot nor an ending', () => {
    expect(() => run({ input: { pr: null } })).toThrow('decide needs a snapshot or an ended PR');
  });

  it('decide every row that returns a fix sits below the gate; the gate rows sit above them all', () => {
    const fixRules = new Set(
      table
        .map(([, c]) => run(c))
        .filter((a) => isFixAction(a))
        .map((a) => a.rule),
    );
    expect([...fixRules].sort()).toEqual(['behind', 'changes_requested', 'ci_failed', 'conflict']);
    const below = BELOW_GATE.map((r) => r.name);
    for (const rule of fixRules) expect(below).toContain(rule);
    const gate = RATCHET_RULES.filter((r) => 'gate' in r && r.gate).map((r) => r.name);
    expect(gate).toEqual(['push_pending', 'question_asked', 'stalled_key', 'stalled_pr', 'backoff']);
    expect(below[0]).toBe('conflict');
  });
});
