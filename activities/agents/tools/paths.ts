/**
 * Path confinement for the agent's file tools. A model-supplied path is resolved against the
 * worktree's realpath, every symlink on the way is followed with realpath, and the result must stay
 * inside the worktree and outside any `.git` directory. The check is repeated on the opened file
 * descriptor (`openInside`), so swapping a directory for a symlink between check and use cannot
 * redirect a read or write: the path the kernel actually opened is what gets verified.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

export type PathRefusal = 'invalid' | 'outside' | 'git_dir' | 'symlink_escape' | 'hard_link';

export type ResolveResult =
  | {
      ok: true;
      /** Real absolute path (symlinks resolved). */ path: string;
      /** Relative to the worktree, `/`-separated; `.` for the root. */ relative: string;
      exists: boolean;
    }
  | { ok: false; type: PathRefusal; message: string };

export interface ResolveOptions {
  /** Writes also refuse a final symlink (the write would land wherever it points). @default false */
  forWrite?: boolean;
  /**
   * `worktree` is already its own realpath (the toolbox resolves it once per session), so it is
   * not resolved again on every call. Safe even if the directory is later swapped for a symlink:
   * every target's realpath is still checked against this root. @default false
   */
  rootIsReal?: boolean;
}

const MAX_LINK_HOPS = 40;

/** True when absolute `child` is `parent` itself or below it (`..foo` names are fine, `..` is not). */
export function isWithin(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return !path.isAbsolute(rel) && !isDotDotSegment(rel);
}

function isDotDotSegment(rel: string): boolean {
  return rel === '..' || rel.startsWith(`..${path.sep}`);
}

function hasGitSegment(rel: string): boolean {
  return rel.split(/[\\/]/).some((seg) => seg.toLowerCase() === '.git');
}

function refuse(type: PathRefusal, p: string, why: string): ResolveResult {
  return { ok: false, type, message: `path ${JSON.stringify(p)} ${why}` };
}

/** Realpath of the worktree root itself (it must exist). */
async function realRoot(worktree: string, rootIsReal = false): Promise<string> {
  return rootIsReal ? worktree : fsp.realpath(path.resolve(worktree));
}

/**
 * Realpath of a path that may not exist yet: follow dangling symlinks and resolve the nearest
 * existing ancestor, then append the missing tail (which, not existing, holds no symlinks).
 */
async function realpathLoose(abs: string, hops = 0): Promise<{ real: string; exists: boolean }> {
  if (hops > MAX_LINK_HOPS) throw Object.assign(new Error('too many symlinks'), { code: 'ELOOP' });
  try {
    return { real: await fsp.realpath(abs), exists: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const tail: string[] = [];
  let cur = abs;
  for (;;) {
    const st = await fsp.lstat(cur).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return null;
      throw e;
    });
    if (st?.isSymbolicLink()) {
      // A dangling link (its realpath failed above): continue from where it points.
      const target = path.resolve(path.dirname(cur), await fsp.readlink(cur));
      const resolved = await realpathLoose(path.join(target, ...tail), hops + 1);
      return { real: resolved.real, exists: false };
    }
    if (st) return { real: path.join(await fsp.realpath(cur), ...tail), exists: false };
    const parent = path.dirname(cur);
    if (parent === cur) return { real: abs, exists: false };
    tail.unshift(path.basename(cur));
    cur = parent;
  }
}

/**
 * Resolve a model-supplied path inside the worktree, or say why not. Refuses: absolute paths
 * outside the worktree, `..` escapes, symlinks (files, directories or ancestors) whose target is
 * outside, anything inside a `.git` directory, and (for writes) a final path component that is
 * a symlink pointing outside.
 */
export async function resolveInside(
  worktree: string,
  p: string,
  opts: ResolveOptions = {},
): Promise<ResolveResult> {
  if (typeof p !== 'string' || p.length === 0) return refuse('invalid', String(p), 'is empty');
  if (p.includes('\0')) return refuse('invalid', p, 'contains a NUL byte');
  const root = await realRoot(worktree, opts.rootIsReal);
  const literalRoot = path.resolve(worktree);
  let rel: string;
  if (path.isAbsolute(p)) {
    const norm = path.normalize(p);
    if (isWithin(root, norm)) rel = path.relative(root, norm);
    else if (isWithin(literalRoot, norm)) rel = path.relative(literalRoot, norm);
    else return refuse('outside', p, 'is outside the worktree');
  } else {
    rel = path.normalize(p);
    if (isDotDotSegment(rel) || path.isAbsolute(rel)) return refuse('outside', p, 'is outside the worktree');
  }
  if (rel === '.') rel = '';
  if (hasGitSegment(rel)) return refuse('git_dir', p, 'is inside .git, which the tools may not touch');
  const abs = path.join(root, rel);
  let resolved: { real: string; exists: boolean };
  try {
    resolved = await realpathLoose(abs);
  } catch (err) {
    return refuse('invalid', p, `cannot be resolved (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (!isWithin(root, resolved.real))
    return refuse('symlink_escape', p, 'resolves through a symlink to outside the worktree');
  const realRel = path.relative(root, resolved.real);
  if (hasGitSegment(realRel))
    return refuse('git_dir', p, 'resolves into .git, which the tools may not touch');
  if (opts.forWrite && realRel === '') return refuse('invalid', p, 'is the worktree root, not a file');
  return {
    ok: true,
    path: resolved.real,
    relative: realRel === '' ? '.' : realRel.split(path.sep).join('/'),
    exists: resolved.exists,
  };
}

export type OpenResult =
  | {
      ok: true;
      handle: fsp.FileHandle;
      path: string;
      relative: string;
      created: boolean;
      /** Bytes, from the descriptor's stat. */ size: number;
    }
  | { ok: false; type: PathRefusal | 'not_found' | 'is_directory' | 'io'; message: string };

/** The path the kernel has open for `fd`, where the platform can tell us (Linux `/proc`). */
async function fdPath(fd: number): Promise<string | null> {
  try {
    return await fsp.readlink(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  }
}

/**
 * Open a file inside the worktree and verify the opened descriptor, not just the path string.
 * `O_NOFOLLOW` refuses a final symlink swapped in after the check; the descriptor's real path
 * (Linux) or its inode against a fresh realpath (elsewhere) must still be inside the worktree.
 */
export async function openInside(
  worktree: string,
  p: string,
  mode: 'read' | 'write' | 'readwrite',
  opts: { rootIsReal?: boolean } = {},
): Promise<OpenResult> {
  const forWrite = mode !== 'read';
  const root = await realRoot(worktree, opts.rootIsReal);
  const res = await resolveInside(root, p, { forWrite, rootIsReal: true });
  if (!res.ok) return res;
  if (!res.exists && mode !== 'write')
    return { ok: false, type: 'not_found', message: `path ${JSON.stringify(p)} does not exist` };
  const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
  let handle: fsp.FileHandle;
  let created = false;
  try {
    if (mode === 'write') {
      await fsp.mkdir(path.dirname(res.path), { recursive: true });
      try {
        handle = await fsp.open(res.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644);
        created = true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        handle = await fsp.open(res.path, O_WRONLY | O_NOFOLLOW);
      }
    } else {
      handle = await fsp.open(res.path, (mode === 'read' ? O_RDONLY : O_RDWR) | O_NOFOLLOW);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP')
      return refuse('symlink_escape', p, 'changed into a symlink while being opened') as OpenResult;
    if (code === 'EISDIR')
      return { ok: false, type: 'is_directory', message: `path ${JSON.stringify(p)} is a directory` };
    if (code === 'ENOENT')
      return { ok: false, type: 'not_found', message: `path ${JSON.stringify(p)} does not exist` };
    return { ok: false, type: 'io', message: `cannot open ${JSON.stringify(p)}: ${code ?? String(err)}` };
  }
  const fail = async (type: PathRefusal, why: string, actual: string | null): Promise<OpenResult> => {
    await handle.close();
    if (created && actual) await fsp.unlink(actual).catch(() => undefined);
    return refuse(type, p, why) as OpenResult;
  };
  const st = await handle.stat();
  if (st.isDirectory()) {
    await handle.close();
    return { ok: false, type: 'is_directory', message: `path ${JSON.stringify(p)} is a directory` };
  }
  const actual = await fdPath(handle.fd);
  if (actual !== null) {
    if (!isWithin(root, actual)) return fail('symlink_escape', 'was redirected outside the worktree', actual);
    if (hasGitSegment(path.relative(root, actual)))
      return fail('git_dir', 'was redirected into .git', actual);
  } else {
    const again = await resolveInside(root, p, { forWrite, rootIsReal: true });
    const st2 = again.ok ? await fsp.stat(again.path).catch(() => null) : null;
    if (!again.ok || !st2 || st2.ino !== st.ino || st2.dev !== st.dev)
      return fail('symlink_escape', 'changed while being opened', null);
  }
  if (forWrite && st.nlink > 1)
    return fail('hard_link', 'is a hard link; writing it could change a file outside the worktree', null);
  return { ok: true, handle, path: res.path, relative: res.relative, created, size: st.size };
}
