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
