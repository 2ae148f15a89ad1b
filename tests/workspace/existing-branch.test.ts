/**
 * `createWorktree` with `existingBranch` against real git: a local branch, a branch only the
 * remote has, a branch found nowhere, and one another worktree has checked out.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createGitActivities } from '../../activities/git.js';
import { gitEnv } from '../../core/child-env.js';
import { git, makeRepo, type TestRepo } from '../support/git.js';

const repos: TestRepo[] = [];
afterAll(() => {
  for (const r of repos) fs.rmSync(r.root, { recursive: true, force: true });
});

const activities = createGitActivities({ env: gitEnv(process.env) });

function repoWithBranch(branch: string, { keepLocal }: { keepLocal: boolean }) {
  const repo = makeRepo({ prefix: 'existing-branch-' });
  repos.push(repo);
  git(repo.repo, 'checkout', '--quiet', '-b', branch);
  fs.writeFileSync(path.join(repo.repo, 'work.txt'), 'work\n');
  git(repo.repo, 'add', '-A');
  git(repo.repo, 'commit', '--quiet', '-m', 'work');
  git(repo.repo, 'push', '--quiet', 'origin', branch);
  const sha = git(repo.repo, 'rev-parse', 'HEAD').trim();
  git(repo.repo, 'checkout', '--quiet', 'main');
  if (!keepLocal) git(repo.repo, 'branch', '--quiet', '-D', branch);
  return { repo, sha };
}

const input = (repo: TestRepo, branch: string, dir = branch.replaceAll('/', '-')) => ({
  workspaceId: 'ws1',
  repoPath: repo.repo,
  worktreeRoot: repo.worktrees,
  worktreePath: path.join(repo.worktrees, dir),
  branch,
  baseBranch: 'main',
  remote: 'origin',
  existingBranch: true,
});

describe('createWorktree with an existing branch', () => {
  it('checks out a local branch as it is', async () => {
    const { repo, sha } = repoWithBranch('feature/local', { keepLocal: true });
    const res = await activities.createWorktree(input(repo, 'feature/local'));
    expect(res).toMatchObject({ created: true, startPoint: 'feature/local', head: sha });
  });

  it('creates the local branch from the remote when only the remote has it', async () => {
    const { repo, sha } = repoWithBranch('feature/remote', { keepLocal: false });
    const res = await activities.createWorktree(input(repo, 'feature/remote'));
    expect(res).toMatchObject({ created: true, startPoint: 'origin/feature/remote', head: sha });
    expect(git(path.join(repo.worktrees, 'feature-remote'), 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe(
      'feature/remote',
    );
    // A retry finds the worktree already on the branch.
    expect(await activities.createWorktree(input(repo, 'feature/remote'))).toMatchObject({ created: false });
  });

  it('refuses a branch that exists nowhere, non-retryably', async () => {
    const { repo } = repoWithBranch('feature/some', { keepLocal: false });
    await expect(activities.createWorktree(input(repo, 'feature/missing'))).rejects.toMatchObject({
      type: 'InvalidBranchName',
      nonRetryable: true,
    });
  });

  it('refuses a branch another worktree has checked out, naming it, non-retryably', async () => {
    const { repo } = repoWithBranch('feature/taken', { keepLocal: true });
    const other = path.join(repo.worktrees, 'someone-else');
    git(repo.repo, 'worktree', 'add', '--quiet', other, 'feature/taken');
    const err = await activities.createWorktree(input(repo, 'feature/taken')).catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'WorktreeConflict', nonRetryable: true });
    expect((err as Error).message).toContain(other);
  });
});
