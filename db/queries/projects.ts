import { and, asc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import { projects, pullRequests, workspaces, type NewProject, type Project } from '../schema.js';

/** The stored ratchet policy JSON of a project; null when it has none or the project is gone. */
export function getProjectRatchetPolicy({ db, id }: { db: Db; id: string }): unknown {
  const row = db.select({ policy: projects.ratchetPolicy }).from(projects).where(eq(projects.id, id)).get();
  return row?.policy ?? null;
}

/** The stored scripts JSON of a project (setup/run/cleanup set in the console); null when none. */
export function getProjectScripts({ db, id }: { db: Db; id: string }): unknown {
  const row = db.select({ scripts: projects.scripts }).from(projects).where(eq(projects.id, id)).get();
  return row?.scripts ?? null;
}

export function listProjectRows({ db }: { db: Db }): Project[] {
  return db.select().from(projects).orderBy(asc(projects.name)).all();
}

export function getProject({ db, id }: { db: Db; id: string }): Project | undefined {
  return db.select().from(projects).where(eq(projects.id, id)).get();
}

/** The project registered for this repository top-level path (each repository is registered once). */
export function getProjectByRepoPath({ db, repoPath }: { db: Db; repoPath: string }): Project | undefined {
  return db.select().from(projects).where(eq(projects.repoPath, repoPath)).get();
}

/** The project whose GitHub repository is `owner/repo`, if one is registered. */
export function findProjectByGithubRepo({
  db,
  owner,
  repo,
}: {
  db: Db;
  owner: string;
  repo: string;
}): Project | undefined {
  return db
    .select()
    .from(projects)
    .where(and(eq(projects.githubOwner, owner), eq(projects.githubRepo, repo)))
    .get();
}

/**
 * Registers a repository; a concurrent registration of the same path wins the unique index, and
 * the row stored under that path (either one) is returned.
 */
export function insertProjectIfAbsent({ db, row }: { db: Db; row: NewProject }): Project {
  db.insert(projects).values(row).onConflictDoNothing({ target: projects.repoPath }).run();
  return getProjectByRepoPath({ db, repoPath: row.repoPath })!;
}

/** Saves project settings edited in the console; `updatedAt` is set here. */
export function updateProjectRow({
  db,
  id,
  set,
}: {
  db: Db;
  id: string;
  set: Partial<Pick<NewProject, 'defaultBranch' | 'worktreeDir' | 'ratchetPolicy' | 'scripts'>>;
}): void {
  db.update(projects)
    .set({ ...set, updatedAt: Date.now() })
    .where(eq(projects.id, id))
    .run();
}

/** Deletes the project row; its workspaces, trust decisions and PR rows go with it (foreign keys). */
export function deleteProject({ db, id }: { db: Db; id: string }): void {
  db.delete(projects).where(eq(projects.id, id)).run();
}

/** Not archived (nor on its way): a workspace that still has, or may get, a worktree. */
const liveWorkspace = and(isNull(workspaces.archivedAt), ne(workspaces.status, 'archived'));

export interface ProjectTotals {
  openPrs: number;
  spentUsd: number;
  liveWorkspaces: number;
}

/** Per project id: open (or draft) PRs, dollars spent over its workspaces, live workspaces. */
export function listProjectTotals({ db }: { db: Db }): Map<string, ProjectTotals> {
  const prs = new Map(
    db
      .select({ projectId: pullRequests.projectId, n: sql<number>`count(*)` })
      .from(pullRequests)
      .where(inArray(pullRequests.state, ['open', 'draft']))
      .groupBy(pullRequests.projectId)
      .all()
      .map((r) => [r.projectId, r.n]),
  );
  const totals = new Map<string, ProjectTotals>();
  const spend = db
    .select({
      projectId: workspaces.projectId,
      usd: sql<number>`coalesce(sum(${workspaces.spentUsd}), 0)`,
      live: sql<number>`sum(case when ${workspaces.archivedAt} is null and ${workspaces.status} != 'archived' then 1 else 0 end)`,
    })
    .from(workspaces)
    .groupBy(workspaces.projectId)
    .all();
  for (const r of spend)
    totals.set(r.projectId, { openPrs: prs.get(r.projectId) ?? 0, spentUsd: r.usd, liveWorkspaces: r.live });
  for (const [projectId, n] of prs)
    if (!totals.has(projectId)) totals.set(projectId, { openPrs: n, spentUsd: 0, liveWorkspaces: 0 });
  return totals;
}

/** How many of the project's workspaces are live (see `liveWorkspace`). */
export function countLiveWorkspaces({ db, projectId }: { db: Db; projectId: string }): number {
  return db
    .select({ n: sql<number>`count(*)` })
    .from(workspaces)
    .where(and(eq(workspaces.projectId, projectId), liveWorkspace))
    .get()!.n;
}

/** The live workspaces of the project whose PR is open: each has a running ratchet loop (or had). */
export function listLiveWorkspacesWithOpenPr({ db, projectId }: { db: Db; projectId: string }): string[] {
  return db
    .select({ workspaceId: pullRequests.workspaceId })
    .from(pullRequests)
    .innerJoin(workspaces, eq(workspaces.id, pullRequests.workspaceId))
    .where(
      and(
        eq(pullRequests.projectId, projectId),
        inArray(pullRequests.state, ['open', 'draft']),
        liveWorkspace,
      ),
    )
    .all()
    .map((r) => r.workspaceId);
}
