/**
 * The Projects page's reads and writes: a summary per project (remote, default branch, open PRs,
 * spend), its settings (base branch, worktree directory, scripts with their trust state, ratchet
 * policy), trust decisions on a script's exact text, and removal (refused while a workspace is
 * live; the repository on disk is never touched).
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import { workflowIds } from '../../core/ids.js';
import {
  consoleScript,
  policyToRatchet,
  projectPolicySchema,
  projectScriptsSchema,
  readProjectPolicy,
  readProjectScripts,
  type ProjectPolicy,
  type ProjectScripts,
} from '../../core/project-policy.js';
import { runPortOf } from '../../core/run-script.js';
import { SCRIPT_KINDS, sha256Schema, type ScriptKind, type TrustDecision } from '../../core/script-trust.js';
import { branchNameSchema } from '../../core/workspace.js';
import type { Db } from '../../db/client.js';
import { getScriptTrust, recordScriptTrust } from '../../db/queries/script-trust.js';
import {
  countLiveWorkspaces,
  deleteProject,
  listLiveWorkspacesWithOpenPr,
  listProjectTotals,
  updateProjectRow,
} from '../../db/queries/projects.js';
import type { Project } from '../../db/schema.js';
import { policySignal } from '../../workflows/ratchet-messages.js';
import { TEXT_LIMITS, singleLineText } from '../../core/text.js';
import { childEnv, getConfig } from './env.js';
import { DomainError } from './errors.js';
import { claimWorktreeDir, getProjectOrThrow, listProjects, worktreeDirFromInput } from './projects.js';

export interface ProjectSummary {
  project: Project;
  openPrs: number;
  spentUsd: number;
  liveWorkspaces: number;
}

export function listProjectSummaries(db: Db): ProjectSummary[] {
  const totals = listProjectTotals({ db });
  return listProjects(db).map((project) => ({
    project,
    openPrs: totals.get(project.id)?.openPrs ?? 0,
    spentUsd: totals.get(project.id)?.spentUsd ?? 0,
    liveWorkspaces: totals.get(project.id)?.liveWorkspaces ?? 0,
  }));
}

export type ScriptSource = 'console' | 'repository' | 'none';

export interface ProjectScriptView {
  kind: ScriptKind;
  source: ScriptSource;
  script: string | null;
  sha256: string | null;
  /** `approved` / `rejected` for this exact text, `untrusted` when never decided, null without a script. */
  trust: TrustDecision | 'untrusted' | null;
}

export interface ProjectDetail extends ProjectSummary {
  policy: ProjectPolicy;
  scripts: ProjectScripts;
  scriptViews: ProjectScriptView[];
  /** Why the repository's `.ratchet/config.json` could not be read, if it could not. */
  repoConfigError: string | null;
  /** The run script's port: set here, else the repository's `runPort`, else none. */
  runPort: number | null;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The repository's `.ratchet/config.json` on the default branch (what a new worktree gets). */
function repoConfig(project: Project): { config: Record<string, unknown>; error: string | null } {
  let text: string;
  try {
    text = execFileSync(
      'git',
      ['-C', project.repoPath, 'show', `${project.defaultBranch}:.ratchet/config.json`, '--'],
      { encoding: 'utf8', env: childEnv(), timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] },
    );
  } catch {
    return { config: {}, error: null }; // no such file on the branch: no repository scripts
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return { config: parsed as Record<string, unknown>, error: null };
    return { config: {}, error: '.ratchet/config.json is not a JSON object' };
  } catch (err) {
    return { config: {}, error: `.ratchet/config.json is not valid JSON: ${(err as Error).message}` };
  }
}

function scriptView(
  db: Db,
  project: Project,
  kind: ScriptKind,
  scripts: ProjectScripts,
  repo: Record<string, unknown>,
): ProjectScriptView {
  const fromConsole = consoleScript(scripts, kind);
  const fromRepo =
    typeof repo[kind] === 'string' && (repo[kind] as string).trim() !== ''
      ? (repo[kind] as string)
      : undefined;
  const script = fromConsole ?? fromRepo ?? null;
  if (script === null) return { kind, source: 'none', script: null, sha256: null, trust: null };
  const hash = sha256(script);
  const row = getScriptTrust({ db, projectId: project.id, kind, sha256: hash });
  return {
    kind,
    source: fromConsole !== undefined ? 'console' : 'repository',
    script,
    sha256: hash,
    trust: (row?.decision as TrustDecision | undefined) ?? 'untrusted',
  };
}

export function getProjectDetail(db: Db, id: string): ProjectDetail {
  const project = getProjectOrThrow(db, id);
  const summary = listProjectSummaries(db).find((s) => s.project.id === id) ?? {
    project,
    openPrs: 0,
    spentUsd: 0,
    liveWorkspaces: 0,
  };
  const scripts = readProjectScripts(project.scripts);
  const repo = repoConfig(project);
  return {
    ...summary,
    policy: readProjectPolicy(project.ratchetPolicy),
    scripts,
    scriptViews: SCRIPT_KINDS.map((k) => scriptView(db, project, k, scripts, repo.config)),
    repoConfigError: repo.error,
    runPort: runPortOf(scripts.runPort, repo.config),
  };
}

/**
 * One script of a project as the project page shows it (source, text, trust) and the run port,
 * without the project's summary figures (the workspace page asks on every render).
 */
export function getProjectScript(
  db: Db,
  id: string,
  kind: ScriptKind,
): { project: Project; view: ProjectScriptView; runPort: number | null } {
  const project = getProjectOrThrow(db, id);
  const scripts = readProjectScripts(project.scripts);
  const repo = repoConfig(project);
  return {
    project,
    view: scriptView(db, project, kind, scripts, repo.config),
    runPort: runPortOf(scripts.runPort, repo.config),
  };
}

/** PATCH /api/projects/:id body: any of the settings; omitted ones stay as they are. */
export const updateProjectInputSchema = z
  .object({
    defaultBranch: branchNameSchema.optional(),
    /**
     * Where new workspaces' worktrees go: absolute, or relative to the repository; empty or null
     * means the default (`<RATCHET_HOME>/worktrees/<project id>`). Existing workspaces keep theirs.
     */
    worktreeDir: z
      .union([singleLineText(TEXT_LIMITS.path, { required: false }), z.null()])
      .optional()
      .transform((v) => (v === '' ? null : v)),
    policy: projectPolicySchema.optional(),
    scripts: projectScriptsSchema.optional(),
  })
  .strict();
export type UpdateProjectInput = z.input<typeof updateProjectInputSchema>;

/**
 * Saves the settings, then hands a changed policy to the project's running ratchet loops (the
 * next decision uses it; a loop started later reads it itself).
 */
export async function updateProject({
  db,
  client,
  id,
  input,
}: {
  db: Db;
  client: (() => Promise<Client>) | null;
  id: string;
  input: UpdateProjectInput;
}): Promise<{ detail: ProjectDetail; signalledLoops: number }> {
  const parsed = updateProjectInputSchema.parse(input);
  const project = getProjectOrThrow(db, id);
  // Checked (and created) before anything is saved, so a refusal changes nothing.
  let worktreeDir: string | null | undefined = parsed.worktreeDir;
  if (typeof worktreeDir === 'string' && worktreeDir !== project.worktreeDir)
    worktreeDir = claimWorktreeDir(
      db,
      worktreeDirFromInput(worktreeDir, project.repoPath),
      project.repoPath,
      getConfig().home,
    );
  updateProjectRow({
    db,
    id,
    set: {
      ...(parsed.defaultBranch !== undefined ? { defaultBranch: parsed.defaultBranch } : {}),
      ...(worktreeDir !== undefined ? { worktreeDir } : {}),
      ...(parsed.policy !== undefined ? { ratchetPolicy: parsed.policy } : {}),
      ...(parsed.scripts !== undefined ? { scripts: parsed.scripts } : {}),
    },
  });
  let signalledLoops = 0;
  if (parsed.policy && client) {
    const loops = listLiveWorkspacesWithOpenPr({ db, projectId: id });
    if (loops.length > 0) {
      const temporal = await client();
      const { settings, mergeMethod } = policyToRatchet(parsed.policy, null);
      const { selfLogin: _self, ...rest } = settings;
      for (const workspaceId of loops) {
        try {
          await temporal.workflow
            .getHandle(workflowIds.ratchet(workspaceId))
            .signal(policySignal, { settings: rest, mergeMethod });
          signalledLoops++;
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err; // ratchet off, or the loop ended
        }
      }
    }
  }
  return { detail: getProjectDetail(db, id), signalledLoops };
}

/** POST /api/projects/:id/trust body: a decision on the script of `kind` whose text hashes to `sha256`. */
export const projectTrustInputSchema = z
  .object({
    kind: z.enum(SCRIPT_KINDS),
    sha256: sha256Schema,
    decision: z.enum(['approve', 'reject']),
  })
  .strict();
export type ProjectTrustInput = z.input<typeof projectTrustInputSchema>;

/**
 * Records the person's decision on the script shown to them. Refused (409) unless `sha256` is the
 * current text's: nobody approves a text they were not shown.
 */
export function decideProjectScriptTrust({
  db,
  id,
  input,
}: {
  db: Db;
  id: string;
  input: ProjectTrustInput;
}): ProjectScriptView {
  const parsed = projectTrustInputSchema.parse(input);
  const detail = getProjectDetail(db, id);
  const view = detail.scriptViews.find((v) => v.kind === parsed.kind)!;
  if (view.script === null || view.sha256 === null)
    throw new DomainError('NotApplicable', `Project "${detail.project.name}" has no ${parsed.kind} script.`);
  if (view.sha256 !== parsed.sha256)
    throw new DomainError(
      'NotApplicable',
      `The ${parsed.kind} script changed (now sha256 ${view.sha256.slice(0, 12)}…); reload and review it.`,
    );
  recordScriptTrust({
    db,
    row: {
      projectId: id,
      kind: parsed.kind,
      sha256: view.sha256,
      script: view.script,
      decision: parsed.decision === 'approve' ? 'approved' : 'rejected',
      workspaceId: null,
    },
  });
  return getProjectDetail(db, id).scriptViews.find((v) => v.kind === parsed.kind)!;
}

/**
 * Forgets the project (its archived workspaces, trust decisions and PR rows go with it). Refused
 * with 409 while any workspace is live. The repository and its files are never touched.
 */
export function removeProject({ db, id }: { db: Db; id: string }): { removed: string } {
  const project = getProjectOrThrow(db, id);
  const liveCount = countLiveWorkspaces({ db, projectId: id });
  if (liveCount > 0)
    throw new DomainError(
      'ProjectInUse',
      `Project "${project.name}" has ${liveCount} live workspace(s); archive them before removing it.`,
    );
  deleteProject({ db, id });
  return { removed: id };
}
