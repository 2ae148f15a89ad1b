/**
 * The console's view of each project's MCP servers (core/mcp.ts): read from `.ratchet/config.json`
 * on the project's default branch, with the trust state of that exact text, and the person's
 * decision on it. Names only: servers, commands or URLs, and the NAMES of the variables they take
 * (with whether each is set), never a value.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
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
  const base = { projectId: project.id, projectName: project.name, source, servers: [] };
  const cfg = parseMcpConfigFile(await gitShow(project.repoPath, source));
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
  const view = await getProjectMcp(db, projectId);
  if (!view.sha256 || !view.text)
    throw new DomainError(
      'NotApplicable',
      `Project ${projectId} has no valid MCP server config on ${view.source}.`,
    );
  if (view.sha256 !== input.sha256)
    throw new DomainError(
      'NotApplicable',
      `sha256 does not match the MCP config on ${view.source} (${view.sha256.slice(0, 12)}…); reload and review it`,
    );
  recordScriptTrust({
    db,
    row: {
      projectId,
      kind: MCP_TRUST_KIND,
      sha256: view.sha256,
      script: view.text,
      decision: input.decision === 'approve' ? 'approved' : 'rejected',
      workspaceId: null,
    },
  });
  return getProjectMcp(db, projectId);
}
