/**
 * Git activities: worktree creation, per-turn commits, push, archive. Each one looks before it
 * acts, so a retry after a SIGKILL converges instead of duplicating: an existing worktree is
 * reused, a turn's commit is found by its trailer, a push of an up-to-date branch is a no-op.
 * Arguments are validated, paths come after `--`, and nothing goes through a shell.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorTypes } from '../core/errors.js';
import { stripCredentialsInText } from '../core/remote-url.js';
import { branchNameSchema, turnTrailer } from '../core/workspace.js';
import { runProcess, type RunResult } from './process.js';

export interface GitDeps {
  /** Called while a git command runs (the worker wires Temporal heartbeats here). */
  heartbeat?: () => void;
  /** Git's whole environment: core/child-env.ts's `git` profile of the worker's environment. */
  env: Readonly<Record<string, string | undefined>>;
  /**
   * Runs before an existing worktree is removed on archive (the worker wires the project's
   * cleanup script here, activities/cleanup-script.ts). Its failure never blocks the archive.
   */
  beforeRemove?: (input: {
    workspaceId: string;
    worktreePath: string;
    heartbeat?: () => void;
  }) => Promise<unknown>;
}

export interface CreateWorktreeInput {
  workspaceId: string;
  repoPath: string;
  worktreeRoot: string;
  worktreePath: string;
  branch: string;
  baseBranch: string;
  remote: string;
  /**
   * Check out `branch` as it is (local, else fetched from `remote`) instead of creating it from the
   * base; a branch found in neither place fails `InvalidBranchName`. @default false
   */
  existingBranch?: boolean;
}

export interface CreateWorktreeResult {
  created: boolean;
  startPoint: string;
  head: string;
}

export interface CommitTurnInput {
  worktreePath: string;
  workspaceId: string;
  turn: number;
  message: string;
  /** Marker trailer identifying this commit; defaults to the turn trailer. Fixers pass their workflow id. */
  trailer?: string;
  /**
   * HEAD before the agent ran. An agent may commit by itself (a conflict fix concludes its merge
   * with `git commit`): with nothing left to stage, a HEAD that moved is this turn's commit.
   */
  baseHead?: string;
}

export interface CommitTurnResult {
  commit: string | null;
  /** False when the commit already existed (a retry) or there was nothing to commit. */
  createdNow: boolean;
  filesChanged: number;
}

export interface PushInput {
  workspaceId: string;
  worktreePath: string;
  remote: string;
  branch: string;
}

const GIT_TIMEOUT_MS = 5 * 60_000;

/** Resolves `target` and refuses it unless it sits strictly inside `root`. */
export function assertInside(root: string, target: string, field: string): string {
  const r = path.resolve(root);
  const t = path.resolve(target);
  const rel = path.relative(r, t);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw ApplicationFailure.nonRetryable(
      `${field} ${JSON.stringify(target)} must be inside ${r}`,
      ErrorTypes.PathEscape,
    );
  }
  return t;
}

function assertBranch(name: string, field: string): string {
  const parsed = branchNameSchema.safeParse(name);
  if (!parsed.success) {
    throw ApplicationFailure.nonRetryable(
      `${field} ${JSON.stringify(name)} ${parsed.error.issues[0]?.message}`,
      ErrorTypes.InvalidBranchName,
    );
  }
  return name;
}

/**
 * Refuses to work in a worktree that is not there: git would fail with a spawn ENOENT that looks
 * transient and is retried for minutes. A missing worktree does not come back by itself.
 */
export function assertWorktreeExists(worktreePath: string): void {
  if (!fs.existsSync(worktreePath)) {
    throw ApplicationFailure.nonRetryable(
      `the worktree ${worktreePath} does not exist (was the workspace archived?)`,
      ErrorTypes.WorktreeMissing,
    );
  }
}

export function createGitActivities(deps: GitDeps) {
  const git = async (
    cwd: string,
    args: string[],
    opts: { allowFail?: boolean; timeoutMs?: number } = {},
  ): Promise<RunResult> => {
    const res = await runProcess('git', args, {
      cwd,
      env: { ...deps.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
      timeoutMs: opts.timeoutMs ?? GIT_TIMEOUT_MS,
      onTick: deps.heartbeat,
    });
    if (!opts.allowFail && res.code !== 0) {
      const what = `git ${args.join(' ')}`;
      // git prints the remote's URL in its errors; the error reaches the timeline and the logs.
      const detail = stripCredentialsInText(res.stderr.trim() || res.stdout.trim());
      throw new Error(
        `${stripCredentialsInText(what)} failed (${res.timedOut ? 'timed out' : `exit ${res.code}`}): ${detail}`,
      );
    }
    return res;
  };
  const out = async (cwd: string, args: string[]) => (await git(cwd, args)).stdout.trim();
  const ok = async (cwd: string, args: string[]) => (await git(cwd, args, { allowFail: true })).code === 0;

  /**
   * An existing branch: the local one when there is one, else the remote's (fetched now, so a
   * branch pushed a moment ago is found), set up locally without tracking (pushes name it).
   */
  const checkOutExisting = async (
    input: CreateWorktreeInput & { hasRemote: boolean; branchExists: boolean },
  ): Promise<CreateWorktreeResult> => {
    const { repoPath, worktreePath, branch, remote } = input;
    if (input.hasRemote)
      await git(
        repoPath,
        ['fetch', '--quiet', remote, '--', `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`],
        {
          allowFail: true,
        },
      );
    if (input.branchExists) {
      // git refuses a branch checked out in another worktree; say so once instead of retrying it.
      const list = await out(repoPath, ['worktree', 'list', '--porcelain']);
      const holder = list
        .split('\n\n')
        .find((entry) => entry.split('\n').includes(`branch refs/heads/${branch}`));
      if (holder) {
        throw ApplicationFailure.nonRetryable(
          `branch ${JSON.stringify(branch)} is checked out in ${holder.split('\n')[0]?.replace(/^worktree /, '')}`,
          'WorktreeConflict',
        );
      }
      await git(repoPath, ['worktree', 'add', '--', worktreePath, branch]);
      return { created: true, startPoint: branch, head: await out(worktreePath, ['rev-parse', 'HEAD']) };
    }
    const remoteRef = `refs/remotes/${remote}/${branch}`;
    if (
      !input.hasRemote ||
      !(await ok(repoPath, ['rev-parse', '--verify', '--quiet', `${remoteRef}^{commit}`]))
    ) {
      throw ApplicationFailure.nonRetryable(
        `branch ${JSON.stringify(branch)} exists neither in ${repoPath} nor on ${remote}`,
        'InvalidBranchName',
      );
    }
    await git(repoPath, [
      'worktree',
      'add',
      '--no-track',
      '-b',
      branch,
      '--',
      worktreePath,
      `${remote}/${branch}`,
    ]);
    return {
      created: true,
      startPoint: `${remote}/${branch}`,
      head: await out(worktreePath, ['rev-parse', 'HEAD']),
    };
  };

  return {
    async createWorktree(input: CreateWorktreeInput): Promise<CreateWorktreeResult> {
      const worktreePath = assertInside(input.worktreeRoot, input.worktreePath, 'worktreePath');
      const branch = assertBranch(input.branch, 'branch');
      const base = assertBranch(input.baseBranch, 'baseBranch');
      if (!(await ok(input.repoPath, ['rev-parse', '--git-dir']))) {
        throw ApplicationFailure.nonRetryable(
          `${input.repoPath} is not a git repository`,
          ErrorTypes.NotAGitRepo,
        );
      }
      // Look before acting: a worktree already on our branch is the result of an earlier attempt.
      if (fs.existsSync(worktreePath)) {
        const current = await git(worktreePath, ['rev-parse', '--abbrev-ref', 'HEAD'], { allowFail: true });
        if (current.code === 0 && current.stdout.trim() === branch) {
          return { created: false, startPoint: branch, head: await out(worktreePath, ['rev-parse', 'HEAD']) };
        }
        if (fs.readdirSync(worktreePath).length > 0) {
          throw ApplicationFailure.nonRetryable(
            `${worktreePath} exists and is not the worktree of ${branch}`,
            ErrorTypes.WorktreeConflict,
          );
        }
      }
      fs.mkdirSync(path.dirname(worktreePath), { recursive: true });
      await git(input.repoPath, ['worktree', 'prune']);
      const hasRemote = (await git(input.repoPath, ['remote'])).stdout.split('\n').includes(input.remote);
      if (hasRemote)
        await git(input.repoPath, ['fetch', '--quiet', input.remote, '--', base], { allowFail: true });
      const remoteRef = `refs/remotes/${input.remote}/${base}`;
      const startPoint =
        hasRemote && (await ok(input.repoPath, ['rev-parse', '--verify', '--quiet', remoteRef]))
          ? `${input.remote}/${base}`
          : base;
      if (!(await ok(input.repoPath, ['rev-parse', '--verify', '--quiet', `${startPoint}^{commit}`]))) {
        throw ApplicationFailure.nonRetryable(
          `base branch ${JSON.stringify(base)} does not exist in ${input.repoPath}`,
          ErrorTypes.InvalidBranchName,
        );
      }
      const branchExists = await ok(input.repoPath, [
        'rev-parse',
        '--verify',
        '--quiet',
        `refs/heads/${branch}`,
      ]);
      if (input.existingBranch)
        return checkOutExisting({ ...input, worktreePath, branch, hasRemote, branchExists });
      if (branchExists) {
        await git(input.repoPath, ['worktree', 'add', '--', worktreePath, branch]);
      } else {
        await git(input.repoPath, [
          'worktree',
          'add',
          '--no-track',
          '-b',
          branch,
          '--',
          worktreePath,
          startPoint,
        ]);
      }
      return { created: true, startPoint, head: await out(worktreePath, ['rev-parse', 'HEAD']) };
    },

    /** Commits everything in the worktree for one agent turn, at most once per (workspace, turn). */
    async commitTurn(input: CommitTurnInput): Promise<CommitTurnResult> {
      assertWorktreeExists(input.worktreePath);
      const trailer = input.trailer ?? turnTrailer(input.workspaceId, input.turn);
      const found = await out(input.worktreePath, [
        'log',
        '-n',
        '1',
        '--format=%H',
        '--fixed-strings',
        `--grep=${trailer}`,
        'HEAD',
      ]);
      if (found) return { commit: found, createdNow: false, filesChanged: 0 };
      await git(input.worktreePath, ['add', '--all']);
      const staged = await out(input.worktreePath, ['diff', '--cached', '--name-only']);
      const files = staged ? staged.split('\n').length : 0;
      if (files === 0) {
        const head = input.baseHead ? await out(input.worktreePath, ['rev-parse', 'HEAD']) : null;
        return { commit: head && head !== input.baseHead ? head : null, createdNow: false, filesChanged: 0 };
      }
      const identity = await identityArgs(input.worktreePath, ok);
      await git(input.worktreePath, [
        ...identity,
        'commit',
        '--no-verify',
        '--quiet',
        '-m',
        input.message,
        '-m',
        trailer,
      ]);
      return {
        commit: await out(input.worktreePath, ['rev-parse', 'HEAD']),
        createdNow: true,
        filesChanged: files,
      };
    },

    /** The worktree's HEAD commit (before an agent turn, so `commitTurn` can see commits the agent made). */
    async readHead(input: { worktreePath: string }): Promise<{ sha: string }> {
      assertWorktreeExists(input.worktreePath);
      return { sha: await out(input.worktreePath, ['rev-parse', 'HEAD']) };
    },

    /** Updates `<remote>/<branch>` in the worktree's repository (a conflict fixer merges it next); fetching twice is harmless. */
    async fetchBranch(input: {
      worktreePath: string;
      remote: string;
      branch: string;
    }): Promise<{ sha: string }> {
      const branch = assertBranch(input.branch, 'branch');
      assertWorktreeExists(input.worktreePath);
      await git(input.worktreePath, [
        'fetch',
        '--quiet',
        input.remote,
        '--',
        `+refs/heads/${branch}:refs/remotes/${input.remote}/${branch}`,
      ]);
      return {
        sha: await out(input.worktreePath, [
          'rev-parse',
          '--verify',
          `refs/remotes/${input.remote}/${branch}`,
        ]),
      };
    },

    /** Pushes the branch; pushing an up-to-date branch again is a no-op, so retries are safe. */
    async pushBranch(input: PushInput): Promise<{ remoteHead: string }> {
      const branch = assertBranch(input.branch, 'branch');
      assertWorktreeExists(input.worktreePath);
      await git(input.worktreePath, [
        'push',
        '--quiet',
        '--porcelain',
        input.remote,
        `HEAD:refs/heads/${branch}`,
      ]);
      const ls = await out(input.worktreePath, ['ls-remote', input.remote, `refs/heads/${branch}`]);
      return { remoteHead: ls.split(/\s+/)[0] ?? '' };
    },

    /** Removes the worktree and keeps the branch; archiving twice is fine. */
    async archiveWorktree(input: {
      workspaceId: string;
      repoPath: string;
      worktreeRoot: string;
      worktreePath: string;
    }): Promise<{ removed: boolean }> {
      const worktreePath = assertInside(input.worktreeRoot, input.worktreePath, 'worktreePath');
      let removed = false;
      if (fs.existsSync(worktreePath)) {
        if (deps.beforeRemove) {
          await deps
            .beforeRemove({ workspaceId: input.workspaceId, worktreePath, heartbeat: deps.heartbeat })
            .catch(() => undefined); // recorded on the timeline by the hook; the archive goes on
        }
        const res = await git(input.repoPath, ['worktree', 'remove', '--force', '--', worktreePath], {
          allowFail: true,
        });
        if (res.code !== 0) fs.rmSync(worktreePath, { recursive: true, force: true });
        removed = true;
      }
      await git(input.repoPath, ['worktree', 'prune']);
      return { removed };
    },
  };
}

/** Commits need an identity; fall back to Ratchet's own when the repository has none. */
async function identityArgs(
  cwd: string,
  ok: (cwd: string, args: string[]) => Promise<boolean>,
): Promise<string[]> {
  const hasName = await ok(cwd, ['config', 'user.name']);
  const hasEmail = await ok(cwd, ['config', 'user.email']);
  return [
    ...(hasName ? [] : ['-c', 'user.name=Ratchet']),
    ...(hasEmail ? [] : ['-c', 'user.email=ratchet@localhost']),
  ];
}

export type GitActivities = ReturnType<typeof createGitActivities>;
