/**
 * Reads a workspace's diff from git for `GET /api/workspaces/:id/diff`: the file list with +/-
 * counts (cheap, one pair of git calls), then one file's patch at a time, so a large diff loads
 * per file. The same rules as activities/git.ts: git runs with an argument array (no shell),
 * paths after `--`, the worktree must sit inside its project's worktree root, a path must be one
 * the diff itself lists, a commit must be one of the branch's own. External diff drivers and
 * textconv filters are off, so a repository's attributes cannot make the console run a program.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  languageOf,
  normalizeUntrackedPatch,
  parseCommitLog,
  parseDiffEntries,
  parseUntrackedNumstat,
  type DiffCommit,
  type DiffFileEntry,
  type DiffScope,
} from '../../core/diff.js';
import { branchNameSchema } from '../../core/workspace.js';
import { WORKTREE_DIR_MARKER } from '../../core/worktree-dir.js';
import type { Db } from '../../db/client.js';
import { getProject } from '../../db/queries/projects.js';
import { getWorkspaceById } from '../../db/queries/workspaces.js';
import { childEnv, getConfig } from './env.js';
import { DomainError } from './errors.js';
import { workspaceIdSchema } from './workspaces.js';

/** A file's patch larger than this is not sent; the list still shows its counts. @default 1 MiB */
export const MAX_PATCH_BYTES = 1024 * 1024;
/** At most this many files are listed (and untracked files diffed) per scope. @default 2000 */
export const MAX_FILES = 2000;
/** At most this many of the branch's commits are offered as scopes. @default 200 */
export const MAX_COMMITS = 200;
const GIT_TIMEOUT_MS = 20_000;
/** Before every diff: no external diff program, no textconv filter, no colour, no pager. */
const DIFF_FLAGS = ['--no-ext-diff', '--no-textconv', '--no-color', '-M'];

export interface DiffSummary {
  workspaceId: string;
  scope: DiffScope;
  /** The base branch ref compared against and the merge base's SHA (branch and commit scopes). */
  base: { ref: string; sha: string } | null;
  head: string | null;
  files: DiffFileEntry[];
  totals: { files: number; additions: number; deletions: number };
  /** More files than MAX_FILES changed; the list stops there. */
  truncated: boolean;
  /** The branch's commits since its base, newest first (each turn commits once). */
  commits: DiffCommit[];
  /** Whether the worktree still exists (an archived workspace keeps only its branch). */
  worktree: boolean;
  /** Why there is nothing to show (no usable worktree or branch, no common history); null otherwise. */
  unavailable: string | null;
}

export interface FileDiff {
  file: DiffFileEntry;
  language: string | null;
  /** Git's unified patch of this one file; null for a binary or too-large file. */
  patch: string | null;
  tooLarge: boolean;
}

interface GitOut {
  code: number;
  stdout: string;
  overflow: boolean;
}

function runGit(cwd: string, args: string[], maxBytes = 8 * MAX_PATCH_BYTES): Promise<GitOut> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      {
        cwd,
        env: { ...childEnv(), LC_ALL: 'C', GIT_PAGER: 'cat', GIT_OPTIONAL_LOCKS: '0' },
        timeout: GIT_TIMEOUT_MS,
        maxBuffer: maxBytes,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        if (err && (err as { code?: unknown }).code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
          return resolve({ code: 0, stdout: '', overflow: true });
        }
        const code = err
          ? typeof (err as { code?: unknown }).code === 'number'
            ? (err as { code: number }).code
            : -1
          : 0;
        if (code === -1) return reject(new Error(`git ${args[0]} failed: ${err?.message ?? ''} ${stderr}`));
        resolve({ code, stdout, overflow: false });
      },
    );
  });
}

async function gitOk(cwd: string, args: string[]): Promise<string> {
  const res = await runGit(cwd, args);
  if (res.code !== 0) throw new Error(`git ${args.slice(0, 2).join(' ')} exited ${res.code}`);
  return res.stdout;
}

/** Same rule as `assertInside` in activities/git.ts: strictly inside the root, after resolving. */
function inside(root: string, target: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(target));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

interface Where {
  workspaceId: string;
  /** Where git runs: the worktree, or the repository once the worktree is gone. */
  cwd: string;
  worktree: boolean;
  /** `HEAD` in the worktree, else the branch ref in the repository. */
  head: string;
  baseRef: string;
}

async function locate(db: Db, workspaceId: string): Promise<Where> {
  const id = workspaceIdSchema.parse(workspaceId);
  const ws = getWorkspaceById({ db, id });
  if (!ws) throw new DomainError('WorkspaceNotFound', `No workspace with id ${id}.`);
  const project = getProject({ db, id: ws.projectId });
  if (!project) throw new DomainError('ProjectNotFound', `No project ${ws.projectId}.`);
  const branch = branchNameSchema.safeParse(ws.branch);
  const base = branchNameSchema.safeParse(ws.baseBranch);
  if (!branch.success || !base.success)
    throw new DomainError('NotApplicable', 'The workspace has an unusable branch name.');
  const root = project.worktreeDir ?? path.join(getConfig().worktreesDir, project.id);
  // The worktree directory can be edited (new workspaces only): an older workspace's worktree
  // lives in a directory Ratchet created and marked, or in the default one.
  const earlierRoot =
    inside(path.join(getConfig().worktreesDir, project.id), ws.worktreePath) ||
    fs.existsSync(path.join(path.dirname(ws.worktreePath), WORKTREE_DIR_MARKER));
  if (!inside(root, ws.worktreePath) && !earlierRoot) {
    throw new DomainError(
      'NotApplicable',
      `The worktree ${ws.worktreePath} is not inside ${root}; refusing to read it.`,
    );
  }
  const worktree = fs.existsSync(path.join(ws.worktreePath, '.git'));
  const cwd = worktree ? ws.worktreePath : project.repoPath;
  const head = worktree ? 'HEAD' : `refs/heads/${branch.data}`;
  // The worktree started from the remote's base when there was one; compare against that, else the local branch.
  const remote = `refs/remotes/origin/${base.data}`;
  const hasRemote =
    (await runGit(cwd, ['rev-parse', '--verify', '--quiet', `${remote}^{commit}`])).code === 0;
  return { workspaceId: id, cwd, worktree, head, baseRef: hasRemote ? remote : `refs/heads/${base.data}` };
}

async function mergeBase(w: Where): Promise<string> {
  const res = await runGit(w.cwd, ['merge-base', w.baseRef, w.head]);
  if (res.code !== 0)
    throw new DomainError('NotApplicable', `The branch has no common history with ${w.baseRef}.`);
  return res.stdout.trim();
}

async function branchCommits(w: Where, base: string): Promise<DiffCommit[]> {
  const out = await gitOk(w.cwd, [
    'log',
    `--max-count=${MAX_COMMITS}`,
    '--format=%H%x1f%ct%x1f%s%x1f%(trailers:key=Ratchet-Turn,valueonly)%x1e',
    `${base}..${w.head}`,
    '--',
  ]);
  return parseCommitLog(out);
}

/** The two revisions of a committed scope, after checking a commit belongs to the branch. */
function revisions(
  scope: DiffScope,
  base: string,
  head: string,
  commits: DiffCommit[],
): [string, string] | null {
  if (scope.kind === 'worktree') return null;
  if (scope.kind === 'branch') return [base, head];
  const commit = commits.find((c) => c.sha.startsWith(scope.sha));
  if (!commit)
    throw new DomainError('BadRequest', `sha: ${scope.sha} is not a commit of this workspace's branch.`);
  return [`${commit.sha}^`, commit.sha];
}

async function untracked(w: Where): Promise<string[]> {
  const out = await gitOk(w.cwd, ['ls-files', '--others', '--exclude-standard', '-z', '--']);
  return out.split('\0').filter(Boolean).slice(0, MAX_FILES);
}

async function listFiles(w: Where, revs: [string, string] | null): Promise<DiffFileEntry[]> {
  const range = revs ?? ['HEAD'];
  const [ns, num] = await Promise.all([
    gitOk(w.cwd, ['diff', ...DIFF_FLAGS, '--name-status', '-z', ...range, '--']),
    gitOk(w.cwd, ['diff', ...DIFF_FLAGS, '--numstat', '-z', ...range, '--']),
  ]);
  const files = parseDiffEntries(ns, num);
  if (revs) return files;
  for (const file of await untracked(w)) {
    const res = await runGit(w.cwd, [
      'diff',
      ...DIFF_FLAGS,
      '--no-index',
      '--numstat',
      '-z',
      '--',
      '/dev/null',
      file,
    ]);
    files.push(parseUntrackedNumstat(file, res.stdout));
  }
  return files;
}

async function resolveScope(db: Db, workspaceId: string, scope: DiffScope) {
  const w = await locate(db, workspaceId);
  if (scope.kind === 'worktree' && !w.worktree) {
    throw new DomainError(
      'NotApplicable',
      'The worktree was removed (the workspace is archived); only committed changes can be shown.',
    );
  }
  const base = await mergeBase(w);
  const head = (await gitOk(w.cwd, ['rev-parse', '--verify', `${w.head}^{commit}`])).trim();
  const commits = await branchCommits(w, base);
  return { w, base, head, commits, revs: revisions(scope, base, head, commits) };
}

/**
 * The file list of one scope. A workspace whose diff cannot be read (worktree outside its root,
 * no common history, worktree removed) is an answer, not an error: the panel shows the reason.
 */
export async function getDiffSummary({
  db,
  workspaceId,
  scope,
}: {
  db: Db;
  workspaceId: string;
  scope: DiffScope;
}): Promise<DiffSummary> {
  let resolved: Awaited<ReturnType<typeof resolveScope>>;
  try {
    resolved = await resolveScope(db, workspaceId, scope);
  } catch (err) {
    if (!(err instanceof DomainError) || err.type !== 'NotApplicable') throw err;
    return {
      workspaceId,
      scope,
      base: null,
      head: null,
      files: [],
      totals: { files: 0, additions: 0, deletions: 0 },
      truncated: false,
      commits: [],
      worktree: false,
      unavailable: err.message,
    };
  }
  const { w, base, head, commits, revs } = resolved;
  const all = await listFiles(w, revs);
  const files = all.slice(0, MAX_FILES);
  return {
    workspaceId: w.workspaceId,
    scope,
    base: { ref: w.baseRef, sha: base },
    head,
    files,
    totals: {
      files: all.length,
      additions: files.reduce((n, f) => n + (f.additions ?? 0), 0),
      deletions: files.reduce((n, f) => n + (f.deletions ?? 0), 0),
    },
    truncated: all.length > MAX_FILES,
    commits,
    worktree: w.worktree,
    unavailable: null,
  };
}

export async function getFileDiff({
  db,
  workspaceId,
  scope,
  file: wanted,
}: {
  db: Db;
  workspaceId: string;
  scope: DiffScope;
  file: string;
}): Promise<FileDiff> {
  const { w, revs } = await resolveScope(db, workspaceId, scope);
  // Only a path the diff itself lists: the query cannot name any other file of the machine.
  const file = (await listFiles(w, revs)).find((f) => f.path === wanted);
  if (!file) throw new DomainError('BadRequest', `path: ${wanted} is not a changed file of this diff.`);
  const language = languageOf(file.path);
  if (file.binary) return { file, language, patch: null, tooLarge: false };
  const paths = file.oldPath ? [file.oldPath, file.path] : [file.path];
  const untrackedFile = !revs && file.status === 'added' && (await untracked(w)).includes(file.path);
  const args = untrackedFile
    ? ['diff', ...DIFF_FLAGS, '--no-index', '--', '/dev/null', file.path]
    : ['diff', ...DIFF_FLAGS, ...(revs ?? ['HEAD']), '--', ...paths];
  const res = await runGit(w.cwd, args, MAX_PATCH_BYTES);
  if (res.overflow) return { file, language, patch: null, tooLarge: true };
  const patch = untrackedFile ? normalizeUntrackedPatch(file.path, res.stdout) : res.stdout;
  return { file, language, patch, tooLarge: false };
}
