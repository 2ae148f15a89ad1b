/**
 * Shared setup for the runner suites: a real git worktree, a real migrated SQLite file with a
 * project, workspace and session, the real toolbox, and a RunnerContext whose budget is read
 * live from the session's recorded spend (as the worker's activity does).
 */
import fs from 'node:fs';
import path from 'node:path';
import { agentConfigSchema, type AgentConfig } from '../../core/agent.js';
import { openDb, type Db } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { projects, workspaces } from '../../db/schema.js';
import type { AgentTurnResult } from '../../core/agent.js';
import type { AgentTurnRequest, RunnerContext, ToolboxFactory } from '../../activities/agents/runner.js';
import { createToolbox } from '../../activities/agents/tools/index.js';
import {
  createTranscript,
  ensureSession,
  type StoredMessage,
  type Transcript,
} from '../../activities/agents/transcript.js';
import { git, makeRepo } from './git.js';

export interface Harness {
  db: Db;
  /** The SQLite file behind `db` (for a second process, such as a runner host that is SIGKILLed). */
  dbFile: string;
  worktree: string;
  sessionId: string;
  transcript: Transcript;
  heartbeats: number[];
  /** Cap for the live budget; null = no budget. */
  budgetCapUsd: number | null;
  makeToolbox: ToolboxFactory;
  request(config?: Partial<AgentConfig>, prompt?: string): AgentTurnRequest;
  context(opts?: { attempt?: number; signal?: AbortSignal; resumeFromSeq?: number }): RunnerContext;
  rows(): StoredMessage[];
  read(file: string): string;
}

let n = 0;

export function makeHarness(): Harness {
  const repo = makeRepo({ prefix: 'ratchet-runners-' });
  const worktree = path.join(repo.worktrees, 'ws');
  fs.mkdirSync(repo.worktrees, { recursive: true });
  git(repo.repo, 'worktree', 'add', '--quiet', '-b', 'ratchet/ws', worktree, 'main');
  const dbFile = path.join(repo.root, 'ratchet.db');
  migrateDatabase(dbFile);
  const db = openDb(dbFile);
  const id = `t${++n}${Date.now().toString(36)}`;
  db.insert(projects)
    .values({ id: `p_${id}`, name: 'fixture', repoPath: repo.repo })
    .run();
  db.insert(workspaces)
    .values({
      id: `w_${id}`,
      projectId: `p_${id}`,
      title: 'Runner test',
      prompt: 'do it',
      branch: 'ratchet/ws',
      baseBranch: 'main',
      worktreePath: worktree,
      status: 'running_agent',
      agentConfig: {},
      workflowId: `workspace/w_${id}`,
    })
    .run();
  const sessionId = `s_${id}`;
  ensureSession(db, {
    id: sessionId,
    workspaceId: `w_${id}`,
    purpose: 'implement',
    runner: 'anthropic',
    mode: 'agent',
  });
  const transcript = createTranscript(db, sessionId);
  const h: Harness = {
    db,
    dbFile,
    worktree,
    sessionId,
    transcript,
    heartbeats: [],
    budgetCapUsd: null,
    makeToolbox: ({ worktree: wt, mode }) =>
      createToolbox({ worktree: wt, mode, env: process.env, commandTimeoutMs: 30_000 }),
    request: (config = {}, prompt = 'Create hello.txt') => ({
      workspaceId: `w_${id}`,
      turn: 1,
      sessionId,
      purpose: 'implement',
      worktreePath: worktree,
      prompt,
      systemPrompt: 'You are a careful coding agent.',
      config: agentConfigSchema.parse({ runner: 'anthropic', ...config }),
    }),
    context: (opts = {}) => ({
      transcript,
      heartbeat: ({ lastSeq }) => h.heartbeats.push(lastSeq),
      signal: opts.signal ?? new AbortController().signal,
      attempt: opts.attempt ?? 1,
      resumeFromSeq: opts.resumeFromSeq ?? 0,
      budget: {
        get remainingUsd() {
          return h.budgetCapUsd === null ? null : Math.max(0, h.budgetCapUsd - transcript.totals().costUsd);
        },
      },
    }),
    rows: () => transcript.load(),
    read: (file) => fs.readFileSync(path.join(worktree, file), 'utf8'),
  };
  return h;
}

/** Roles in seq order, e.g. `user assistant tool_call tool_result assistant`. */
export const roles = (rows: readonly StoredMessage[]) => rows.map((r) => r.role).join(' ');

export async function waitFor(cond: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The transcript's system rows of one kind (`acp_permission`, `acp_session`, ...). */
export const systemRows = (rows: readonly StoredMessage[], kind: string) =>
  rows.filter((r) => r.role === 'system' && (r.content as { kind?: string } | null)?.kind === kind);

/**
 * A real agent killed mid-turn, as with its worker: runs the turn until the model has received
 * `requests` calls (the first tool call ran; the next answer is in flight), checks what ran with
 * `beforeKill`, SIGKILLs the agent's process group (from the transcript's `acp_process` row),
 * expects the attempt to fail as retryable, and returns the retry's (attempt 2) result.
 */
export async function killMidTurnThenRetry(opts: {
  h: Harness;
  runner: { run(req: AgentTurnRequest, ctx: RunnerContext): Promise<AgentTurnResult> };
  req: AgentTurnRequest;
  fake: { requests: readonly unknown[] };
  requests?: number;
  beforeKill?: () => void;
}): Promise<AgentTurnResult> {
  const { h, runner, req, fake } = opts;
  const first = runner.run(req, h.context()).catch((e: unknown) => e);
  const until = Date.now() + 90_000;
  while (fake.requests.length < (opts.requests ?? 2) && Date.now() < until)
    await new Promise((r) => setTimeout(r, 50));
  opts.beforeKill?.();
  const group = systemRows(h.rows(), 'acp_process')[0]?.content as { pgid: number } | undefined;
  if (!group) throw new Error('the agent never recorded its process group');
  process.kill(-group.pgid, 'SIGKILL');
  const err = (await first) as { nonRetryable?: boolean };
  if (err?.nonRetryable !== false)
    throw new Error(`the killed attempt should fail as retryable, got ${JSON.stringify(err)}`);
  return runner.run(req, h.context({ attempt: 2 }));
}
