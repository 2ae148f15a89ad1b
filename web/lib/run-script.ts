/**
 * The run script as the routes and the workspace page see it: what would run (the project's run
 * script, set on the Projects page or in the repository's `.ratchet/config.json`), whether its
 * exact text is approved, and its port. Starting hands an already-checked plan to the owner in
 * the console's process (web/lib/run-script-host.ts).
 */
import fs from 'node:fs';
import type { RunView } from '../../core/run-script.js';
import type { Db } from '../../db/client.js';
import { getWorkspaceById } from '../../db/queries/workspaces.js';
import { DomainError } from './errors.js';
import { getProjectScript } from './project-settings.js';
import { findRunScriptHost, runScriptHostOrThrow, type RunPlan } from './run-script-host.js';
import { isArchived, workspaceIdSchema } from './workspaces.js';

export interface RunScriptInfo {
  projectId: string;
  /** `none`: the project has no run script; `untrusted`: its text is not approved (or was rejected). */
  script: 'none' | 'untrusted' | 'trusted';
  port: number | null;
}

export function getRunScriptInfo(db: Db, projectId: string): RunScriptInfo {
  const { view, runPort } = getProjectScript(db, projectId, 'run');
  return {
    projectId,
    script: view.script === null ? 'none' : view.trust === 'approved' ? 'trusted' : 'untrusted',
    port: runPort,
  };
}

/** Checks everything a start needs; throws the error the route answers with. */
export function planRun(db: Db, workspaceId: string): RunPlan {
  const id = workspaceIdSchema.parse(workspaceId);
  const ws = getWorkspaceById({ db, id });
  if (!ws) throw new DomainError('WorkspaceNotFound', `No workspace with id ${id}.`);
  if (isArchived(ws)) throw new DomainError('NotApplicable', `Workspace "${ws.title}" is archived.`);
  if (!fs.existsSync(ws.worktreePath))
    throw new DomainError('NotApplicable', `The worktree ${ws.worktreePath} does not exist.`);
  const { project, view, runPort } = getProjectScript(db, ws.projectId, 'run');
  if (view.script === null)
    throw new DomainError(
      'RunScriptNotTrusted',
      `Project "${project.name}" has no run script; set one on its project page.`,
    );
  if (view.trust !== 'approved')
    throw new DomainError(
      'RunScriptNotTrusted',
      `The run script of project "${project.name}" is not approved; review and approve it on its project page.`,
    );
  return { workspaceId: id, script: view.script, cwd: ws.worktreePath, port: runPort };
}

export function startRun(db: Db, workspaceId: string): RunView {
  const plan = planRun(db, workspaceId);
  const res = runScriptHostOrThrow().start(plan);
  if (!res.ok)
    throw new DomainError(
      'RunAlreadyRunning',
      `The run script already runs in this workspace (pid ${res.view.pid}); stop it first.`,
    );
  return res.view;
}

export function stopRun(workspaceId: string): Promise<RunView> {
  return runScriptHostOrThrow().stop(workspaceIdSchema.parse(workspaceId));
}

/** GET /api/workspaces/:id/run: the run (null when this process owns no run scripts) and what may start. */
export function getRunState(db: Db, workspaceId: string): { run: RunView | null; script: RunScriptInfo } {
  const id = workspaceIdSchema.parse(workspaceId);
  const ws = getWorkspaceById({ db, id });
  if (!ws) throw new DomainError('WorkspaceNotFound', `No workspace with id ${id}.`);
  return { run: findRunScriptHost()?.view(id) ?? null, script: getRunScriptInfo(db, ws.projectId) };
}

/** GET /api/workspaces/:id/run/live: the owner to subscribe to, once the workspace is known to exist. */
export function runOutputHost(db: Db, workspaceId: string) {
  const id = workspaceIdSchema.parse(workspaceId);
  if (!getWorkspaceById({ db, id }))
    throw new DomainError('WorkspaceNotFound', `No workspace with id ${id}.`);
  return { id, host: runScriptHostOrThrow() };
}
