/**
 * The SQLite read model. Temporal owns progress; these tables are what the console reads, plus
 * configuration and transcripts. Only activities (and the console, for settings and projects)
 * write here. Timestamps are integer milliseconds since the epoch.
 */
import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

const now = sql`(unixepoch('subsec') * 1000)`;
const createdAt = () => integer('created_at', { mode: 'number' }).notNull().default(now);
const updatedAt = () => integer('updated_at', { mode: 'number' }).notNull().default(now);

export const projects = sqliteTable('projects', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  repoPath: text('repo_path').notNull().unique(),
  /** Parsed from `origin` when it points at GitHub (or a configured GitHub host). */
  githubOwner: text('github_owner'),
  githubRepo: text('github_repo'),
  remoteUrl: text('remote_url'),
  defaultBranch: text('default_branch').notNull().default('main'),
  /** Where this project's worktrees live; null means `<RATCHET_HOME>/worktrees/<project id>`. */
  worktreeDir: text('worktree_dir'),
  /**
   * The project's ratchet policy (JSON `ProjectPolicy` from core/project-policy.ts: review-bot
   * allowlist, approval, merge method, attempt caps, review triggers); null means the defaults.
   * Read by the ratchet loop when it starts (`ratchetProjectPolicy`).
   */
  ratchetPolicy: text('ratchet_policy', { mode: 'json' }),
  /**
   * Scripts set in the console (JSON `ProjectScripts`: `setup`, `run` with its `runPort`,
   * `cleanup`); a script set here replaces the repository's `.ratchet/config.json` one of that
   * kind. Either way it runs only once its exact text is approved in `script_trust`.
   */
  scripts: text('scripts', { mode: 'json' }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/**
 * Clones started from the console (`POST /api/projects/clones`): the web process runs
 * `git clone --progress` and writes its progress here; the Projects page reads it. A clone whose
 * process died with the console (`running` but not updated for a while) reads as failed.
 */
export const projectClones = sqliteTable('project_clones', {
  id: text('id').primaryKey(),
  /** The URL as given, without credentials (core/remote-url.ts). */
  url: text('url').notNull(),
  targetPath: text('target_path').notNull(),
  /** `running`, `succeeded`, `failed`. */
  status: text('status').notNull(),
  /** The last progress line git printed (`Receiving objects:  42% (21/50)`). */
  progress: text('progress'),
  /** A `CloneFailure` code from core/clone.ts when failed. */
  errorCode: text('error_code'),
  error: text('error'),
  projectId: text('project_id').references(() => projects.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const workspaces = sqliteTable(
  'workspaces',
  {
    id: text('id').primaryKey(),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    /** `prompt` or `issue`. */
    source: text('source').notNull().default('prompt'),
    issueNumber: integer('issue_number'),
    prompt: text('prompt').notNull(),
    branch: text('branch').notNull(),
    baseBranch: text('base_branch').notNull(),
    worktreePath: text('worktree_path').notNull(),
    /** A `WorkspaceStatus` from core/workspace.ts. */
    status: text('status').notNull(),
    statusReason: text('status_reason'),
    /** JSON `AgentConfig` (runner, provider, model, mode, maxTurns). */
    agentConfig: text('agent_config', { mode: 'json' }).notNull(),
    ratchetEnabled: integer('ratchet_enabled', { mode: 'boolean' }).notNull().default(true),
    autoMerge: integer('auto_merge', { mode: 'boolean' }).notNull().default(false),
    budgetUsd: real('budget_usd'),
    spentUsd: real('spent_usd').notNull().default(0),
    workflowId: text('workflow_id').notNull(),
    lastError: text('last_error'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    archivedAt: integer('archived_at', { mode: 'number' }),
    /*
     * What a board card shows, kept by SQLite triggers (migration 0004) in the same transaction as
     * every write they derive from, whoever the writer is, so the board reads them from this row:
     * - `board_column`: the Kanban column (`working`, `waiting`, `done`, `archived`) of core/kanban.ts,
     *   from this row and its PR (the view `workspace_board_columns` states the rule in SQL;
     *   tests/db/board-query.test.ts compares it with core/kanban.ts for every combination);
     * - `attempt_count`: its `fix_attempts` rows; `cost_usd`: the sum of its sessions' `cost_usd`
     *   (the transcript's dollars, unlike the budget route's `spent_usd` cache);
     * - `unread_count`: its unread notifications.
     */
    boardColumn: text('board_column').notNull().default('waiting'),
    attemptCount: integer('attempt_count').notNull().default(0),
    costUsd: real('cost_usd').notNull().default(0),
    unreadCount: integer('unread_count').notNull().default(0),
  },
  (t) => [
    index('workspaces_project_idx').on(t.projectId),
    uniqueIndex('workspaces_branch_uq').on(t.projectId, t.branch),
    // The board's pages and totals (keyset by created_at, id), covering the needs-me filter.
    index('workspaces_board_idx').on(t.boardColumn, t.createdAt, t.id, t.unreadCount),
    index('workspaces_project_board_idx').on(t.projectId, t.boardColumn, t.createdAt, t.id, t.unreadCount),
    // The board's live channel: rows changed since its last look.
    index('workspaces_updated_idx').on(t.updatedAt),
  ],
);

/**
 * Append-only timeline. `dedupeKey` makes a retried activity's write land once; events that
 * should appear once per attempt put the attempt number in the key.
 */
export const workspaceEvents = sqliteTable(
  'workspace_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    at: integer('at', { mode: 'number' }).notNull().default(now),
    /** e.g. `worktree.created`, `setup.output`, `agent.started`, `push.retry`, `ratchet.decision`. */
    kind: text('kind').notNull(),
    level: text('level').notNull().default('info'),
    message: text('message').notNull(),
    data: text('data', { mode: 'json' }),
    dedupeKey: text('dedupe_key'),
  },
  (t) => [
    index('workspace_events_ws_idx').on(t.workspaceId, t.id),
    uniqueIndex('workspace_events_dedupe_uq').on(t.dedupeKey),
  ],
);

export const agentSessions = sqliteTable(
  'agent_sessions',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    /** `implement`, `followup`, `plan`, `ci-fix`, `review-fix`, `conflict-fix`. */
    purpose: text('purpose').notNull(),
    runner: text('runner').notNull(),
    provider: text('provider'),
    model: text('model'),
    mode: text('mode').notNull().default('agent'),
    /** `running`, `completed`, `failed`, `awaiting_budget`, `cancelled`. */
    status: text('status').notNull(),
    error: text('error'),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    cacheReadTokens: integer('cache_read_tokens').notNull().default(0),
    cacheWriteTokens: integer('cache_write_tokens').notNull().default(0),
    costUsd: real('cost_usd').notNull().default(0),
    startedAt: createdAt(),
    endedAt: integer('ended_at', { mode: 'number' }),
  },
  (t) => [
    index('agent_sessions_ws_idx').on(t.workspaceId),
    // The board's live channel: sessions started or ended since its last look.
    index('agent_sessions_started_idx').on(t.startedAt),
    index('agent_sessions_ended_idx').on(t.endedAt),
  ],
);

/** One row per completed message, written as it completes; `seq` is dense per session from 1. */
export const agentMessages = sqliteTable(
  'agent_messages',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    sessionId: text('session_id')
      .notNull()
      .references(() => agentSessions.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    /** `user`, `assistant`, `tool_call`, `tool_result`, `system`, `reset`. */
    role: text('role').notNull(),
    content: text('content', { mode: 'json' }).notNull(),
    toolCallId: text('tool_call_id'),
    toolName: text('tool_name'),
    provider: text('provider'),
    model: text('model'),
    inputTokens: integer('input_tokens').notNull().default(0),
    outputTokens: integer('output_tokens').notNull().default(0),
    cacheReadTokens: integer('cache_read_tokens').notNull().default(0),
    cacheWriteTokens: integer('cache_write_tokens').notNull().default(0),
    costUsd: real('cost_usd').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('agent_messages_seq_uq').on(t.sessionId, t.seq),
    index('agent_messages_created_idx').on(t.createdAt),
  ],
);

export const pullRequests = sqliteTable(
  'pull_requests',
  {
    workspaceId: text('workspace_id')
      .primaryKey()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    number: integer('number').notNull(),
    url: text('url').notNull(),
    headBranch: text('head_branch').notNull(),
    baseBranch: text('base_branch').notNull(),
    /** `open`, `draft`, `merged`, `closed`. */
    state: text('state').notNull(),
    headSha: text('head_sha'),
    mergeable: text('mergeable'),
    mergeStateStatus: text('merge_state_status'),
    reviewDecision: text('review_decision'),
    /** `success`, `failure`, `pending`, `none`. */
    ciStatus: text('ci_status'),
    /** Derived by core/kanban.ts at write time so the console reads it without recomputing. */
    kanbanColumn: text('kanban_column'),
    kanbanReason: text('kanban_reason'),
    /** `watching`, `fixing`, `waiting_backoff`, `stalled`, `paused`, `merge_ready`, `merged`, `done`, ... */
    ratchetState: text('ratchet_state'),
    ratchetReason: text('ratchet_reason'),
    snapshotKey: text('snapshot_key'),
    snapshot: text('snapshot', { mode: 'json' }),
    lastSnapshotAt: integer('last_snapshot_at', { mode: 'number' }),
    /*
     * The loop's decision times Insights reads, kept by triggers (migration 0004) from the loop's own
     * timeline events (dedupe key `ratchet/<workspaceId>/…`): the first `merge_ready` decision
     * (`ratchet.merge` or `ratchet.wait` with rule `merge_ready`) and the last `ratchet.done`.
     */
    mergeReadyAt: integer('merge_ready_at', { mode: 'number' }),
    doneAt: integer('done_at', { mode: 'number' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('pull_requests_project_number_uq').on(t.projectId, t.number),
    // Insights: PRs updated since a period's start (a merge or decision bumps updated_at).
    index('pull_requests_updated_idx').on(t.updatedAt, t.createdAt),
    index('pull_requests_project_updated_idx').on(t.projectId, t.updatedAt, t.createdAt),
    // The board's search by PR number (`#42`) in any project.
    index('pull_requests_number_idx').on(t.number),
  ],
);

/** One row per fixer child workflow (`fix/<workspaceId>/<headSha>/<kind>`). */
export const fixAttempts = sqliteTable(
  'fix_attempts',
  {
    workflowId: text('workflow_id').primaryKey(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    headSha: text('head_sha').notNull(),
    snapshotKey: text('snapshot_key').notNull(),
    attempt: integer('attempt').notNull(),
    /** `running`, `pushed`, `no_change`, `failed`, `asked_human`. */
    status: text('status').notNull(),
    detail: text('detail'),
    startedAt: createdAt(),
    endedAt: integer('ended_at', { mode: 'number' }),
  },
  (t) => [
    index('fix_attempts_ws_idx').on(t.workspaceId),
    // Insights (runs started in a period) and the board's live channel (started or ended since).
    index('fix_attempts_started_idx').on(t.startedAt),
    index('fix_attempts_ended_idx').on(t.endedAt),
  ],
);

export const notifications = sqliteTable(
  'notifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: text('workspace_id').references(() => workspaces.id, { onDelete: 'cascade' }),
    level: text('level').notNull().default('info'),
    title: text('title').notNull(),
    body: text('body').notNull(),
    dedupeKey: text('dedupe_key').unique(),
    createdAt: createdAt(),
    readAt: integer('read_at', { mode: 'number' }),
  },
  (t) => [
    // A workspace's unread count (the trigger keeping `workspaces.unread_count`).
    index('notifications_ws_read_idx').on(t.workspaceId, t.readAt),
    // The board's live channel: notifications created or read since its last look.
    index('notifications_created_idx').on(t.createdAt),
    index('notifications_read_idx').on(t.readAt),
  ],
);

/**
 * Dollars per project and UTC day (`day`: ms at 00:00 UTC), kept by a trigger on `agent_messages`
 * (migration 0004) in the message's own insert: each message with a cost adds it to the day it was
 * written. Insights reads spend per day from here instead of every message of the period.
 */
export const spendDays = sqliteTable(
  'spend_days',
  {
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    day: integer('day', { mode: 'number' }).notNull(),
    usd: real('usd').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.day] }), index('spend_days_day_idx').on(t.day, t.usd)],
);

/** Key/value configuration edited from the console; values are JSON validated by core/settings.ts. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value', { mode: 'json' }).notNull(),
  updatedAt: updatedAt(),
});

/**
 * The user's decisions on a repository's scripts (`.ratchet/config.json`), per project and script
 * kind (`setup` today; `run` and `cleanup` later), against the sha256 of the exact text. A script
 * runs only when its hash has an `approved` row; any other text asks again. Written by the
 * workspace workflow (`recordScriptTrust`) after the person decided in the console.
 */
export const scriptTrust = sqliteTable(
  'script_trust',
  {
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    /** A `ScriptKind` from core/script-trust.ts. */
    kind: text('kind').notNull(),
    /** Lowercase hex sha256 of the UTF-8 script text. */
    sha256: text('sha256').notNull(),
    /** The exact text that was shown and decided on. */
    script: text('script').notNull(),
    /** `approved` or `rejected` (ran without it). */
    decision: text('decision').notNull(),
    /** The workspace whose prompt the person answered. */
    workspaceId: text('workspace_id'),
    decidedAt: integer('decided_at', { mode: 'number' }).notNull().default(now),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.kind, t.sha256] })],
);

/** Liveness rows written by long-running processes (the worker), read by /api/health. */
export const heartbeats = sqliteTable('heartbeats', {
  process: text('process').primaryKey(),
  pid: integer('pid').notNull(),
  info: text('info', { mode: 'json' }),
  at: integer('at', { mode: 'number' }).notNull(),
});

export type Project = typeof projects.$inferSelect;
export type ProjectClone = typeof projectClones.$inferSelect;
export type NewProjectClone = typeof projectClones.$inferInsert;
export type NewProject = typeof projects.$inferInsert;
export type Workspace = typeof workspaces.$inferSelect;
export type NewWorkspace = typeof workspaces.$inferInsert;
export type WorkspaceEvent = typeof workspaceEvents.$inferSelect;
export type NewWorkspaceEvent = typeof workspaceEvents.$inferInsert;
export type AgentSession = typeof agentSessions.$inferSelect;
export type AgentMessage = typeof agentMessages.$inferSelect;
export type NewAgentMessage = typeof agentMessages.$inferInsert;
export type PullRequest = typeof pullRequests.$inferSelect;
export type FixAttempt = typeof fixAttempts.$inferSelect;
export type Notification = typeof notifications.$inferSelect;
export type SpendDay = typeof spendDays.$inferSelect;
export type ScriptTrust = typeof scriptTrust.$inferSelect;
export type NewScriptTrust = typeof scriptTrust.$inferInsert;

/**
 * The live tail: a small ring of streaming deltas (assistant text, tool activity) written by the
 * agent activity as the runner receives them and tailed by the console's SSE route. Not durable
 * data: `agent_messages` stays the source of truth, rows older than a few minutes are pruned, and
 * nothing here reaches workflow history. `stream` names one model call (`<session>/<attempt>/<n>`);
 * its `end` row is written after that call's durable rows commit.
 */
export const liveDeltas = sqliteTable(
  'live_deltas',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    workspaceId: text('workspace_id').notNull(),
    sessionId: text('session_id').notNull(),
    stream: text('stream').notNull(),
    attempt: integer('attempt').notNull(),
    /** `text`, `tool_use`, `tool_start`, `tool_end`, `cli_event`, `end`. */
    kind: text('kind').notNull(),
    data: text('data', { mode: 'json' }),
    at: integer('at', { mode: 'number' }).notNull(),
  },
  (t) => [index('live_deltas_ws_idx').on(t.workspaceId, t.id), index('live_deltas_at_idx').on(t.at)],
);

export type LiveDelta = typeof liveDeltas.$inferSelect;
