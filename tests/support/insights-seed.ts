/**
 * A small read model for Insights, written as the activities write it (pull request rows, decision
 * events with their rule, fixer rows with snapshot keys, sessions and transcript messages), with
 * the figures for 2026-11-01 … 2026-11-07 worked out by hand in `INSIGHTS_EXPECTED`.
 *
 * t0 = 2026-11-01 00:00 UTC. Project alpha: A, B, C, F; project beta: D, E; G is long finished.
 * - A opened t0+1h; merge_ready (wait) at t0+5h and again t0+6h; merged t0+25h. Fixes: ci pushed
 *   (build, lint) t0+2h, ci failed (build) t0+3h. Spend 1.25 at t0+0.5h, 1.75 at t0+2.5h.
 * - B opened t0+48h; merge_ready (merge) t0+50h; merged t0+58h. Spend 1.00 at t0+47h.
 * - C opened t0−5d; merge_ready t0−1d (before the period); merged t0+72h. Fixes: ci no_change
 *   (CI / test) t0+24h, review pushed t0+24h, review asked_human t0+48h, conflict pushed t0+48h.
 *   Spend 4.00 at t0−6d, 1.00 at t0+25h.
 * - F opened t0+24h, closed t0+30h (a `done` decision, but not merged).
 * - D opened t0+96h, open. Fix: ci running (build) t0+97h. Spend 0.50 at t0+95h.
 * - E opened t0+167h; merged t0+169h (after the period). Fix: ci pushed (lint) t0+170h. Spend 7 at t0+168.5h.
 * - G opened t0−30d, merged t0−20d. Fix: ci pushed (lint) t0−21d.
 */
import { formatSnapshotKey } from '../../core/ratchet/snapshot-key.js';
import type { Db } from '../../db/client.js';
import {
  agentMessages,
  agentSessions,
  fixAttempts,
  projects,
  pullRequests,
  workspaceEvents,
  workspaces,
} from '../../db/schema.js';

const H = 3_600_000;
const D = 24 * H;
export const INSIGHTS_T0 = Date.UTC(2026, 10, 1);
const t0 = INSIGHTS_T0;

interface SeedPr {
  id: string;
  project: 'alpha' | 'beta';
  openedAt: number;
  state: 'open' | 'merged' | 'closed';
  /** `[at, kind, rule]` decision events. */
  decisions: Array<[number, string, string]>;
  fixes: Array<[number, 'ci' | 'review' | 'conflict', string, string[]]>;
  spend: Array<[number, number]>;
}

const PRS: SeedPr[] = [
  {
    id: 'A',
    project: 'alpha',
    openedAt: t0 + H,
    state: 'merged',
    decisions: [
      [t0 + 2 * H, 'ratchet.fix_ci', 'ci_failed'],
      [t0 + 5 * H, 'ratchet.wait', 'merge_ready'],
      [t0 + 5.5 * H, 'ratchet.wait', 'not_ready'],
      [t0 + 6 * H, 'ratchet.wait', 'merge_ready'],
      [t0 + 25 * H, 'ratchet.done', 'closed_or_merged'],
    ],
    fixes: [
      [t0 + 2 * H, 'ci', 'pushed', ['build', 'lint']],
      [t0 + 3 * H, 'ci', 'failed', ['build']],
    ],
    spend: [
      [t0 + 0.5 * H, 1.25],
      [t0 + 2.5 * H, 1.75],
    ],
  },
  {
    id: 'B',
    project: 'alpha',
    openedAt: t0 + 48 * H,
    state: 'merged',
    decisions: [
      [t0 + 50 * H, 'ratchet.merge', 'merge_ready'],
      [t0 + 58 * H, 'ratchet.done', 'closed_or_merged'],
    ],
    fixes: [],
    spend: [[t0 + 47 * H, 1]],
  },
  {
    id: 'C',
    project: 'alpha',
    openedAt: t0 - 5 * D,
    state: 'merged',
    decisions: [
      [t0 - D, 'ratchet.wait', 'merge_ready'],
      [t0 + 72 * H, 'ratchet.done', 'closed_or_merged'],
    ],
    fixes: [
      [t0 + 24 * H, 'ci', 'no_change', ['CI / test']],
      [t0 + 24 * H, 'review', 'pushed', []],
      [t0 + 48 * H, 'review', 'asked_human', []],
      [t0 + 48 * H, 'conflict', 'pushed', []],
    ],
    spend: [
      [t0 - 6 * D, 4],
      [t0 + 25 * H, 1],
    ],
  },
  {
    id: 'F',
    project: 'alpha',
    openedAt: t0 + 24 * H,
    state: 'closed',
    decisions: [[t0 + 30 * H, 'ratchet.done', 'closed_or_merged']],
    fixes: [],
    spend: [],
  },
  {
    id: 'D',
    project: 'beta',
    openedAt: t0 + 96 * H,
    state: 'open',
    decisions: [[t0 + 97 * H, 'ratchet.fix_ci', 'ci_failed']],
    fixes: [[t0 + 97 * H, 'ci', 'running', ['build']]],
    spend: [[t0 + 95 * H, 0.5]],
  },
  {
    id: 'E',
    project: 'beta',
    openedAt: t0 + 167 * H,
    state: 'merged',
    decisions: [[t0 + 169 * H, 'ratchet.done', 'closed_or_merged']],
    fixes: [[t0 + 170 * H, 'ci', 'pushed', ['lint']]],
    spend: [[t0 + 168.5 * H, 7]],
  },
  {
    id: 'G',
    project: 'alpha',
    openedAt: t0 - 30 * D,
    state: 'merged',
    decisions: [[t0 - 20 * D, 'ratchet.done', 'closed_or_merged']],
    fixes: [[t0 - 21 * D, 'ci', 'pushed', ['lint']]],
    spend: [[t0 - 29 * D, 2]],
  },
];

/** Writes the scenario into a migrated database; returns the project ids. */
export function seedInsights(db: Db, repoRoot: string): { alpha: string; beta: string } {
  const ids = { alpha: 'prj_insights_alpha', beta: 'prj_insights_beta' };
  db.transaction((tx) => {
    for (const name of ['alpha', 'beta'] as const)
      tx.insert(projects)
        .values({
          id: ids[name],
          name,
          repoPath: `${repoRoot}/${name}`,
          githubOwner: 'octo',
          githubRepo: name,
        })
        .run();
    PRS.forEach((p, n) => {
      const ws = `ws_insights_${p.id}`;
      const created = p.openedAt - H;
      tx.insert(workspaces)
        .values({
          id: ws,
          projectId: ids[p.project],
          title: `Insights ${p.id}`,
          prompt: 'p',
          branch: `ratchet/insights-${p.id}`,
          baseBranch: 'main',
          worktreePath: `/tmp/wt/${p.id}`,
          status: p.state === 'open' ? 'pr_open' : 'done',
          agentConfig: { runner: 'script', mode: 'agent', maxTurns: 40 },
          workflowId: `workspace/${ws}`,
          createdAt: created,
          updatedAt: created,
        })
        .run();
      const lastDecision = Math.max(p.openedAt, ...p.decisions.map(([at]) => at));
      tx.insert(pullRequests)
        .values({
          workspaceId: ws,
          projectId: ids[p.project],
          number: n + 1,
          url: `https://github.com/octo/${p.project}/pull/${n + 1}`,
          headBranch: `ratchet/insights-${p.id}`,
          baseBranch: 'main',
          state: p.state,
          createdAt: p.openedAt,
          updatedAt: lastDecision,
        })
        .run();
      // Timeline noise around the decisions, as a real workspace has.
      tx.insert(workspaceEvents)
        .values([
          { workspaceId: ws, at: created, kind: 'workspace.created', message: 'created' },
          { workspaceId: ws, at: p.openedAt, kind: 'pr.opened', message: 'PR open', data: { number: n + 1 } },
          ...p.decisions.map(([at, kind, rule], i) => ({
            workspaceId: ws,
            at,
            kind,
            message: `Ratchet: ${rule}`,
            data: { rule, kind: kind.slice('ratchet.'.length) },
            dedupeKey: `ratchet/${ws}/0/d${i}`,
          })),
        ])
        .run();
      p.fixes.forEach(([at, kind, status, failing], i) => {
        tx.insert(fixAttempts)
          .values({
            workflowId: `fix/${ws}/sha${i}/${kind}#${i + 1}`,
            workspaceId: ws,
            kind,
            headSha: `sha${i}`,
            snapshotKey: formatSnapshotKey({
              number: n + 1,
              headSha: `sha${i}`,
              failing: failing.map((c) => `${encodeURIComponent(c)}:FAILURE`),
              reviews: [],
              threads: [],
              conflict: kind === 'conflict',
            }),
            attempt: 1,
            status,
            startedAt: at,
            endedAt: status === 'running' ? null : at + H,
          })
          .run();
      });
      p.spend.forEach(([at, usd], i) => {
        const session = `ses_insights_${p.id}_${i}`;
        tx.insert(agentSessions)
          .values({
            id: session,
            workspaceId: ws,
            purpose: i === 0 ? 'implement' : 'ci-fix',
            runner: 'script',
            status: 'completed',
            costUsd: usd,
            startedAt: at - 60_000,
            endedAt: at,
          })
          .run();
        tx.insert(agentMessages)
          .values([
            { sessionId: session, seq: 1, role: 'user', content: { text: 'go' }, createdAt: at - 60_000 },
            {
              sessionId: session,
              seq: 2,
              role: 'assistant',
              content: { text: 'done' },
              costUsd: usd,
              createdAt: at,
            },
          ])
          .run();
      });
    });
  });
  return ids;
}

/** The figures for 2026-11-01 … 2026-11-07, worked out by hand from the list above. */
export const INSIGHTS_EXPECTED = {
  all: {
    prsOpened: 5, // A, B, D, E, F
    prsMerged: 3, // A, B, C
    fixSuccess: {
      ci: { settled: 3, succeeded: 1, running: 1, rate: 0.3333 },
      review: { settled: 2, succeeded: 1, running: 0, rate: 0.5 },
      conflict: { settled: 1, succeeded: 1, running: 0, rate: 1 },
    },
    attemptsPerMergedPr: { mean: 2, median: 2 }, // A 2, B 0, C 4
    timeToMergeReady: { n: 2, medianMs: 3 * H, p90Ms: 4 * H }, // A 4 h, B 2 h
    timeToMerged: { n: 3, medianMs: 24 * H, p90Ms: 192 * H }, // A 24 h, B 10 h, C 192 h
    spendUsd: 5.5, // 1.25 + 1.75 + 1 + 1 + 0.5
    dollarsPerMergedPr: 3, // (3 + 1 + 5) / 3
    dollarsPerDay: 0.7857, // 5.5 / 7
    topFailingChecks: [
      { check: 'build', fixes: 3, prs: 2 },
      { check: 'CI / test', fixes: 1, prs: 1 },
      { check: 'lint', fixes: 1, prs: 1 },
    ],
    daily: [
      { day: '2026-11-01', opened: 1, merged: 0, usd: 3 },
      { day: '2026-11-02', opened: 1, merged: 1, usd: 2 },
      { day: '2026-11-03', opened: 1, merged: 1, usd: 0 },
      { day: '2026-11-04', opened: 0, merged: 1, usd: 0.5 },
      { day: '2026-11-05', opened: 1, merged: 0, usd: 0 },
      { day: '2026-11-06', opened: 0, merged: 0, usd: 0 },
      { day: '2026-11-07', opened: 1, merged: 0, usd: 0 },
    ],
  },
  alpha: {
    prsOpened: 3, // A, B, F
    prsMerged: 3,
    fixSuccess: {
      ci: { settled: 3, succeeded: 1, running: 0, rate: 0.3333 },
      review: { settled: 2, succeeded: 1, running: 0, rate: 0.5 },
      conflict: { settled: 1, succeeded: 1, running: 0, rate: 1 },
    },
    spendUsd: 5,
    dollarsPerDay: 0.7143,
    topFailingChecks: [
      { check: 'build', fixes: 2, prs: 1 },
      { check: 'CI / test', fixes: 1, prs: 1 },
      { check: 'lint', fixes: 1, prs: 1 },
    ],
  },
  beta: {
    prsOpened: 2, // D, E
    prsMerged: 0,
    fixSuccess: {
      ci: { settled: 0, succeeded: 0, running: 1, rate: null },
      review: { settled: 0, succeeded: 0, running: 0, rate: null },
      conflict: { settled: 0, succeeded: 0, running: 0, rate: null },
    },
    attemptsPerMergedPr: { mean: null, median: null },
    spendUsd: 0.5,
    dollarsPerMergedPr: null,
    topFailingChecks: [{ check: 'build', fixes: 1, prs: 1 }],
  },
};
