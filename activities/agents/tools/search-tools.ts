/**
 * list_files and grep: a pure-JS walk that never follows symlinks, skips `.git` and
 * `node_modules`, and stops at fixed caps so a huge tree cannot stall the worker. `root` is the
 * worktree's realpath, resolved once by the toolbox.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { compileGlob } from './glob.js';
import { openInside, resolveInside } from './paths.js';
import type { grepArgs, listFilesArgs } from './schemas.js';
import type { ToolResult } from './fs-tools.js';

const SKIP_DIRS = new Set(['.git', 'node_modules']);
const MAX_LISTED = 1000;
const MAX_VISITED = 100_000;
const MAX_MATCHES = 300;
const MAX_GREP_FILE_BYTES = 2 * 1024 * 1024;
/** Lines longer than this are not searched (minified bundles; also bounds regex backtracking). */
const MAX_GREP_LINE = 4000;
const MAX_MATCH_LINE_CHARS = 300;

interface WalkEntry {
  /** Relative to the worktree, `/`-separated. */
  rel: string;
  /** Relative to the search root, for glob matching. */
  fromBase: string;
  symlink: boolean;
}

/** Files under `baseRel` in sorted order; symlinks are listed (flagged) but never descended into. */
async function walk(
  root: string,
  baseRel: string,
  signal: AbortSignal | undefined,
  deadline: number,
): Promise<{ files: WalkEntry[]; truncated: boolean }> {
  const files: WalkEntry[] = [];
  let visited = 0;
  const visit = async (dirRel: string): Promise<boolean> => {
    signal?.throwIfAborted();
    if (Date.now() > deadline) return false;
    const dirAbs = dirRel === '.' ? root : path.join(root, dirRel);
    const entries = await fsp.readdir(dirAbs, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (++visited > MAX_VISITED) return false;
      const rel = dirRel === '.' ? entry.name : `${dirRel}/${entry.name}`;
      // `.git` is a directory in a main checkout and a file in a linked worktree: skip both.
      if (SKIP_DIRS.has(entry.name)) continue;
      if (entry.isDirectory()) {
        if (!(await visit(rel))) return false;
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        files.push({
          rel,
          fromBase: baseRel === '.' ? rel : rel.slice(baseRel.length + 1),
          symlink: entry.isSymbolicLink(),
        });
      }
    }
    return true;
  };
  const complete = await visit(baseRel);
  return { files, truncated: !complete };
}

async function resolveDir(
  root: string,
  p: string | undefined,
): Promise<{ ok: true; rel: string; isDir: boolean } | { ok: false; message: string }> {
  if (p === undefined) return { ok: true, rel: '.', isDir: true };
  const res = await resolveInside(root, p, { rootIsReal: true });
  if (!res.ok) return res;
  if (!res.exists) return { ok: false, message: `path ${JSON.stringify(p)} does not exist` };
  const st = await fsp.stat(res.path);
  return { ok: true, rel: res.relative, isDir: st.isDirectory() };
}

export async function listFilesTool(
  root: string,
  args: z.infer<typeof listFilesArgs>,
  opts: { signal?: AbortSignal; deadline: number },
): Promise<ToolResult> {
  let match: (rel: string) => boolean = () => true;
  if (args.pattern) {
    try {
      match = compileGlob(args.pattern);
    } catch (err) {
      return { ok: false, output: `pattern: ${(err as Error).message}` };
    }
  }
  const dir = await resolveDir(root, args.path);
  if (!dir.ok) return { ok: false, output: dir.message };
  if (!dir.isDir)
    return { ok: false, output: `path ${JSON.stringify(args.path)} is a file, not a directory` };
  const { files, truncated } = await walk(root, dir.rel, opts.signal, opts.deadline);
  const hits = files.filter((f) => match(f.fromBase)).map((f) => f.rel);
  if (hits.length === 0)
    return {
      ok: true,
      output: truncated ? '(no files found before the walk limit was reached)' : '(no files found)',
    };
  const shown = hits.slice(0, MAX_LISTED);
  const notes: string[] = [];
  if (hits.length > MAX_LISTED)
    notes.push(`[... ${hits.length - MAX_LISTED} more; narrow the pattern or path]`);
  if (truncated) notes.push('[walk stopped early: tree too large or too slow; narrow the path]');
  return { ok: true, output: [...shown, ...notes].join('\n') };
}

export async function grepTool(
  root: string,
  args: z.infer<typeof grepArgs>,
  opts: { signal?: AbortSignal; deadline: number },
): Promise<ToolResult> {
  let re: RegExp;
  try {
    re = new RegExp(args.pattern);
  } catch (err) {
    return { ok: false, output: `pattern: invalid regular expression (${(err as Error).message})` };
  }
  let match: (rel: string) => boolean = () => true;
  if (args.glob) {
    try {
      match = compileGlob(args.glob);
    } catch (err) {
      return { ok: false, output: `glob: ${(err as Error).message}` };
    }
  }
  const dir = await resolveDir(root, args.path);
  if (!dir.ok) return { ok: false, output: dir.message };
  const targets = dir.isDir
    ? await walk(root, dir.rel, opts.signal, opts.deadline)
    : { files: [{ rel: dir.rel, fromBase: path.posix.basename(dir.rel), symlink: false }], truncated: false };
  const out: string[] = [];
  let stoppedEarly = targets.truncated;
  for (const file of targets.files) {
    if (out.length >= MAX_MATCHES) break;
    opts.signal?.throwIfAborted();
    if (Date.now() > opts.deadline) {
      stoppedEarly = true;
      break;
    }
    // Like rg, a directory search does not follow symlinked files (duplicates, or outside targets).
    if (file.symlink || !match(file.fromBase)) continue;
    const opened = await openInside(root, file.rel, 'read', { rootIsReal: true });
    if (!opened.ok) continue; // symlinks pointing outside, vanished files: not searchable
    let buf: Buffer;
    try {
      if (opened.size > MAX_GREP_FILE_BYTES) continue;
      buf = await opened.handle.readFile();
    } finally {
      await opened.handle.close();
    }
    if (buf.subarray(0, 8192).includes(0)) continue;
    const lines = buf.toString('utf8').split('\n');
    for (let i = 0; i < lines.length && out.length < MAX_MATCHES; i++) {
      const line = lines[i] ?? '';
      if (line.length > MAX_GREP_LINE || !re.test(line)) continue;
      const shown =
        line.length > MAX_MATCH_LINE_CHARS ? `${line.slice(0, MAX_MATCH_LINE_CHARS)} [...]` : line;
      out.push(`${file.rel}:${i + 1}:${shown}`);
    }
  }
  if (out.length === 0)
    return {
      ok: true,
      output: stoppedEarly ? '(no matches before the search limit was reached)' : '(no matches)',
    };
  if (out.length >= MAX_MATCHES)
    out.push(`[stopped at ${MAX_MATCHES} matches; narrow the pattern, path or glob]`);
  else if (stoppedEarly) out.push('[search stopped early: tree too large or too slow; narrow the path]');
  return { ok: true, output: out.join('\n') };
}
