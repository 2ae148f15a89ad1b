/**
 * A heavy user's read model after a year, for the console benchmarks: `workspaces` workspaces over
 * the last 365 days in `projects` projects, most with a PR (merged, closed or open) whose timeline
 * holds ratchet decisions (with their rule, as workflows/ratchet.ts writes them), fixer rows with
 * snapshot keys, agent sessions, and `events` timeline rows and `messages` transcript rows in all.
 * Deterministic (a fixed PRNG seed), written with prepared statements in one transaction.
 *
 * Beside bench/seed-read-model.ts (the board's: every status, PR and card field) this one writes
 * what Insights reads: ratchet decisions keyed as the loop keys them (`ratchet/<id>/…`), fixer
 * rows with snapshot keys naming failing checks, and merge-ready/merged moments. One seeder for
 * both is still to do.
 */
import fs from 'node:fs';
import { openDb } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';

export interface SeedCounts {
  workspaces: number;
  events: number;
  messages: number;
  projects: number;
}

const DAY = 86_400_000;
const H = 3_600_000;
const CHECKS = ['build', 'lint', 'unit', 'CI / e2e', 'typecheck', 'docs'];

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedInsightsModel(dbPath: string, counts: SeedCounts, now = Date.now()): void {
  fs.rmSync(dbPath, { force: true });
  migrateDatabase(dbPath);
  const db = openDb(dbPath);
  const sqlite = db.$client;
  const rand = prng(12);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const insProject = sqlite.prepare(
    'insert into projects (id, name, repo_path, github_owner, github_repo) values (?, ?, ?, ?, ?)',
  );
  const insWs = sqlite.prepare(
    `insert into workspaces (id, project_id, title, prompt, branch, base_branch, worktree_path, status,
       agent_config, workflow_id, spent_usd, created_at, updated_at, archived_at)
     values (?, ?, ?, 'p', ?, 'main', ?, ?, '{"runner":"script","mode":"agent","maxTurns":40}', ?, ?, ?, ?, ?)`,
  );
  const insPr = sqlite.prepare(
    `insert into pull_requests (workspace_id, project_id, number, url, head_branch, base_branch, state,
       ci_status, ratchet_state, created_at, updated_at)
     values (?, ?, ?, ?, ?, 'main', ?, ?, ?, ?, ?)`,
  );
  const insEvent = sqlite.prepare(
    'insert into workspace_events (workspace_id, at, kind, level, message, data, dedupe_key) values (?, ?, ?, ?, ?, ?, ?)',
  );
  const insFix = sqlite.prepare(
    `insert into fix_attempts (workflow_id, workspace_id, kind, head_sha, snapshot_key, attempt, status,
       detail, created_at, ended_at) values (?, ?, ?, ?, ?, 1, ?, null, ?, ?)`,
  );
  const insSession = sqlite.prepare(
    `insert into agent_sessions (id, workspace_id, purpose, runner, status, cost_usd, created_at, ended_at)
     values (?, ?, ?, 'script', 'completed', ?, ?, ?)`,
  );
  const insMessage = sqlite.prepare(
    `insert into agent_messages (session_id, seq, role, content, cost_usd, input_tokens, output_tokens, created_at)
     values (?, ?, ?, ?, ?, ?, ?, ?)`,
  );

  const eventsPerWs = Math.max(1, Math.floor(counts.events / counts.workspaces));
  const messagesPerWs = Math.max(1, Math.floor(counts.messages / counts.workspaces));
  let eventsLeft = counts.events;
  let messagesLeft = counts.messages;
  sqlite.transaction(() => {
    for (let p = 0; p < counts.projects; p++)
      insProject.run(`prj_bench_${p}`, `project-${p}`, `/bench/repos/project-${p}`, 'bench', `project-${p}`);
    for (let w = 0; w < counts.workspaces; w++) {
      const id = `ws_bench_${w}`;
      const project = `prj_bench_${w % counts.projects}`;
      const created = now - Math.floor(rand() * 365 * DAY);
      const roll = rand();
      const hasPr = roll < 0.85;
      const state = !hasPr ? null : roll < 0.6 ? 'merged' : roll < 0.7 ? 'closed' : 'open';
      const openedAt = created + Math.floor((0.2 + rand() * 2) * H);
      const readyAt = openedAt + Math.floor((1 + rand() * 30) * H);
      const doneAt = readyAt + Math.floor((0.5 + rand() * 20) * H);
      const last = state === 'merged' || state === 'closed' ? doneAt : hasPr ? readyAt : created;
      const archived = state && state !== 'open' && rand() < 0.7 ? last + DAY : null;
      const status =
        state === null
          ? pick(['agent_running', 'idle', 'failed'])
          : state === 'open'
            ? 'pr_open'
            : 'archived';
      insWs.run(
        id,
        project,
        `Bench workspace ${w}`,
        `ratchet/bench-${w}`,
        `/bench/wt/${w}`,
        status,
        `workspace/${id}`,
        0,
        created,
        last,
        archived,
      );
      if (hasPr)
        insPr.run(
          id,
          project,
          w + 1,
          `https://github.com/bench/pr/${w + 1}`,
          `ratchet/bench-${w}`,
          state,
          pick(['success', 'failure', 'pending']),
          state === 'open' ? 'watching' : state,
          openedAt,
          last,
        );

      // Fixer runs and their decisions.
      const fixes = hasPr ? Math.floor(rand() * 4) : 0;
      const decisions: Array<[number, string, string]> = [];
      for (let f = 0; f < fixes; f++) {
        const kind = pick(['ci', 'ci', 'ci', 'review', 'conflict'] as const);
        const at = openedAt + Math.floor(((f + 1) / (fixes + 1)) * (readyAt - openedAt));
        const failing = kind === 'ci' ? [pick(CHECKS), ...(rand() < 0.3 ? [pick(CHECKS)] : [])] : [];
        const key = `pr:${w + 1}|sha:s${f}|ci:${[...new Set(failing)].map((c) => `${encodeURIComponent(c)}:FAILURE`).join(',')}|rev:|thr:|conflict:${kind === 'conflict' ? 1 : 0}`;
        const status =
          state === 'open' && f === fixes - 1
            ? 'running'
            : pick(['pushed', 'pushed', 'no_change', 'failed', 'asked_human']);
        insFix.run(
          `fix/${id}/s${f}/${kind}#${f + 1}`,
          id,
          kind,
          `s${f}`,
          key,
          status,
          at,
          status === 'running' ? null : at + H,
        );
        decisions.push([
          at,
          `ratchet.fix_${kind}`,
          kind === 'ci' ? 'ci_failed' : kind === 'review' ? 'changes_requested' : 'conflict',
        ]);
      }
      if (hasPr && (state === 'merged' || rand() < 0.5))
        decisions.push([readyAt, rand() < 0.5 ? 'ratchet.merge' : 'ratchet.wait', 'merge_ready']);
      if (state === 'merged' || state === 'closed')
        decisions.push([doneAt, 'ratchet.done', 'closed_or_merged']);

      // Timeline: the decisions, then filler up to this workspace's share of events.
      const share = w === counts.workspaces - 1 ? eventsLeft : Math.min(eventsLeft, eventsPerWs);
      let written = 0;
      for (const [at, kind, rule] of decisions) {
        if (written >= share) break;
        // Keyed as workflows/ratchet.ts keys its decisions.
        insEvent.run(
          id,
          at,
          kind,
          'info',
          `Ratchet: ${rule}`,
          JSON.stringify({ rule, kind: kind.slice(8) }),
          `ratchet/${id}/0/d${written}`,
        );
        written++;
      }
      for (; written < share; written++) {
        const kind = pick([
          'agent.message',
          'setup.output',
          'ratchet.wait',
          'github.poll_recovered',
          'agent.started',
        ]);
        const at = created + Math.floor(rand() * Math.max(H, last - created));
        insEvent.run(
          id,
          at,
          kind,
          'info',
          `${kind} #${written}`,
          kind === 'ratchet.wait' ? JSON.stringify({ rule: 'not_ready', kind: 'wait' }) : null,
          // The loop's own events carry its key; the workspace's an attempt-scoped one.
          kind.startsWith('ratchet.') ? `ratchet/${id}/0/x${written}` : `workspace/${id}/${kind}/${written}`,
        );
      }
      eventsLeft -= share;

      // Sessions: the implementing turn and one per fix, sharing this workspace's messages.
      const sessions = 1 + fixes;
      const mShare = w === counts.workspaces - 1 ? messagesLeft : Math.min(messagesLeft, messagesPerWs);
      for (let s = 0; s < sessions; s++) {
        const sid = `ses_bench_${w}_${s}`;
        const n = Math.floor(mShare / sessions) + (s === 0 ? mShare % sessions : 0);
        const start = s === 0 ? created : openedAt + s * H;
        const usd = Array.from({ length: n }, (_, m) => (m % 2 ? Math.round(rand() * 4000) / 100_000 : 0));
        insSession.run(
          sid,
          id,
          s === 0 ? 'implement' : 'ci-fix',
          usd.reduce((a, b) => a + b, 0),
          start,
          start + n * 20_000,
        );
        usd.forEach((cost, m) => {
          const role = m % 2 ? 'assistant' : 'user';
          insMessage.run(
            sid,
            m + 1,
            role,
            JSON.stringify({ text: `message ${m}` }),
            cost,
            1200,
            m % 2 ? 300 : 0,
            start + m * 20_000,
          );
        });
      }
      messagesLeft -= mShare;
    }
  })();
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.exec('analyze');
  sqlite.close();
}
