import { describe, expect, it } from 'vitest';
import {
  diffCommentSchema,
  diffPathSchema,
  diffQuerySchema,
  excerptOf,
  formatDiffComment,
  languageOf,
  normalizeUntrackedPatch,
  parseCommitLog,
  parseDiffEntries,
  parseUntrackedNumstat,
  patchLines,
} from './diff.js';

describe('parseDiffEntries', () => {
  it('joins name-status and numstat (-z): modified, added, deleted, renamed with two paths, binary without counts', () => {
    const ns = [
      'M',
      'src/app.ts',
      'A',
      'src/new.ts',
      'D',
      'old.txt',
      'R087',
      'docs/a.md',
      'docs/b.md',
      'A',
      'logo.png',
      '',
    ].join('\0');
    const num = [
      '4\t2\tsrc/app.ts',
      '1\t0\tsrc/new.ts',
      '0\t1\told.txt',
      '1\t1\t',
      'docs/a.md',
      'docs/b.md',
      '-\t-\tlogo.png',
      '',
    ].join('\0');
    expect(parseDiffEntries(ns, num)).toEqual([
      { path: 'src/app.ts', oldPath: null, status: 'modified', additions: 4, deletions: 2, binary: false },
      { path: 'src/new.ts', oldPath: null, status: 'added', additions: 1, deletions: 0, binary: false },
      { path: 'old.txt', oldPath: null, status: 'deleted', additions: 0, deletions: 1, binary: false },
      {
        path: 'docs/b.md',
        oldPath: 'docs/a.md',
        status: 'renamed',
        additions: 1,
        deletions: 1,
        binary: false,
      },
      { path: 'logo.png', oldPath: null, status: 'added', additions: null, deletions: null, binary: true },
    ]);
  });
  it('keeps tabs and newlines inside a path (the -z form does not quote them)', () => {
    expect(parseDiffEntries(['M', 'a\tb\nc', ''].join('\0'), ['1\t0\ta\tb\nc', ''].join('\0'))).toEqual([
      { path: 'a\tb\nc', oldPath: null, status: 'modified', additions: 1, deletions: 0, binary: false },
    ]);
  });
  it('an empty diff is no entries', () => {
    expect(parseDiffEntries('', '')).toEqual([]);
  });
});

describe('untracked files', () => {
  it('parseUntrackedNumstat counts a text file and marks a binary one', () => {
    expect(parseUntrackedNumstat('n.md', '3\t0\t/dev/null => n.md\0')).toMatchObject({
      status: 'added',
      additions: 3,
      deletions: 0,
      binary: false,
    });
    expect(parseUntrackedNumstat('b.bin', '-\t-\t\0')).toMatchObject({ binary: true, additions: null });
  });
  it('normalizeUntrackedPatch names both sides by the file, like a patch of an added file', () => {
    const raw =
      'diff --git a/dev/null b/n.md\nnew file mode 100644\n--- /dev/null\n+++ b/n.md\n@@ -0,0 +1 @@\n+x\n';
    expect(normalizeUntrackedPatch('n.md', raw)).toBe(
      'diff --git a/n.md b/n.md\nnew file mode 100644\n--- /dev/null\n+++ b/n.md\n@@ -0,0 +1 @@\n+x\n',
    );
  });
});

describe('diffPathSchema', () => {
  it.each([
    ['src/app.ts', true],
    ['a b/c.md', true],
    ['../etc/passwd', false],
    ['src/../../x', false],
    ['/etc/passwd', false],
    ['.git/config', false],
    ['src/.git/hooks/x', false],
    ['a//b', false],
    ['./a', false],
    ['a\\b', false],
    ['a\u0000b', false],
    ['', false],
  ])('%j → %s', (p, ok) => {
    expect(diffPathSchema.safeParse(p).success).toBe(ok);
  });
});

describe('diffQuerySchema', () => {
  it('defaults to the branch and names the bad field', () => {
    expect(diffQuerySchema.parse({})).toEqual({ scope: 'branch' });
    const paths = (q: unknown) => diffQuerySchema.safeParse(q).error?.issues.map((i) => i.path.join('.'));
    expect(paths({ scope: 'commit' })).toEqual(['sha']);
    expect(paths({ scope: 'worktree', sha: 'abcdef1' })).toEqual(['sha']);
    expect(paths({ scope: 'commit', sha: 'HEAD~1' })).toEqual(['sha']);
    expect(paths({ scope: 'all' })).toEqual(['scope']);
    expect(paths({ path: '../x' })).toEqual(['path']);
    expect(paths({ extra: '1' })).toEqual(['']);
  });
});

describe('parseCommitLog', () => {
  it('reads sha, time, subject and the Ratchet-Turn trailer (null for other commits)', () => {
    const out = `abc\x1f1700000000\x1fAdd x\x1fws_1#2\n\x1e\ndef\x1f1700000100\x1fFix CI\x1f\x1e\n`;
    expect(parseCommitLog(out)).toEqual([
      { sha: 'abc', subject: 'Add x', turn: 2, at: 1_700_000_000_000 },
      { sha: 'def', subject: 'Fix CI', turn: null, at: 1_700_000_100_000 },
    ]);
  });
});

describe('patchLines and excerptOf', () => {
  const patch = [
    'diff --git a/f b/f',
    '--- a/f',
    '+++ b/f',
    '@@ -1,3 +1,4 @@',
    ' one',
    '-two',
    '+TWO',
    '+two and a half',
    ' three',
    '',
  ].join('\n');
  it('numbers each side as the hunk header says', () => {
    const { old, new: neu } = patchLines(patch);
    expect([...old.entries()]).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ]);
    expect([...neu.entries()]).toEqual([
      [1, 'one'],
      [2, 'TWO'],
      [3, 'two and a half'],
      [4, 'three'],
    ]);
    expect(excerptOf(neu, 2, 3)).toBe('TWO\ntwo and a half');
    expect(excerptOf(neu, 9, 12)).toBe('');
  });
});

describe('formatDiffComment', () => {
  const base = {
    path: 'src/app.ts',
    side: 'new',
    startLine: 3,
    endLine: 5,
    comment: '  Keep it configurable. ',
    scope: 'branch',
  } as const;
  it('names file, lines and diff, quotes the excerpt, then the comment', () => {
    expect(formatDiffComment({ ...base, excerpt: 'a\nb\n' })).toBe(
      'Review comment on src/app.ts, lines 3-5 (from the diff of the branch against its base):\n\n> a\n> b\n\nKeep it configurable.',
    );
  });
  it('one line of the old side of a commit, without an excerpt', () => {
    expect(
      formatDiffComment({ ...base, side: 'old', endLine: 3, scope: 'commit', sha: '0123456789abcdef' }),
    ).toBe(
      'Review comment on src/app.ts, line 3 of the old version (before the change) (from the diff of commit 0123456789ab):\n\nKeep it configurable.',
    );
  });
  it('the schema refuses an end before the start and an empty comment, naming each', () => {
    const r = diffCommentSchema.safeParse({ ...base, endLine: 2, comment: ' ' });
    expect(r.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['comment', 'endLine']);
  });
});

describe('languageOf', () => {
  it.each([
    ['src/app.ts', 'typescript'],
    ['web/page.tsx', 'tsx'],
    ['Dockerfile', 'dockerfile'],
    ['README.md', 'markdown'],
    ['LICENSE', null],
  ])('%s → %s', (f, lang) => {
    expect(languageOf(f)).toBe(lang);
  });
});
