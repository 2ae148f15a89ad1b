/** Shared setup for workspace workflow suites: a migrated SQLite file, a project row, and specs. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AgentConfig } from '../../core/agent.js';
import { branchNameFor, type WorkspaceSpec, type WorkspaceWorkflowInput } from '../../core/workspace.js';
import { openDb, type Db } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { recordScriptTrust } from '../../db/queries/script-trust.js';
import { listEvents } from '../../db/queries/workspaces.js';
import { scriptSha256 } from '../../activities/setup.js';
import { projects } from '../../db/schema.js';
import type { TestRepo } from './git.js';

export function makeHome(prefix = 'ratchet-home-'): { home: string; dbFile: string; db: Db } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const dbFile = path.join(home, 'ratchet.db');
  migrateDatabase(dbFile);
  return { home, dbFile, db: openDb(dbFile) };
}

let seq = 0;

/** Records that the person approved `script` as this project's setup script before (as the console's Approve does). */
export function trustSetupScript(db: Db, projectId: string, script: string): void {
  recordScriptTrust({
    db,
    row: {
      projectId,
      kind: 'setup',
      sha256: scriptSha256(script),
      script,
      decision: 'approved',
      workspaceId: null,
    },
  });
}

export function addProject(db: Db, repo: TestRepo): string {
  const id = `prj-${process.pid}-${++seq}`;
  db.insert(projects)
    .values({ id, name: path.basename(repo.root), repoPath: repo.repo, worktreeDir: repo.worktrees })
    .run();
  return id;
}

export function specFor(
  repo: TestRepo,
  projectId: string,
  opts: { title?: string; prompt?: string; agent?: Partial<AgentConfig>; id?: string } = {},
): WorkspaceSpec {
  const workspaceId = opts.id ?? `ws-${process.pid}-${Date.now().toString(36)}-${++seq}`;
  const title = opts.title ?? 'Add a greeting';
  const branch = branchNameFor(title, workspaceId);
  return {
    workspaceId,
    projectId,
    repoPath: repo.repo,
    worktreeRoot: repo.worktrees,
    worktreePath: path.join(repo.worktrees, branch.replace(/\//g, '-')),
    branch,
    baseBranch: 'main',
    title,
    prompt: opts.prompt ?? 'Write hello.txt',
    agent: { runner: 'script', mode: 'agent', maxTurns: 40, ...opts.agent },
    push: true,
    remote: 'origin',
    github: null,
    issue: null,
    existingBranch: false,
    adopt: null,
    ratchet: { enabled: true, autoMerge: false },
  };
}

export function input(
  spec: WorkspaceSpec,
  timings: WorkspaceWorkflowInput['timings'] = { heartbeatTimeoutMs: 3000 },
): WorkspaceWorkflowInput {
  return { spec, timings };
}

export function eventKinds(db: Db, workspaceId: string): string[] {
  return listEvents({ db, workspaceId }).map((e) => e.kind);
}

/** Polls until `fn` returns a truthy value (real time; for real processes). */
export async function waitFor<T>(
  what: string,
  fn: () => T | Promise<T>,
  timeoutMs = 60_000,
  everyMs = 100,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
