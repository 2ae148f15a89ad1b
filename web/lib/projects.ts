/**
 * Project registration: a project is a local git repository. Registering looks before it acts, so
 * registering the same repository twice (by any path inside it) returns the existing row.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z, ZodError } from 'zod';
import type { Db } from '../../db/client.js';
import {
  getProject,
  getProjectByRepoPath,
  insertProjectIfAbsent,
  listProjectRows,
} from '../../db/queries/projects.js';
import type { Project } from '../../db/schema.js';
import { parseGithubRemote } from '../../core/git-remote.js';
import { newId } from '../../core/ids.js';
import { stripRemoteCredentials } from '../../core/remote-url.js';
import { TEXT_LIMITS, singleLineText } from '../../core/text.js';
import { branchNameSchema } from '../../core/workspace.js';
import { WORKTREE_DIR_MARKER, worktreeDirRefusal, type WorktreeDirState } from '../../core/worktree-dir.js';
import { childEnv, getConfig } from './env.js';
import { DomainError } from './errors.js';

export const registerProjectInputSchema = z.object({
  path: singleLineText(TEXT_LIMITS.path).refine((p) => path.isAbsolute(p), 'must be an absolute path'),
  worktreeDir: singleLineText(TEXT_LIMITS.path, { required: false })
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

/**
 * A project row as it may leave the server: a remote URL stored before credentials were stripped
 * (by an older Ratchet) is stripped on the way out too.
 */
function withoutCredentials(row: Project): Project {
  return row.remoteUrl ? { ...row, remoteUrl: stripRemoteCredentials(row.remoteUrl) } : row;
}

export function listProjects(db: Db): Project[] {
  return listProjectRows({ db }).map(withoutCredentials);
}

export function getProjectOrThrow(db: Db, id: string): Project {
  const row = getProject({ db, id });
  if (!row) throw new DomainError('ProjectNotFound', `No project with id ${id}; register it first.`);
  return withoutCredentials(row);
}

/** realpath of `p`, or of its nearest existing ancestor with the missing rest appended. */
function resolveReal(p: string): string {
  let existing = path.resolve(p);
  const rest: string[] = [];
  while (!fs.existsSync(existing)) {
    rest.unshift(path.basename(existing));
    existing = path.dirname(existing);
  }
  return path.join(fs.realpathSync(existing), ...rest);
}

function realOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

function dirState(resolved: string): WorktreeDirState {
  if (!fs.existsSync(resolved)) return 'missing';
  if (!fs.statSync(resolved).isDirectory()) return 'not_a_directory';
  const entries = fs.readdirSync(resolved);
  if (entries.length === 0) return 'empty';
  return entries.includes(WORKTREE_DIR_MARKER) ? 'created_by_ratchet' : 'not_empty';
}

/**
 * Checks `worktreeDir` (core/worktree-dir.ts rules, on its realpath), then creates it if missing
 * and marks it as Ratchet's. Returns the realpath, which is what gets stored (a symlink swapped
 * later cannot move it). A refusal, or a directory that cannot be created, is a 422 naming
 * `worktreeDir`. `given` is absolute here (a relative one was resolved against the repository).
 */
export function claimWorktreeDir(db: Db, given: string, repoTop: string, dataDir: string): string {
  const refuse = (message: string): never => {
    throw new ZodError([{ code: 'custom', path: ['worktreeDir'], message, input: given }]);
  };
  const resolved = resolveReal(given);
  const repoPaths = [repoTop, ...listProjectRows({ db }).map((p) => p.repoPath)].map(realOrSelf);
  const refusal = worktreeDirRefusal({
    given,
    resolved,
    state: dirState(resolved),
    dataDir: realOrSelf(dataDir),
    homeDir: realOrSelf(os.homedir()),
    repoPaths,
  });
  if (refusal) refuse(refusal);
  try {
    fs.mkdirSync(resolved, { recursive: true });
    const marker = path.join(resolved, WORKTREE_DIR_MARKER);
    if (!fs.existsSync(marker))
      fs.writeFileSync(
        marker,
        'Worktrees of Ratchet projects live here; Ratchet creates and removes them.\n',
      );
  } catch (err) {
    refuse(
      `resolves to ${resolved}, which cannot be created (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  return resolved;
}

/**
 * A worktree directory as edited on the project page: absolute, or relative to the repository's
 * top level (`../myrepo-worktrees`); the result is always absolute.
 */
export function worktreeDirFromInput(given: string, repoTop: string): string {
  return path.isAbsolute(given) ? given : path.resolve(repoTop, given);
}

/**
 * Registers the git repository containing `path` (stored by its top-level path); idempotent.
 * @default dataDir the configured data directory (`RATCHET_HOME`)
 */
export async function registerProject(
  db: Db,
  input: RegisterProjectInput,
  opts: { dataDir?: string } = {},
): Promise<Project> {
  const { path: given, worktreeDir } = registerProjectInputSchema.parse(input);
  if (!fs.existsSync(given)) throw new DomainError('NotAGitRepository', `${given} does not exist.`);
  const top = await git(['-C', given, 'rev-parse', '--show-toplevel']);
  if (!top)
    throw new DomainError(
      'NotAGitRepository',
      `${given} is not a git repository (git rev-parse found no work tree).`,
    );
  const existing = getProjectByRepoPath({ db, repoPath: top });
  if (existing) return withoutCredentials(existing);
  const claimedDir =
    worktreeDir === undefined
      ? null
      : claimWorktreeDir(db, worktreeDir, top, opts.dataDir ?? getConfig().home);

  // Credentials in the remote URL (any scheme, userinfo or token parameters) are never stored or shown.
  const rawRemote = await git(['-C', top, 'remote', 'get-url', 'origin']);
  const remoteUrl = rawRemote ? stripRemoteCredentials(rawRemote) : null;
  const github = remoteUrl ? parseGithubRemote(remoteUrl) : null;
  const row = {
    id: newId('prj', Date.now(), Math.random),
    name: path.basename(top),
    repoPath: top,
    githubOwner: github?.owner ?? null,
    githubRepo: github?.repo ?? null,
    remoteUrl: remoteUrl || null,
    defaultBranch: await defaultBranchOf(top),
    worktreeDir: claimedDir,
  };
  // A concurrent registration of the same repository wins the unique index; its row is returned.
  return withoutCredentials(insertProjectIfAbsent({ db, row }));
}
