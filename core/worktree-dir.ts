/**
 * Where a project's worktrees may live (`worktreeDir` of POST /api/projects). Ratchet creates,
 * fills and deletes directories there, so the directory must be one nobody else owns: absolute,
 * created by Ratchet or empty, not inside a registered repository, not the data directory (or a
 * directory holding it), not a system directory. Pure: the caller resolves symlinks (realpath of
 * the path, or of its nearest existing ancestor) and looks at the directory; this decides.
 */

/** The file Ratchet writes into a worktree directory it created or adopted (empty). */
export const WORKTREE_DIR_MARKER = '.ratchet-worktrees';

/** Directories a worktree directory may never be (but may be inside: `/tmp/x`, `/home/me/wt`). */
const SYSTEM_ROOTS = [
  '/',
  '/home',
  '/Users',
  '/tmp',
  '/var',
  '/private',
  '/private/var',
  '/private/tmp',
  '/opt',
  '/mnt',
  '/media',
  '/srv',
  '/root',
  '/run',
  '/snap',
  '/Volumes',
];
/** Directories a worktree directory may be neither nor inside of. */
const SYSTEM_TREES = [
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/lib',
  '/lib32',
  '/lib64',
  '/libx32',
  '/proc',
  '/sbin',
  '/sys',
  '/usr',
  '/System',
  '/Library',
  '/Applications',
  '/private/etc',
  '/cores',
];

/** What the caller found at the resolved path. */
export type WorktreeDirState = 'missing' | 'empty' | 'created_by_ratchet' | 'not_empty' | 'not_a_directory';

export interface WorktreeDirFacts {
  /** The path as given (before resolving), to judge "absolute". */
  given: string;
  /** The realpath (symlinks resolved, `..` gone); for a missing path, its nearest existing ancestor's realpath plus the rest. */
  resolved: string;
  state: WorktreeDirState;
  /** The data directory (`RATCHET_HOME`), realpath'd. */
  dataDir: string;
  /** The user's home directory, realpath'd (never a worktree directory itself). */
  homeDir: string;
  /** The repositories whose insides are off limits (every registered one and the one being registered), realpath'd. */
  repoPaths: readonly string[];
}

/** `child` is `parent` or inside it (POSIX paths, already normalized). */
export function isSameOrInside(parent: string, child: string): boolean {
  if (parent === child) return true;
  const p = parent.endsWith('/') ? parent : `${parent}/`;
  return child.startsWith(p);
}

/**
 * Why `worktreeDir` is refused, or null when Ratchet may use it. Rules, first match wins; each
 * message completes "worktreeDir …".
 */
export function worktreeDirRefusal(f: WorktreeDirFacts): string | null {
  // Relative paths depend on the server's working directory: never what the person meant.
  if (!f.given.startsWith('/')) return 'must be an absolute path';
  const r = f.resolved;
  // System directories: Ratchet would create and delete directories among the OS's own.
  if (SYSTEM_ROOTS.includes(r) || SYSTEM_TREES.some((t) => isSameOrInside(t, r)))
    return `resolves to ${r}, a system directory; choose a directory of your own`;
  if (r === f.homeDir) return `resolves to ${r}, your home directory; choose a directory inside it`;
  // The data directory holds the database and the auth token; its root is not a place for branches.
  if (isSameOrInside(r, f.dataDir))
    return `resolves to ${r}, which is (or holds) the data directory ${f.dataDir}`;
  // Inside a repository, worktrees would show up as untracked files, and archive would delete in it.
  const repo = f.repoPaths.find((p) => isSameOrInside(p, r));
  if (repo) return `resolves to ${r}, inside the repository ${repo}; choose a directory outside it`;
  if (f.state === 'not_a_directory') return `resolves to ${r}, which is not a directory`;
  // Someone else's files: archive removes worktrees there, so only an empty or Ratchet-made one.
  if (f.state === 'not_empty')
    return `resolves to ${r}, which is not empty and was not created by Ratchet; choose a new or empty directory`;
  return null;
}
