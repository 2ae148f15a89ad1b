/**
 * The agent toolbox against a real git worktree on disk: edits land, every escape is refused,
 * bad calls come back as model-visible errors, and commands run without secrets, within limits.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToolbox, resolveInside, type Toolbox } from '../../activities/agents/tools/index.js';
import { git, makeRepo, type TestRepo } from '../support/git.js';

let repo: TestRepo;
let wt: string;
let outside: string;
let agent: Toolbox;

beforeAll(() => {
  repo = makeRepo({ prefix: 'ratchet-tools-' });
  wt = path.join(repo.worktrees, 'ws1');
  git(repo.repo, 'worktree', 'add', '--quiet', '-b', 'ratchet/ws1', wt, 'main');
  outside = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-outside-'));
  fs.writeFileSync(path.join(outside, 'secret.txt'), 'outside-secret\n');
  fs.mkdirSync(path.join(wt, 'src'));
  fs.writeFileSync(
    path.join(wt, 'src', 'app.ts'),
    'export const a = 1;\nexport const b = 1;\nconst c = 3;\n',
  );
  fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(wt, 'link-out.txt'));
  fs.symlinkSync(outside, path.join(wt, 'dir-out'));
  fs.symlinkSync(path.join(outside, 'not-yet.txt'), path.join(wt, 'dangling-out.txt'));
  fs.symlinkSync('src/app.ts', path.join(wt, 'link-in.ts'));
  agent = createToolbox({
    worktree: wt,
    mode: 'agent',
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
});

afterAll(() => {
  fs.rmSync(repo.root, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

describe('toolbox edits', () => {
  it('write_file creates parent directories and the file lands in the worktree', async () => {
    const r = await agent.execute('write_file', { path: 'lib/deep/new.ts', content: 'export {};\n' });
    expect(r).toEqual({ ok: true, output: 'created lib/deep/new.ts (11 bytes)' });
    expect(fs.readFileSync(path.join(wt, 'lib/deep/new.ts'), 'utf8')).toBe('export {};\n');
    expect(git(wt, 'status', '--porcelain')).toContain('lib/');
  });

  it('write_file overwrites shorter content without leftovers', async () => {
    await agent.execute('write_file', { path: 'over.txt', content: 'long long long\n' });
    const r = await agent.execute('write_file', { path: 'over.txt', content: 'x\n' });
    expect(r.output).toBe('overwrote over.txt (2 bytes)');
    expect(fs.readFileSync(path.join(wt, 'over.txt'), 'utf8')).toBe('x\n');
  });

  it('read_file numbers lines and pages with offset/limit', async () => {
    const r = await agent.execute('read_file', { path: 'src/app.ts', offset: 2, limit: 1 });
    expect(r.ok).toBe(true);
    expect(r.output).toBe('     2\texport const b = 1;\n[... 1 more lines; continue with offset=3]');
  });

  it('edit_file replaces a unique string, refuses ambiguous and missing ones, honours replace_all', async () => {
    const file = path.join(wt, 'src', 'app.ts');
    const ambiguous = await agent.execute('edit_file', {
      path: 'src/app.ts',
      old_string: ' = 1;',
      new_string: ' = 2;',
    });
    expect(ambiguous).toEqual({ ok: false, output: expect.stringContaining('occurs 2 times') });
    const missing = await agent.execute('edit_file', {
      path: 'src/app.ts',
      old_string: 'nope',
      new_string: 'x',
    });
    expect(missing).toEqual({
      ok: false,
      output: expect.stringContaining('old_string not found in src/app.ts'),
    });
    const unique = await agent.execute('edit_file', {
      path: 'src/app.ts',
      old_string: 'const c = 3;',
      new_string: 'const c = $&4;',
    });
    expect(unique.ok).toBe(true);
    const all = await agent.execute('edit_file', {
      path: 'src/app.ts',
      old_string: ' = 1;',
      new_string: ' = 2;',
      replace_all: true,
    });
    expect(all).toEqual({ ok: true, output: 'edited src/app.ts: replaced 2 occurrences' });
    expect(fs.readFileSync(file, 'utf8')).toBe('export const a = 2;\nexport const b = 2;\nconst c = $&4;\n');
  });

  it('a symlink pointing inside the worktree is followed', async () => {
    const r = await agent.execute('read_file', { path: 'link-in.ts' });
    expect(r.ok).toBe(true);
    expect(r.output).toContain('export const a');
  });

  it('list_files is sorted, skips .git and node_modules, and filters by glob', async () => {
    fs.mkdirSync(path.join(wt, 'node_modules', 'pkg'), { recursive: true });
    fs.writeFileSync(path.join(wt, 'node_modules', 'pkg', 'index.ts'), '');
    const all = await agent.execute('list_files', {});
    const lines = all.output.split('\n');
    expect(lines).toEqual([...lines].sort());
    expect(lines).toContain('README.md');
    expect(lines.some((l) => l.startsWith('.git') || l.startsWith('node_modules'))).toBe(false);
    const ts = await agent.execute('list_files', { pattern: '*.ts' });
    expect(ts.output.split('\n')).toEqual(['lib/deep/new.ts', 'link-in.ts', 'src/app.ts']);
    const under = await agent.execute('list_files', { pattern: '**/*.ts', path: 'lib' });
    expect(under.output).toBe('lib/deep/new.ts');
    const none = await agent.execute('list_files', { path: 'dir-out' });
    expect(none.ok).toBe(false);
  });

  it('grep finds matches with path:line:text and never reads through outward symlinks', async () => {
    const r = await agent.execute('grep', { pattern: 'export const \\w+ = 2' });
    expect(r.output.split('\n')).toEqual([
      'src/app.ts:1:export const a = 2;',
      'src/app.ts:2:export const b = 2;',
    ]);
    const secret = await agent.execute('grep', { pattern: 'outside-secret' });
    expect(secret).toEqual({ ok: true, output: '(no matches)' });
    const bad = await agent.execute('grep', { pattern: '(' });
    expect(bad.ok).toBe(false);
    expect(bad.output).toMatch(/^invalid arguments|^pattern: invalid regular expression/);
  });
});

describe('toolbox confinement', () => {
  const escapes: Array<[string, string, Record<string, unknown>, RegExp]> = [
    [
      'absolute path outside',
      'read_file',
      { path: '/etc/passwd' },
      /path "\/etc\/passwd" is outside the worktree/,
    ],
    ['dot-dot escape', 'read_file', { path: '../outside' }, /path "\.\.\/outside" is outside the worktree/],
    [
      'dot-dot after a segment',
      'write_file',
      { path: 'a/../../x', content: 'x' },
      /path "a\/\.\.\/\.\.\/x" is outside the worktree/,
    ],
    [
      'symlinked file pointing out (read)',
      'read_file',
      { path: 'link-out.txt' },
      /symlink to outside the worktree/,
    ],
    [
      'symlinked file pointing out (write)',
      'write_file',
      { path: 'link-out.txt', content: 'pwned' },
      /symlink to outside the worktree/,
    ],
    [
      'dangling symlink pointing out (write)',
      'write_file',
      { path: 'dangling-out.txt', content: 'pwned' },
      /symlink to outside the worktree/,
    ],
    [
      'symlinked directory (read)',
      'read_file',
      { path: 'dir-out/secret.txt' },
      /symlink to outside the worktree/,
    ],
    [
      'symlinked directory (write)',
      'write_file',
      { path: 'dir-out/new/file.txt', content: 'pwned' },
      /symlink to outside the worktree/,
    ],
    [
      'symlinked directory (edit)',
      'edit_file',
      { path: 'dir-out/secret.txt', old_string: 'outside', new_string: 'x' },
      /symlink to outside/,
    ],
    ['.git/config write', 'write_file', { path: '.git/config', content: '[core]' }, /inside \.git/],
    [
      '.git hook write',
      'write_file',
      { path: '.git/hooks/pre-commit', content: '#!/bin/sh' },
      /inside \.git/,
    ],
    ['grep outside', 'grep', { pattern: 'root', path: '/etc' }, /outside the worktree/],
  ];

  it.each(escapes)('refuses %s', async (_label, tool, args, message) => {
    const r = await agent.execute(tool, args);
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(message);
  });

  it('left everything outside untouched', () => {
    expect(fs.readFileSync(path.join(outside, 'secret.txt'), 'utf8')).toBe('outside-secret\n');
    expect(fs.readdirSync(outside)).toEqual(['secret.txt']);
    expect(fs.existsSync(path.join(path.dirname(wt), 'x'))).toBe(false);
  });

  it('refuses a symlink inside the worktree that points into .git', async () => {
    fs.symlinkSync('.git', path.join(wt, 'gitlink'));
    // In a linked worktree `.git` is a file; the refusal is by name either way.
    const r = await agent.execute('write_file', { path: 'gitlink', content: 'x' });
    expect(r).toEqual({ ok: false, output: expect.stringMatching(/\.git/) });
    fs.unlinkSync(path.join(wt, 'gitlink'));
  });

  it('accepts an absolute path inside the worktree and reports it relative', async () => {
    const r = await resolveInside(wt, path.join(wt, 'src', 'app.ts'));
    expect(r).toMatchObject({ ok: true, relative: 'src/app.ts', exists: true });
    const dots = await resolveInside(wt, '..foo/bar', { forWrite: true });
    expect(dots).toMatchObject({ ok: true, relative: '..foo/bar', exists: false });
    expect(await resolveInside(wt, '.', { forWrite: true })).toMatchObject({ ok: false, type: 'invalid' });
  });

  it('refuses writing a file that is a hard link (it may be shared with a file outside)', async () => {
    fs.writeFileSync(path.join(outside, 'hard.txt'), 'h\n');
    try {
      fs.linkSync(path.join(outside, 'hard.txt'), path.join(wt, 'hard.txt'));
    } catch {
      return; // different filesystems: nothing to prove here
    }
    const r = await agent.execute('write_file', { path: 'hard.txt', content: 'pwned' });
    expect(r).toEqual({ ok: false, output: expect.stringContaining('hard link') });
    expect(fs.readFileSync(path.join(outside, 'hard.txt'), 'utf8')).toBe('h\n');
    fs.unlinkSync(path.join(wt, 'hard.txt'));
    fs.unlinkSync(path.join(outside, 'hard.txt'));
  });
});

describe('toolbox argument handling', () => {
  it('a missing field is named', async () => {
    const r = await agent.execute('edit_file', { path: 'src/app.ts', new_string: 'x' });
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/^invalid arguments for edit_file: old_string: /);
  });

  it('a wrong type is named', async () => {
    const r = await agent.execute('read_file', { path: 'src/app.ts', offset: 'ten' });
    expect(r).toEqual({ ok: false, output: expect.stringMatching(/offset: .*expected number/) });
  });

  it('JSON-string arguments (OpenAI style) are accepted, and broken JSON is reported', async () => {
    expect((await agent.execute('read_file', '{"path":"README.md"}')).output).toBe('     1\t# fixture');
    expect(await agent.execute('read_file', '{"path":')).toEqual({
      ok: false,
      output: expect.stringContaining('not valid JSON'),
    });
  });

  it('an unknown tool is an error, not a throw', async () => {
    expect(await agent.execute('delete_everything', {})).toEqual({
      ok: false,
      output: expect.stringContaining('unknown tool "delete_everything"'),
    });
  });

  it('definitions carry JSON Schemas generated from the zod schemas', () => {
    const edit = agent.definitions.find((d) => d.name === 'edit_file');
    expect(edit?.inputSchema).toMatchObject({
      type: 'object',
      required: ['path', 'old_string', 'new_string'],
    });
    expect(edit?.inputSchema).not.toHaveProperty('$schema');
    expect(agent.definitions.map((d) => d.name)).toEqual([
      'read_file',
      'write_file',
      'edit_file',
      'list_files',
      'grep',
      'run_command',
    ]);
  });

  it('plan mode offers only read-only tools and refuses write calls', async () => {
    const plan = createToolbox({ worktree: wt, mode: 'plan', env: {} });
    expect(plan.definitions.map((d) => d.name)).toEqual(['read_file', 'list_files', 'grep']);
    for (const tool of ['write_file', 'edit_file', 'run_command']) {
      const r = await plan.execute(tool, {
        path: 'p.txt',
        content: 'x',
        old_string: 'a',
        new_string: 'b',
        command: 'touch p.txt',
      });
      expect(r).toEqual({ ok: false, output: expect.stringContaining('not available in plan mode') });
    }
    expect(fs.existsSync(path.join(wt, 'p.txt'))).toBe(false);
  });

  it('throws only when the caller cancels', async () => {
    const ac = new AbortController();
    ac.abort(new Error('turn cancelled'));
    await expect(agent.execute('read_file', { path: 'README.md' }, { signal: ac.signal })).rejects.toThrow(
      'turn cancelled',
    );
  });
});

describe('run_command', () => {
  const secretEnv = {
    ANTHROPIC_API_KEY: 'sk-ant-secret',
    GITHUB_TOKEN: 'ghp_x',
    AWS_SECRET_ACCESS_KEY: 'y',
    RATCHET_WEBHOOK_SECRET: 'ratchet-hook-secret',
    PATH: process.env.PATH,
    HOME: process.env.HOME,
  };

  it('runs in the worktree and reports the exit code', async () => {
    const r = await agent.execute('run_command', {
      command: 'pwd && git rev-parse --abbrev-ref HEAD && exit 3',
    });
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/^exit code 3 \(/);
    expect(r.output).toContain(fs.realpathSync(wt));
    expect(r.output).toContain('ratchet/ws1');
  });

  it('cannot read a secret from the parent environment', async () => {
    const box = createToolbox({ worktree: wt, mode: 'agent', env: secretEnv });
    const r = await box.execute('run_command', {
      command: 'env; echo "key=[$ANTHROPIC_API_KEY] gh=[$GITHUB_TOKEN] aws=[$AWS_SECRET_ACCESS_KEY]"',
    });
    expect(r.ok).toBe(true);
    expect(r.output).toContain('key=[] gh=[] aws=[]');
    for (const leaked of [
      'sk-ant-secret',
      'ghp_x',
      'ANTHROPIC_API_KEY=',
      'GITHUB_TOKEN=',
      'AWS_SECRET_ACCESS_KEY=',
      'RATCHET_WEBHOOK_SECRET',
      'ratchet-hook-secret',
    ]) {
      expect(r.output).not.toContain(leaked);
    }
    expect(r.output).toContain('GIT_TERMINAL_PROMPT=0');
  });

  it('redacts a secret value the command prints from a file', async () => {
    const box = createToolbox({ worktree: wt, mode: 'agent', env: secretEnv });
    fs.writeFileSync(path.join(outside, 'creds'), 'ANTHROPIC=sk-ant-secret\n');
    const r = await box.execute('run_command', { command: `cat ${path.join(outside, 'creds')}` });
    expect(r.output).toContain('ANTHROPIC=[redacted]');
    expect(r.output).not.toContain('sk-ant-secret');
  });

  it('a timeout kills the command and its children within the limit', async () => {
    const pidFile = path.join(outside, 'child.pid');
    const started = Date.now();
    const r = await agent.execute('run_command', {
      command: `sh -c 'sleep 30' & echo $! > ${pidFile}; sleep 30`,
      timeout_ms: 700,
    });
    const elapsed = Date.now() - started;
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/^command timed out after 700 ms and was killed/);
    expect(elapsed).toBeLessThan(3000);
    expect(await diesWithin(Number(fs.readFileSync(pidFile, 'utf8')), 1000)).toBe(true);
  });

  it('background jobs do not outlive a command that exits normally', async () => {
    const pidFile = path.join(outside, 'bg.pid');
    const r = await agent.execute('run_command', { command: `sleep 30 & echo $! > ${pidFile}; echo done` });
    expect(r.ok).toBe(true);
    expect(r.output).toMatch(/done$/);
    expect(await diesWithin(Number(fs.readFileSync(pidFile, 'utf8')), 1000)).toBe(true);
  });

  it('a daemon that escapes the process group and holds the pipes does not hang the tool', async () => {
    const pidFile = path.join(outside, 'daemon.pid');
    const started = Date.now();
    const r = await agent.execute('run_command', {
      command: `setsid sh -c 'echo $$ > ${pidFile}; exec sleep 30' & sleep 0.2; echo started`,
    });
    try {
      expect(r.ok).toBe(true);
      expect(r.output).toMatch(/started$/);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      process.kill(Number(fs.readFileSync(pidFile, 'utf8')), 'SIGKILL');
    }
  });

  it('caps output, keeping the head and the tail', async () => {
    const small = createToolbox({
      worktree: wt,
      mode: 'agent',
      env: { PATH: process.env.PATH },
      outputCapBytes: 2000,
    });
    const r = await small.execute('run_command', { command: 'echo FIRST; seq 1 100000; echo LAST' });
    expect(r.ok).toBe(true);
    expect(Buffer.byteLength(r.output)).toBeLessThanOrEqual(2000);
    expect(r.output).toContain('FIRST');
    expect(r.output).toMatch(/LAST$/);
    expect(r.output).toContain('bytes omitted');
  });

  it('cancellation kills the command and rejects', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error('cancelled by workflow')), 200);
    const started = Date.now();
    await expect(
      agent.execute('run_command', { command: 'sleep 30' }, { signal: ac.signal }),
    ).rejects.toThrow('cancelled by workflow');
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

/**
 * A SIGKILLed process closes its pipes before the kernel marks it a zombie, so poll briefly.
 */
async function diesWithin(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (isAlive(pid)) {
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** Alive and not a zombie (PID 1 in a container may never reap the killed child). */
function isAlive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
