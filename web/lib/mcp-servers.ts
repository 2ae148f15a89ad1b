/**
 * The console's view of MCP servers (core/mcp.ts), with the trust state of that exact text and
 * the person's decision on it:
 * - per project (Settings), read from `.ratchet/config.json` on the project's default branch;
 * - per workspace (its page), read from the workspace's worktree, the copy the agent activity
 *   checks, so a branch whose config differs from the default branch can be approved there. Both
 *   record the same `script_trust` row (kind `mcp`, keyed by the sha256 of the normalised text).
 * Names only: servers, commands or URLs, and the NAMES of the variables they take (with whether
 * each is set), never a value.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import {
  MCP_TRUST_KIND,
  parseMcpConfigFile,
  summariseMcpServers,
  type McpServerSummary,
} from '../../core/mcp.js';
import { sha256Schema } from '../../core/script-trust.js';
import type { Db } from '../../db/client.js';
import { getScriptTrust, recordScriptTrust } from '../../db/queries/script-trust.js';
import { getWorkspaceById } from '../../db/queries/workspaces.js';
import type { Project } from '../../db/schema.js';
import { childEnv, envNamesSet } from './env.js';
import { DomainError } from './errors.js';
import { getProjectOrThrow, listProjects } from './projects.js';

export type McpTrustState = 'none' | 'invalid' | 'approved' | 'not_approved' | 'rejected';

export interface ProjectMcpView {
  projectId: string;
  projectName: string;
  /** Where the config was read: `<default branch>:.ratchet/config.json`. */
  source: string;
  state: McpTrustState;
  error?: string;
  sha256?: string;
  /** The exact text approved (it holds no values: variables are named, never given). */
  text?: string;
  servers: Array<McpServerSummary & { envSet: Record<string, boolean> }>;
}

/** `POST /api/projects/:id/mcp-trust` body: the hash shown must be the current one. */
export const mcpTrustInputSchema = z.object({
  decision: z.enum(['approve', 'reject']),
  sha256: sha256Schema,
});

function gitShow(repoPath: string, spec: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(
      'git',
      ['-C', repoPath, 'show', spec],
      { timeout: 10_000, env: childEnv(), encoding: 'utf8', maxBuffer: 1 << 20 },
      (err, stdout) => resolve(err ? null : stdout),
    );
  });
}

async function viewOf(db: Db, project: Project): Promise<ProjectMcpView> {
  const source = `${project.defaultBranch}:.ratchet/config.json`;
  return viewOfText(db, project, source, await gitShow(project.repoPath, source));
}

function viewOfText(db: Db, project: Project, source: string, raw: string | null): ProjectMcpView {
  const base = { projectId: project.id, projectName: project.name, source, servers: [] };
  const cfg = parseMcpConfigFile(raw);
  if (cfg.state === 'none') return { ...base, state: 'none' };
  if (cfg.state === 'invalid') return { ...base, state: 'invalid', error: cfg.error };
  // The same key the agent activity checks: sha256 of the normalised text.
  const sha256 = createHash('sha256').update(cfg.text, 'utf8').digest('hex');
  const row = getScriptTrust({ db, projectId: project.id, kind: MCP_TRUST_KIND, sha256 });
  return {
    ...base,
    state:
      row?.decision === 'approved' ? 'approved' : row?.decision === 'rejected' ? 'rejected' : 'not_approved',
    sha256,
    text: cfg.text,
    servers: summariseMcpServers(cfg.servers).map((s) => ({
      ...s,
      envSet: envNamesSet(s.envNames),
    })),
  };
}

export async function listProjectMcp(db: Db): Promise<ProjectMcpView[]> {
  return Promise.all(listProjects(db).map((p) => viewOf(db, p)));
}

export async function getProjectMcp(db: Db, projectId: string): Promise<ProjectMcpView> {
  return viewOf(db, getProjectOrThrow(db, projectId));
}

/** Records the decision on the config text shown; a hash that is not the current one is refused. */
export async function decideProjectMcp({
  db,
  projectId,
  input,
}: {
  db: Db;
  projectId: string;
  input: z.infer<typeof mcpTrustInputSchema>;
}): Promise<ProjectMcpView> {
  recordDecision(db, await getProjectMcp(db, projectId), input);
  return getProjectMcp(db, projectId);
}

function recordDecision(db: Db, view: ProjectMcpView, input: z.infer<typeof mcpTrustInputSchema>): void {
  if (!view.sha256 || !view.text)
    throw new DomainError('NotApplicable', `No valid MCP server config on ${view.source}.`);
  if (view.sha256 !== input.sha256)
    throw new DomainError(
      'NotApplicable',
      `sha256 does not match the MCP config on ${view.source} (${view.sha256.slice(0, 12)}…); reload and review it`,
    );
  recordScriptTrust({
    db,
    row: {
      projectId: view.projectId,
      kind: MCP_TRUST_KIND,
      sha256: view.sha256,
      script: view.text,
      decision: input.decision === 'approve' ? 'approved' : 'rejected',
      workspaceId: null,
    },
  });
}

/** The workspace's MCP config as its agent sees it, beside the default branch's hash. */
export interface WorkspaceMcpView extends ProjectMcpView {
  workspaceId: string;
  /** sha256 of the default branch's config (null when it has none): differs when the branch changed it. */
  defaultBranchSha256: string | null;
}

const MAX_CONFIG_BYTES = 256 * 1024;

/**
 * The worktree's `.ratchet/config.json`, or null when absent. A symlink or anything but a regular
 * file reads as absent (the console never follows the agent's links out of the worktree, and a
 * parse error must not quote some other file).
 */
function readWorktreeConfig(worktreePath: string): string | null {
  const file = path.join(worktreePath, '.ratchet', 'config.json');
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.size > MAX_CONFIG_BYTES) return null;
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

export async function getWorkspaceMcp(db: Db, workspaceId: string): Promise<WorkspaceMcpView> {
  const ws = getWorkspaceById({ db, id: workspaceId });
  if (!ws) throw new DomainError('WorkspaceNotFound', `No workspace with id ${workspaceId}.`);
  const project = getProjectOrThrow(db, ws.projectId);
  const view = viewOfText(
    db,
    project,
    `${ws.branch} (worktree):.ratchet/config.json`,
    readWorktreeConfig(ws.worktreePath),
  );
  const onDefault = await viewOf(db, project);
  return { ...view, workspaceId: ws.id, defaultBranchSha256: onDefault.sha256 ?? null };
}

/**
 * Records the decision on the worktree's config text shown on the workspace page: the same trust
 * row Settings writes, so the next turn of this workspace (and any other with the same text) starts
 * the servers. A hash that is not the worktree's current one is refused.
 */
export async function decideWorkspaceMcp({
  db,
  workspaceId,
  input,
}: {
  db: Db;
  workspaceId: string;
  input: z.infer<typeof mcpTrustInputSchema>;
}): Promise<WorkspaceMcpView> {
  recordDecision(db, await getWorkspaceMcp(db, workspaceId), input);
  return getWorkspaceMcp(db, workspaceId);
}
