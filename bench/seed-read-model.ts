/**
 * The one read model for the read-side benchmarks (`npm run bench -- board`, `-- insights`) and
 * the board's console suite: what a heavy user has after a year. Deterministic for a given `seed`
 * and `now`, written through the real migrations and schema in one transaction with prepared
 * statements (10k workspaces and 1M events take seconds, not minutes). The triggers of the schema
 * keep the derived columns (board column, attempts, dollars, unread, decision times, spend per
 * day) as production does.
 *
 * Shape: projects with GitHub remotes; workspaces created over the last `days` days with a mix of
 * statuses (about 8% archived); about 75% have a PR (merged, closed, open, draft) with CI states and
 * ratchet states; fix attempts of each kind (ci, review, conflict) and each outcome, their row ids
 * and snapshot keys as the loop writes them (a CI fix's key names its failing checks); one
 * implement session per workspace plus one session per fix attempt, each session's cost the sum of
 * its messages' costs; the loop's decisions on the timeline keyed as workflows/ratchet.ts keys them
 * (`ratchet/<id>/<chain>/d<n>`: a fix decision per fixer run, the merge-ready decision, `done` for
 * a merged or closed PR), the rest of the timeline spread over each workspace's life
 * (`ratchet.wait` and `ratchet.poll` rows keyed as the loop's, others as the workspace's);
 * notifications, some unread.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { migrateDatabase } from '../db/migrate.js';

export interface SeedOptions {
  /** @default 10_000 */
  workspaces?: number;
  /** @default 1_000_000 */
  events?: number;
  /** @default 200_000 */
  messages?: number;
  /** @default 20 */
  projects?: number;
  /** Days of history the creation times and costs spread over. @default 90 */
  days?: number;
  /** PRNG seed: the same seed and `now` give the same rows. @default 12 */
  seed?: number;
  /** The newest timestamp (ms). @default Date.now() */
  now?: number;
}

export interface SeedSummary {
  projects: number;
  workspaces: number;
  pullRequests: number;
  fixAttempts: number;
  sessions: number;
  messages: number;
  events: number;
  notifications: number;
  ms: number;
}

const DAY = 86_400_000;

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Picks by weight: `[['a', 3], ['b', 1]]` gives `a` three times as often. */
function weighted<T>(rand: () => number, table: ReadonlyArray<readonly [T, number]>): T {
  const total = table.reduce((s, [, w]) => s + w, 0);
  let r = rand() * total;
  for (const [v, w] of table) {
    r -= w;
    if (r < 0) return v;
  }
  return table[table.length - 1]![0];
}

const WORDS = [
  'auth',
  'billing',
  'cache',
  'dashboard',
  'export',
  'flaky test',
  'graphql',
  'i18n',
  'logging',
  'migration',
  'onboarding',
  'pagination',
  'rate limit',
  'search',
  'settings',
  'sidebar',
  'webhook',
  'upload',
  'timezone',
  'retry',
];
/** Check names a CI fix's snapshot key names as failing. */
const CHECKS = ['build', 'lint', 'unit', 'CI / e2e', 'typecheck', 'docs'];
const RULE_OF_FIX = { ci: 'ci_failed', review: 'changes_requested', conflict: 'conflict' } as const;
const VERBS = ['Fix', 'Add', 'Refactor', 'Speed up', 'Remove', 'Document', 'Test', 'Rename'];

/** Live (non-archived, no-PR or open-PR) workspace statuses and how often they occur. */
const LIVE_STATUSES = [
  ['agent_running', 3],
  ['creating_worktree', 0.3],
  ['setting_up', 0.4],
  ['pushing', 0.3],
  ['awaiting_trust', 0.3],
  ['awaiting_plan_approval', 0.6],
  ['awaiting_budget', 0.3],
  ['idle', 3],
  ['failed', 1],
] as const;
const OPEN_RATCHET = [
  ['watching', 2],
  ['waiting_ci', 2],
  ['fixing_ci', 1],
  ['fixing_review', 0.6],
  ['fixing_conflict', 0.3],
  ['backoff', 0.4],
  ['awaiting_review', 2],
  ['awaiting_human', 0.5],
  ['stalled', 0.4],
  ['base_red', 0.2],
  ['paused', 0.3],
  ['merge_ready', 1],
] as const;
const EVENT_KINDS = [
  ['agent.message', 5],
  ['setup.output', 2],
  ['ratchet.wait', 2],
  ['ratchet.poll', 3],
  ['push.done', 0.5],
  ['agent.started', 0.5],
  ['worktree.created', 0.2],
] as const;

export async function seedReadModel(dbPath: string, options: SeedOptions = {}): Promise<SeedSummary> {
  const started = performance.now();
  const o = {
    workspaces: 10_000,
    events: 1_000_000,
    messages: 200_000,
    projects: 20,
    days: 90,
    seed: 12,
    now: Date.now(),
    ...options,
  };
  if (fs.existsSync(dbPath)) throw new Error(`seedReadModel writes a new database; ${dbPath} exists`);
  migrateDatabase(dbPath);
  const rand = prng(o.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const sqlite = new Database(dbPath);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = OFF');
  sqlite.pragma('foreign_keys = OFF');
  const insert = {
    project: sqlite.prepare(
      `INSERT INTO projects (id, name, repo_path, github_owner, github_repo, remote_url, default_branch, created_at, updated_at)
       VALUES (?, ?, ?, 'seed-org', ?, ?, 'main', ?, ?)`,
    ),
    workspace: sqlite.prepare(
      `INSERT INTO workspaces (id, project_id, title, source, issue_number, prompt, branch, base_branch, worktree_path,
         status, status_reason, agent_config, ratchet_enabled, auto_merge, budget_usd, spent_usd, workflow_id,
         last_error, created_at, updated_at, archived_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'main', ?, ?, NULL, ?, 1, 0, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    pr: sqlite.prepare(
      `INSERT INTO pull_requests (workspace_id, project_id, number, url, head_branch, base_branch, state, head_sha,
         mergeable, merge_state_status, review_decision, ci_status, kanban_column, kanban_reason, ratchet_state,
         ratchet_reason, snapshot_key, snapshot, last_snapshot_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 'main', ?, ?, 'MERGEABLE', 'CLEAN', ?, ?, NULL, NULL, ?, ?, NULL, NULL, ?, ?, ?)`,
    ),
    fix: sqlite.prepare(
      `INSERT INTO fix_attempts (workflow_id, workspace_id, kind, head_sha, snapshot_key, attempt, status, detail, created_at, ended_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    session: sqlite.prepare(
      `INSERT INTO agent_sessions (id, workspace_id, purpose, runner, provider, model, mode, status, error,
         input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, created_at, ended_at)
       VALUES (?, ?, ?, 'tool-loop', 'anthropic', 'claude-sonnet-4-5', 'agent', ?, NULL, ?, ?, ?, 0, ?, ?, ?)`,
    ),
    message: sqlite.prepare(
      `INSERT INTO agent_messages (session_id, seq, role, content, tool_call_id, tool_name, provider, model,
         input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, cost_usd, created_at)
       VALUES (?, ?, ?, ?, NULL, ?, 'anthropic', 'claude-sonnet-4-5', ?, ?, ?, 0, ?, ?)`,
    ),
    event: sqlite.prepare(
      `INSERT INTO workspace_events (workspace_id, at, kind, level, message, data, dedupe_key) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    notification: sqlite.prepare(
      `INSERT INTO notifications (workspace_id, level, title, body, dedupe_key, created_at, read_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
  };
  const summary: SeedSummary = {
    projects: o.projects,
    workspaces: o.workspaces,
    pullRequests: 0,
    fixAttempts: 0,
    sessions: 0,
    messages: 0,
    events: 0,
    notifications: 0,
    ms: 0,
  };
  const span = o.days * DAY;

  sqlite.transaction(() => {
    const prNumbers: number[] = [];
    for (let p = 0; p < o.projects; p++) {
      const id = `prj_seed_${String(p).padStart(2, '0')}`;
      const name = `project-${String(p).padStart(2, '0')}`;
      insert.project.run(
        id,
        name,
        `/seed/${name}`,
        name,
        `https://github.com/seed-org/${name}.git`,
        o.now - span - DAY,
        o.now - span - DAY,
      );
      prNumbers.push(1);
    }
    // Workspace lifetimes, kept to spread events and messages over them afterwards.
    const lives: Array<{
      id: string;
      from: number;
      to: number;
      sessions: Array<{ id: string; at: number; purpose: string }>;
      /** The loop's decisions: `[at, kind, rule]`. */
      decisions: Array<[number, string, string]>;
    }> = [];
    const workspacePad = String(o.workspaces).length;
    for (let w = 0; w < o.workspaces; w++) {
      const id = `ws_seed_${String(w).padStart(workspacePad, '0')}`;
      const p = int(0, o.projects - 1);
      const projectId = `prj_seed_${String(p).padStart(2, '0')}`;
      // Creation times grow with w (so ids and times agree), jittered within a few minutes.
      const createdAt = Math.floor(o.now - span + (span * (w + rand() * 0.5)) / o.workspaces);
      const title = `${VERBS[int(0, VERBS.length - 1)]} ${WORDS[int(0, WORDS.length - 1)]} #${w}`;
      const branch = `ratchet/seed-${w}`;
      const fromIssue = rand() < 0.3;
      const age = o.now - createdAt;
      const archived = rand() < 0.08;
      // Older workspaces are more likely finished: merged or closed PRs dominate past two weeks.
      const hasPr = rand() < 0.75;
      let prState: 'open' | 'draft' | 'merged' | 'closed' | null = null;
      if (hasPr) {
        const old = age > 14 * DAY;
        prState = weighted(rand, [
          ['merged', old ? 8 : 3],
          ['closed', old ? 1 : 0.5],
          ['open', old ? 0.3 : 4],
          ['draft', old ? 0.05 : 0.5],
        ] as const);
      }
      let status: string;
      if (archived) status = 'archived';
      else if (prState === 'merged' || prState === 'closed') status = 'pr_open';
      else if (prState) status = rand() < 0.85 ? 'pr_open' : weighted(rand, LIVE_STATUSES);
      else status = weighted(rand, LIVE_STATUSES);
      const endAt = Math.min(o.now, createdAt + int(1, 72) * 3_600_000);
      const budget = rand() < 0.3 ? [5, 10, 20][int(0, 2)]! : null;
      insert.workspace.run(
        id,
        projectId,
        title,
        fromIssue ? 'issue' : 'prompt',
        fromIssue ? int(1, 5000) : null,
        `${title}: make it work and add a test.`,
        branch,
        `/seed/worktrees/${projectId}/${id}`,
        status,
        JSON.stringify({
          runner: 'tool-loop',
          provider: 'anthropic',
          model: 'claude-sonnet-4-5',
          mode: 'agent',
        }),
        budget,
        0,
        `workspace/${id}`,
        status === 'failed' ? 'agent exited: turn limit reached' : null,
        createdAt,
        endAt,
        archived ? endAt : null,
      );
      const life = {
        id,
        from: createdAt,
        to: endAt,
        sessions: [] as Array<{ id: string; at: number; purpose: string }>,
        decisions: [] as Array<[number, string, string]>,
      };
      lives.push(life);
      life.sessions.push({ id: `ses_${id}_impl`, at: createdAt, purpose: 'implement' });
      if (prState) {
        const number = prNumbers[p]!++;
        const ci =
          prState === 'merged'
            ? 'success'
            : weighted(rand, [
                ['success', 4],
                ['failure', 2],
                ['pending', 2],
                ['none', 0.5],
              ] as const);
        const ratchet =
          prState === 'merged'
            ? 'merged'
            : prState === 'closed'
              ? 'closed'
              : status === 'pr_open'
                ? weighted(rand, OPEN_RATCHET)
                : null;
        const prAt = createdAt + Math.floor((endAt - createdAt) * 0.3);
        // Fixes run between the PR opening and merge-ready; done (merged or closed) at the end.
        const readyAt = prAt + Math.floor((endAt - prAt) * 0.85);
        insert.pr.run(
          id,
          projectId,
          number,
          `https://github.com/seed-org/project-${String(p).padStart(2, '0')}/pull/${number}`,
          branch,
          prState,
          `sha${w.toString(16).padStart(8, '0')}`,
          rand() < 0.5 ? 'APPROVED' : 'REVIEW_REQUIRED',
          ci,
          ratchet,
          ratchet ? `seeded ${ratchet.replaceAll('_', ' ')}` : null,
          endAt,
          prAt,
          endAt,
        );
        summary.pullRequests++;
        // Fix attempts: most PRs need none; some need several, of each kind and outcome.
        const fixes = weighted(rand, [
          [0, 5],
          [1, 3],
          [2, 1.5],
          [3, 0.7],
          [5, 0.3],
        ] as const);
        for (let f = 0; f < fixes; f++) {
          const kind = weighted(rand, [
            ['ci', 5],
            ['review', 3],
            ['conflict', 1],
          ] as const);
          const fixStatus = weighted(rand, [
            ['pushed', 6],
            ['no_change', 1.5],
            ['failed', 1],
            ['asked_human', 0.6],
            ...(prState === 'open' && f === fixes - 1 ? ([['running', 0.5]] as const) : []),
          ] as const);
          const at = prAt + Math.floor(((readyAt - prAt) * (f + 1)) / (fixes + 1));
          const sha = `sha${w.toString(16).padStart(8, '0')}f${f}`;
          const failing =
            kind === 'ci'
              ? [
                  ...new Set([
                    CHECKS[int(0, CHECKS.length - 1)]!,
                    ...(rand() < 0.3 ? [CHECKS[int(0, CHECKS.length - 1)]!] : []),
                  ]),
                ]
              : [];
          // Row id and snapshot key as the loop writes them (core/ratchet/snapshot-key.ts).
          const key = [
            `pr:${number}`,
            `sha:${sha}`,
            `ci:${failing
              .map((c) => `${encodeURIComponent(c)}:FAILURE`)
              .sort()
              .join(',')}`,
            `rev:${kind === 'review' ? `R${f}` : ''}`,
            'thr:',
            `conflict:${kind === 'conflict' ? 1 : 0}`,
          ].join('|');
          insert.fix.run(
            `fix/${id}/${sha}/${kind}#${f + 1}`,
            id,
            kind,
            sha,
            key,
            f + 1,
            fixStatus,
            fixStatus === 'asked_human' ? 'The fixer asked: which behaviour is intended?' : null,
            at,
            fixStatus === 'running' ? null : at + int(60_000, 900_000),
          );
          summary.fixAttempts++;
          life.sessions.push({ id: `ses_${id}_fix${f}`, at, purpose: `${kind}-fix` });
          life.decisions.push([at, `ratchet.fix_${kind}`, RULE_OF_FIX[kind]]);
        }
        if (prState === 'merged' || ratchet === 'merge_ready' || (prState !== 'closed' && rand() < 0.3))
          life.decisions.push([readyAt, rand() < 0.5 ? 'ratchet.merge' : 'ratchet.wait', 'merge_ready']);
        if (prState === 'merged' || prState === 'closed')
          life.decisions.push([endAt, 'ratchet.done', 'closed_or_merged']);
      }
      // Notifications when a person was needed.
      if (
        status === 'failed' ||
        status === 'awaiting_plan_approval' ||
        prState === 'merged' ||
        rand() < 0.1
      ) {
        const kind =
          status === 'failed'
            ? 'workspace failed'
            : status === 'awaiting_plan_approval'
              ? 'plan waiting'
              : prState === 'merged'
                ? 'PR merged'
                : 'loop stalled';
        insert.notification.run(
          id,
          status === 'failed' ? 'error' : 'info',
          `${title}: ${kind}`,
          `Seeded notification: ${kind}.`,
          `seed/${id}/${kind}`,
          endAt,
          age > 3 * DAY && rand() < 0.9 ? endAt + 3_600_000 : null,
        );
        summary.notifications++;
      }
    }

    // Messages: spread over sessions (at least 2 each), costs on assistant turns.
    const sessions = lives.flatMap((l) => l.sessions.map((s) => ({ ...s, ws: l })));
    const perSession = new Array<number>(sessions.length).fill(0);
    let left = o.messages;
    for (let i = 0; i < sessions.length && left > 0; i++) {
      perSession[i] = Math.min(2, left);
      left -= perSession[i]!;
    }
    while (left > 0) {
      perSession[int(0, sessions.length - 1)]!++;
      left--;
    }
    sessions.forEach((s, i) => {
      const n = perSession[i]!;
      let cost = 0;
      let inTok = 0;
      let outTok = 0;
      let cacheTok = 0;
      const at0 = s.at;
      const rows: unknown[][] = [];
      for (let seq = 1; seq <= n; seq++) {
        const role =
          seq === 1 ? 'user' : seq % 3 === 0 ? 'tool_call' : seq % 3 === 1 ? 'tool_result' : 'assistant';
        const billed = role === 'assistant' || role === 'tool_call';
        const i1 = billed ? int(800, 9000) : 0;
        const o1 = billed ? int(50, 1500) : 0;
        const c1 = billed ? int(0, 20_000) : 0;
        const usd = billed ? (i1 * 3 + o1 * 15 + c1 * 0.3) / 1_000_000 : 0;
        cost += usd;
        inTok += i1;
        outTok += o1;
        cacheTok += c1;
        rows.push([
          s.id,
          seq,
          role,
          JSON.stringify(
            role === 'tool_call' ? { name: 'bash', input: { cmd: 'npm test' } } : { text: `${role} ${seq}` },
          ),
          role === 'tool_call' ? 'bash' : null,
          i1,
          o1,
          c1,
          usd,
          Math.min(o.now, at0 + seq * 20_000),
        ]);
      }
      // The session before its messages, as the agent activity writes them (the spend-per-day
      // trigger finds the message's project through its session).
      insert.session.run(
        s.id,
        s.ws.id,
        s.purpose,
        'completed',
        inTok,
        outTok,
        cacheTok,
        cost,
        at0,
        Math.min(o.now, at0 + (n + 1) * 20_000),
      );
      for (const r of rows) insert.message.run(...r);
      summary.messages += n;
      summary.sessions++;
    });

    // Events: evenly over workspaces (in id order, as a live system appends them), the loop's
    // decisions first, the rest at times within each life.
    const perWs = Math.floor(o.events / lives.length);
    let extra = o.events - perWs * lives.length;
    for (const l of lives) {
      const n = perWs + (extra-- > 0 ? 1 : 0);
      let e = 0;
      for (const [at, kind, rule] of l.decisions) {
        if (e >= n) break;
        insert.event.run(
          l.id,
          at,
          kind,
          'info',
          `Ratchet: ${rule}`,
          JSON.stringify({ rule, kind: kind.slice('ratchet.'.length) }),
          `ratchet/${l.id}/0/d${e}`,
        );
        e++;
      }
      for (; e < n; e++) {
        const kind = weighted(rand, EVENT_KINDS);
        insert.event.run(
          l.id,
          l.from + Math.floor(((l.to - l.from) * e) / Math.max(1, n)),
          kind,
          rand() < 0.03 ? 'warn' : 'info',
          `${kind} ${e}`,
          kind === 'ratchet.wait' ? JSON.stringify({ rule: 'not_ready', kind: 'wait' }) : null,
          kind.startsWith('ratchet.') ? `ratchet/${l.id}/0/x${e}` : `workspace/${l.id}/${kind}/${e}`,
        );
      }
      summary.events += n;
    }
    // The spend cache the budget route keeps, as production leaves it.
    sqlite
      .prepare(
        `UPDATE workspaces SET spent_usd = (SELECT coalesce(sum(cost_usd), 0) FROM agent_sessions s WHERE s.workspace_id = workspaces.id)`,
      )
      .run();
  })();
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.close();
  summary.ms = Math.round(performance.now() - started);
  return summary;
}
