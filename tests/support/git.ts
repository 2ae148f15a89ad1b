/** Real git repositories for tests: a working repo with a bare `origin`, and helpers to inspect them. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
    maxBuffer: 64 * 1024 * 1024,
  }).trim();
}

export interface TestRepo {
  root: string;
  repo: string;
  remote: string;
  worktrees: string;
}

/** A repo on `main` with one commit (plus `files` generated files), pushed to a bare remote. */
export function makeRepo(opts: { files?: number; setup?: string; prefix?: string } = {}): TestRepo {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), opts.prefix ?? 'ratchet-repo-'));
  const repo = path.join(root, 'repo');
  const remote = path.join(root, 'remote.git');
  const worktrees = path.join(root, 'worktrees');
  fs.mkdirSync(repo);
  git(root, 'init', '--quiet', '--bare', '--initial-branch=main', remote);
  git(repo, 'init', '--quiet', '--initial-branch=main');
  git(repo, 'config', 'user.name', 'Test');
  git(repo, 'config', 'user.email', 't@example.com');
  fs.writeFileSync(path.join(repo, 'README.md'), '# fixture\n');
  if (opts.setup) {
    fs.mkdirSync(path.join(repo, '.ratchet'));
    fs.writeFileSync(path.join(repo, '.ratchet', 'config.json'), JSON.stringify({ setup: opts.setup }));
  }
  for (let i = 0; i < (opts.files ?? 0); i++) {
    const dir = path.join(repo, 'src', `d${Math.floor(i / 100)}`);
    if (i % 100 === 0) fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `f${i}.txt`), `file ${i}\n`);
  }
  git(repo, 'add', '-A');
  git(repo, 'commit', '--quiet', '-m', 'initial');
  git(repo, 'remote', 'add', 'origin', remote);
  git(repo, 'push', '--quiet', 'origin', 'main');
  fs.mkdirSync(worktrees);
  return { root, repo, remote, worktrees };
}

/** Commit subjects on `branch` of the bare remote that are not on main, oldest first. */
export function remoteCommits(remote: string, branch: string): string[] {
  const out = git(remote, 'log', '--reverse', '--format=%s', `main..refs/heads/${branch}`);
  return out ? out.split('\n') : [];
}

export function remoteBranchExists(remote: string, branch: string): boolean {
  try {
    git(remote, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`);
    return true;
  } catch {
    return false;
  }
}

/** A pre-receive hook that sleeps on its first invocation only (to kill a worker mid-push). */
export function slowFirstPush(remote: string, seconds: number): string {
  const marker = path.join(remote, 'first-push-seen');
  const hook = path.join(remote, 'hooks', 'pre-receive');
  fs.writeFileSync(
    hook,
    `#!/bin/sh\ncat >/dev/null\nif [ ! -e '${marker}' ]; then touch '${marker}'; sleep ${seconds}; fi\nexit 0\n`,
  );
  fs.chmodSync(hook, 0o755);
  return marker;
}
