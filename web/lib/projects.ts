/**
 * Project registration: a project is a local git repository. Registering looks before it acts, so
 * registering the same repository twice (by any path inside it) returns the existing row.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../db/client.js';
import { projects, type Project } from '../../db/schema.js';
import { parseGithubRemote } from '../../core/git-remote.js';
import { newId } from '../../core/ids.js';
import { branchNameSchema } from '../../core/workspace.js';
import { childEnv } from './env.js';
import { DomainError } from './errors.js';

export const registerProjectInputSchema = z.object({
  path: z
    .string()
    .trim()
    .min(1, 'is required')
    .refine((p) => path.isAbsolute(p), 'must be an absolute path'),
  worktreeDir: z
    .string()
    .trim()
    .refine((p) => path.isAbsolute(p), 'must be an absolute path')
    .optional()
    .or(z.literal('').transform(() => undefined)),
});
export type RegisterProjectInput = z.input<typeof registerProjectInputSchema>;

/** @default 10000 */
const GIT_TIMEOUT_MS = 10_000;

/** Runs git without a shell and without model or GitHub secrets; resolves null when git exits non-zero. */
function git(args: string[]): Promise<string | null> {
  const env = childEnv();
  return new Promise((resolve, reject) => {
    execFile('git', args, { timeout: GIT_TIMEOUT_MS, env, encoding: 'utf8' }, (err, stdout) => {
      if (!err) return resolve(stdout.trim());
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        return reject(new Error('git is not installed or not on PATH'));
      resolve(null);
    });
  });
}

async function defaultBranchOf(top: string): Promise<string> {
  const remoteHead = await git(['-C', top, 'symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD']);
  const candidates = [
    remoteHead?.replace(/^origin\//, ''),
    await git(['-C', top, 'symbolic-ref', '--quiet', '--short', 'HEAD']),
  ];
  for (const c of candidates) if (c && branchNameSchema.safeParse(c).success) return c;
  return 'main';
}

export function listProjects(db: Db): Project[] {
  return db.select().from(projects).orderBy(asc(projects.name)).all();
}

export function getProjectOrThrow(db: Db, id: string): Project {
  const row = db.select().from(projects).where(eq(projects.id, id)).get();
  if (!row) throw new DomainError('ProjectNotFound', `No project with id ${id}; register it first.`);
  return row;
}

/** Registers the git repository containing `path` (stored by its top-level path); idempotent. */
export async function registerProject(db: Db, input: RegisterProjectInput): Promise<Project> {
  const { path: given, worktreeDir } = registerProjectInputSchema.parse(input);
  if (!fs.existsSync(given)) throw new DomainError('NotAGitRepository', `${given} does not exist.`);
  const top = await git(['-C', given, 'rev-parse', '--show-toplevel']);
  if (!top)
    throw new DomainError(
      'NotAGitRepository',
      `${given} is not a git repository (git rev-parse found no work tree).`,
    );
  const existing = db.select().from(projects).where(eq(projects.repoPath, top)).get();
  if (existing) return existing;

  // Credentials embedded in an https remote are never stored or shown.
  const remoteUrl =
    (await git(['-C', top, 'remote', 'get-url', 'origin']))?.replace(/^(https?:\/\/)[^@/]+@/i, '$1') ?? null;
  const github = remoteUrl ? parseGithubRemote(remoteUrl) : null;
  const row = {
    id: newId('prj', Date.now(), Math.random),
    name: path.basename(top),
    repoPath: top,
    githubOwner: github?.owner ?? null,
    githubRepo: github?.repo ?? null,
    remoteUrl: remoteUrl || null,
    defaultBranch: await defaultBranchOf(top),
    worktreeDir: worktreeDir ?? null,
  };
  // A concurrent registration of the same repository wins the unique index; return its row.
  db.insert(projects).values(row).onConflictDoNothing({ target: projects.repoPath }).run();
  return db.select().from(projects).where(eq(projects.repoPath, top)).get() as Project;
}
