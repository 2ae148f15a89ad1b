/**
 * The workspace diff, as pure data: which diff (scope), which file (path), git's `-z` outputs
 * parsed into file entries, and a comment on some lines turned into the follow-up text the agent
 * reads. No I/O: the console's server route runs git and hands the bytes here.
 */
import { z } from 'zod';

/** What a diff compares. `branch`: merge-base with the base branch → HEAD; `commit`: one turn's commit against its parent; `worktree`: HEAD → the files on disk, untracked ones included. */
export const DIFF_SCOPES = ['branch', 'commit', 'worktree'] as const;
export type DiffScopeKind = (typeof DIFF_SCOPES)[number];

export const commitShaSchema = z
  .string()
  .regex(/^[0-9a-f]{7,40}$/, 'must be a commit SHA (7 to 40 lowercase hex digits)');

/**
 * A repository-relative path as git prints it: no absolute path, no `..` or `.git` segment, no
 * control character, no backslash. The route also checks it is one of the diff's own files.
 */
export const diffPathSchema = z
  .string()
  .min(1, 'is required')
  .max(4096)
  .refine(
    (p) => ![...p].some((ch) => ch.charCodeAt(0) < 0x20 || ch === '\u007f' || ch === '\\'),
    'must not contain control characters or backslashes',
  )
  .refine((p) => !p.startsWith('/'), 'must be relative to the worktree')
  .refine(
    (p) => p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..' && seg !== '.git'),
    'must not contain empty, ".", ".." or ".git" segments',
  );

export type DiffScope = { kind: 'branch' } | { kind: 'commit'; sha: string } | { kind: 'worktree' };

/** Query parameters of `GET /api/workspaces/:id/diff` (`scope`, `sha` for a commit, `path` for one file). */
export const diffQuerySchema = z
  .object({
    scope: z.enum(DIFF_SCOPES).default('branch'),
    sha: commitShaSchema.optional(),
    path: diffPathSchema.optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.scope === 'commit' && !q.sha)
      ctx.addIssue({ code: 'custom', path: ['sha'], message: 'is required when scope is commit' });
    if (q.scope !== 'commit' && q.sha)
      ctx.addIssue({ code: 'custom', path: ['sha'], message: 'is only allowed when scope is commit' });
  });
export type DiffQuery = z.infer<typeof diffQuerySchema>;

export function scopeOf(q: Pick<DiffQuery, 'scope' | 'sha'>): DiffScope {
  return q.scope === 'commit' ? { kind: 'commit', sha: q.sha! } : { kind: q.scope };
}

export const FILE_STATUSES = ['modified', 'added', 'deleted', 'renamed', 'copied', 'type_changed'] as const;
export type FileStatus = (typeof FILE_STATUSES)[number];

export interface DiffFileEntry {
  path: string;
  /** The path before a rename or copy; null otherwise. */
  oldPath: string | null;
  status: FileStatus;
  /** Null for binary files (git counts no lines). */
  additions: number | null;
  deletions: number | null;
  binary: boolean;
}

const STATUS_LETTERS: Record<string, FileStatus> = {
  M: 'modified',
  A: 'added',
  D: 'deleted',
  R: 'renamed',
  C: 'copied',
  T: 'type_changed',
};

/**
 * Joins `git diff --name-status -z -M` and `git diff --numstat -z -M` (same revisions) into one
 * entry per file, in git's order. Renames and copies carry two paths in both outputs.
 */
export function parseDiffEntries(nameStatus: string, numstat: string): DiffFileEntry[] {
  const counts = new Map<string, { additions: number | null; deletions: number | null; binary: boolean }>();
  const num = numstat.split('\0');
  for (let i = 0; i < num.length; i++) {
    const head = num[i];
    if (!head) continue;
    const m = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(head);
    if (!m) continue;
    let file = m[3]!;
    // Renames: `add\tdel\t` followed by the old and new path as their own fields.
    if (file === '') {
      i += 2;
      file = num[i] ?? '';
    }
    const binary = m[1] === '-' && m[2] === '-';
    counts.set(file, {
      additions: binary ? null : Number(m[1]),
      deletions: binary ? null : Number(m[2]),
      binary,
    });
  }
  const out: DiffFileEntry[] = [];
  const ns = nameStatus.split('\0');
  for (let i = 0; i < ns.length; i++) {
    const code = ns[i];
    if (!code) continue;
    const status = STATUS_LETTERS[code[0]!];
    if (!status) continue;
    let oldPath: string | null = null;
    let file: string;
    if (status === 'renamed' || status === 'copied') {
      oldPath = ns[++i] ?? '';
      file = ns[++i] ?? '';
    } else {
      file = ns[++i] ?? '';
    }
    if (!file) continue;
    const c = counts.get(file) ?? { additions: 0, deletions: 0, binary: false };
    out.push({ path: file, oldPath, status, ...c });
  }
  return out;
}

/** Parses `git diff --no-index --numstat -z -- /dev/null <file>` for an untracked file. */
export function parseUntrackedNumstat(file: string, numstat: string): DiffFileEntry {
  const m = /^(-|\d+)\t(-|\d+)\t/.exec(numstat);
  const binary = !m || (m[1] === '-' && m[2] === '-');
  return {
    path: file,
    oldPath: null,
    status: 'added',
    additions: binary ? null : Number(m![1]),
    deletions: binary ? null : Number(m![2]),
    binary,
  };
}

/**
 * `git diff --no-index` names the two sides by their arguments (`a/dev/null`, `b/<file>`); the
 * patch of an untracked file is rewritten to read like git's own patch of an added file.
 */
export function normalizeUntrackedPatch(file: string, patch: string): string {
  return patch
    .replace(/^diff --git a\/dev\/null b\/(.*)$/m, `diff --git a/${file} b/${file}`)
    .replace(/^\+\+\+ b\/.*$/m, `+++ b/${file}`);
}

/** A commit of the branch, newest first; `turn` comes from the `Ratchet-Turn:` trailer (null for a fixer's or a person's commit). */
export interface DiffCommit {
  sha: string;
  subject: string;
  turn: number | null;
  at: number;
}

/** Parses `git log --format=%H%x1f%ct%x1f%s%x1f%(trailers:key=Ratchet-Turn,valueonly)%x1e`. */
export function parseCommitLog(out: string): DiffCommit[] {
  return out
    .split('\x1e')
    .map((r) => r.replace(/^\n+/, ''))
    .filter((r) => r.trim() !== '')
    .map((r) => {
      const [sha = '', ct = '0', subject = '', trailer = ''] = r.split('\x1f');
      const turn = /#(\d+)$/.exec(trailer.trim().split('\n')[0] ?? '');
      return { sha, subject, turn: turn ? Number(turn[1]) : null, at: Number(ct) * 1000 };
    });
}

/** A language name for the diff highlighter, from the file name; null lets it guess plain text. */
export function languageOf(file: string): string | null {
  const base = file.split('/').pop() ?? file;
  if (base === 'Dockerfile') return 'dockerfile';
  if (base === 'Makefile') return 'makefile';
  const ext = base.includes('.') ? base.split('.').pop()!.toLowerCase() : '';
  const table: Record<string, string> = {
    ts: 'typescript',
    tsx: 'tsx',
    mts: 'typescript',
    cts: 'typescript',
    js: 'javascript',
    mjs: 'javascript',
    cjs: 'javascript',
    jsx: 'jsx',
    json: 'json',
    md: 'markdown',
    css: 'css',
    scss: 'scss',
    html: 'xml',
    xml: 'xml',
    svg: 'xml',
    yml: 'yaml',
    yaml: 'yaml',
    py: 'python',
    rs: 'rust',
    go: 'go',
    java: 'java',
    kt: 'kotlin',
    c: 'c',
    h: 'c',
    cc: 'cpp',
    cpp: 'cpp',
    hpp: 'cpp',
    sh: 'bash',
    bash: 'bash',
    sql: 'sql',
    rb: 'ruby',
    php: 'php',
    toml: 'ini',
    ini: 'ini',
    txt: 'plaintext',
  };
  return table[ext] ?? null;
}

/** A comment on lines of the diff, as the console sends it (`POST /api/workspaces/:id/messages`). */
export const diffCommentSchema = z
  .object({
    path: diffPathSchema,
    /** `new`: line numbers of the changed file; `old`: of the file before the change. */
    side: z.enum(['old', 'new']),
    startLine: z.number().int().min(1),
    endLine: z.number().int().min(1),
    comment: z.string().trim().min(1, 'is required').max(20_000),
    /** Which diff the lines were picked from. */
    scope: z.enum(DIFF_SCOPES),
    sha: commitShaSchema.optional(),
    /** The selected lines as the diff showed them (quoted for the agent); optional. */
    excerpt: z.string().max(20_000).optional(),
  })
  .strict()
  .refine((c) => c.endLine >= c.startLine, { path: ['endLine'], message: 'must not be before startLine' });
export type DiffComment = z.infer<typeof diffCommentSchema>;

const SCOPE_WORDS: Record<DiffScopeKind, string> = {
  branch: 'the branch against its base',
  commit: 'commit',
  worktree: 'the uncommitted changes in the worktree',
};

/**
 * The follow-up text for a diff comment: the file, the lines (and which side), the quoted lines,
 * then the person's words. The agent gets it like any follow-up message.
 */
export function formatDiffComment(c: DiffComment): string {
  const lines = c.startLine === c.endLine ? `line ${c.startLine}` : `lines ${c.startLine}-${c.endLine}`;
  const side = c.side === 'old' ? ' of the old version (before the change)' : '';
  const where = c.scope === 'commit' ? `commit ${c.sha?.slice(0, 12) ?? '?'}` : SCOPE_WORDS[c.scope];
  const parts = [`Review comment on ${c.path}, ${lines}${side} (from the diff of ${where}):`];
  const excerpt = c.excerpt?.replace(/\s+$/, '');
  if (excerpt)
    parts.push(
      excerpt
        .split('\n')
        .map((l) => `> ${l}`)
        .join('\n'),
    );
  parts.push(c.comment.trim());
  return parts.join('\n\n');
}

/** The text of each line a unified patch shows, by side and line number (for quoting a selection). */
export function patchLines(patch: string): { old: Map<number, string>; new: Map<number, string> } {
  const old = new Map<number, string>();
  const neu = new Map<number, string>();
  let o = 0;
  let n = 0;
  let inHunk = false;
  for (const line of patch.split('\n')) {
    const h = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
    if (h) {
      o = Number(h[1]);
      n = Number(h[2]);
      inHunk = true;
      continue;
    }
    if (!inHunk) continue;
    if (line.startsWith('diff --git ')) {
      inHunk = false;
      continue;
    }
    const text = line.slice(1);
    if (line.startsWith('+')) neu.set(n++, text);
    else if (line.startsWith('-')) old.set(o++, text);
    else if (line.startsWith(' ')) {
      old.set(o++, text);
      neu.set(n++, text);
    }
  }
  return { old, new: neu };
}

/** The selected lines of one side, in order, joined (missing lines, outside every hunk, are skipped). */
export function excerptOf(
  lines: Map<number, string>,
  startLine: number,
  endLine: number,
  maxLines = 50,
): string {
  const out: string[] = [];
  for (let i = startLine; i <= endLine && out.length < maxLines; i++) {
    const t = lines.get(i);
    if (t !== undefined) out.push(t);
  }
  return out.join('\n');
}
