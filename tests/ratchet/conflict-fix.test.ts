/**
 * The conflict fixer for real: a worktree whose branch conflicts with a base that moved on the
 * remote after the worktree was made, the real fixer workflow on a Temporal dev server, the real
 * Anthropic runner and tools against the loopback Messages API, real git. The agent merges the
 * freshly fetched base, resolves, and commits by itself (as the prompt tells it); the fixer sees
 * the moved HEAD and pushes it. And when the agent asks instead of guessing, nothing is pushed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { workflowIds } from '../../core/ids.js';
import type { WorkspaceSpec } from '../../core/workspace.js';
import type { FixerInput, FixerResult } from '../../workflows/ratchet-messages.js';
import { startFakeAnthropic, type FakeAnthropicTurn } from '../support/fake-anthropic.js';
import { git, makeRepo, type TestRepo } from '../support/git.js';
import { useInProcessTemporal } from '../support/in-process-worker.js';
import { addProject, specFor } from '../support/workspace-harness.js';
import { seedWorkspace } from '../support/ratchet-harness.js';

const temporal = useInProcessTemporal({ name: 'conflict-fix' });
const { taskQueue } = temporal;

/**
 * A worktree on `spec.branch` that changed greeting.txt, pushed; then `main` changes the same line
 * on the remote (after the worktree was made, so its `origin/main` is stale until fetched).
 */
function conflictingWorkspace(): { repo: TestRepo; spec: WorkspaceSpec; baseHead: string } {
  const repo = makeRepo();
  fs.writeFileSync(path.join(repo.repo, 'greeting.txt'), 'hello\n');
  git(repo.repo, 'add', 'greeting.txt');
  git(repo.repo, 'commit', '--quiet', '-m', 'Add greeting');
  git(repo.repo, 'push', '--quiet', 'origin', 'main');
  const spec = specFor(repo, addProject(temporal.db, repo), {
    title: 'Greet the world',
    agent: { runner: 'anthropic', model: 'claude-sonnet-4-6' },
  });
  seedWorkspace(temporal.db, { id: spec.workspaceId, projectId: spec.projectId, branch: spec.branch });
  git(repo.repo, 'worktree', 'add', '--quiet', '-b', spec.branch, spec.worktreePath, 'main');
  fs.writeFileSync(path.join(spec.worktreePath, 'greeting.txt'), 'hello, world\n');
  git(spec.worktreePath, 'commit', '--quiet', '-am', 'Greet the world');
  git(spec.worktreePath, 'push', '--quiet', 'origin', spec.branch);
  // Someone else changes the same line on main, straight on the remote.
  const other = path.join(repo.root, 'other');
  git(repo.root, 'clone', '--quiet', repo.remote, other);
  git(other, 'config', 'user.name', 'Other');
  git(other, 'config', 'user.email', 'other@example.com');
  fs.writeFileSync(path.join(other, 'greeting.txt'), 'hi\n');
  git(other, 'commit', '--quiet', '-am', 'Say hi');
  git(other, 'push', '--quiet', 'origin', 'main');
  return { repo, spec, baseHead: git(other, 'rev-parse', 'HEAD').trim() };
}

async function runFixer(
  spec: WorkspaceSpec,
  script: FakeAnthropicTurn[],
): Promise<{ result: FixerResult; requests: number }> {
  const fake = await startFakeAnthropic(script);
  try {
    const headSha = git(spec.worktreePath, 'rev-parse', 'HEAD').trim();
    const input: FixerInput = {
      spec,
      github: { owner: 'acme', repo: 'widgets' },
      pr: {
        number: 3,
        url: 'https://github.com/acme/widgets/pull/3',
        headBranch: spec.branch,
        baseBranch: 'main',
      },
      kind: 'conflict',
      headSha,
      attempt: 1,
      fixNo: 1,
    };
    const result = await temporal.withWorker(
      () =>
        temporal.env.client.workflow.execute('fixerWorkflow', {
          workflowId: workflowIds.fix(spec.workspaceId, headSha, 'conflict'),
          taskQueue,
          args: [input],
        }),
      { ANTHROPIC_API_KEY: 'sk-ant-test-key', ANTHROPIC_BASE_URL: fake.url },
    );
    return { result: result as FixerResult, requests: fake.requests.length };
  } finally {
    await fake.close();
  }
}

const call = (id: string, name: string, input: Record<string, unknown>, text = ''): FakeAnthropicTurn => ({
  type: 'reply',
  text,
  toolCalls: [{ id, name, input }],
});

describe('conflict fixer', () => {
  it('fetches the moved base, lets the agent merge and commit, and pushes the merge', async () => {
    const { repo, spec, baseHead } = conflictingWorkspace();
    const { result } = await runFixer(spec, [
      call('toolu_merge', 'run_command', { command: 'git merge --no-edit origin/main' }, 'Merging the base.'),
      call(
        'toolu_write',
        'write_file',
        { path: 'greeting.txt', content: 'hi, world\n' },
        'Both sides changed the greeting; keeping both intents.',
      ),
      call('toolu_commit', 'run_command', {
        command: 'git add greeting.txt && git commit --no-edit --quiet',
      }),
      { type: 'reply', text: 'Merged origin/main: the greeting now says "hi, world".' },
    ]);
    expect(result).toMatchObject({ outcome: 'pushed' });
    // The fixer fetched: the merge brought in the commit pushed to main after the worktree was made.
    const remoteHead = git(repo.remote, 'rev-parse', `refs/heads/${spec.branch}`).trim();
    expect(result.commit).toBe(remoteHead);
    expect(git(repo.remote, 'rev-list', '--parents', '-n', '1', remoteHead).trim().split(' ')).toHaveLength(
      3,
    );
    expect(git(repo.remote, 'merge-base', '--is-ancestor', baseHead, remoteHead)).toBe('');
    expect(git(repo.remote, 'show', `${remoteHead}:greeting.txt`)).toBe('hi, world');
    expect(git(spec.worktreePath, 'status', '--porcelain').trim()).toBe('');
  });

  it('pushes nothing when the agent aborts the merge and asks a person', async () => {
    const { repo, spec } = conflictingWorkspace();
    const before = git(repo.remote, 'rev-parse', `refs/heads/${spec.branch}`).trim();
    const { result } = await runFixer(spec, [
      call('toolu_merge', 'run_command', { command: 'git merge --no-edit origin/main' }),
      call('toolu_abort', 'run_command', { command: 'git merge --abort' }),
      {
        type: 'reply',
        text: 'Both sides rewrote the greeting.\nRATCHET_ASK_HUMAN: greeting.txt: keep "hello, world" (this branch) or "hi" (main)?',
      },
    ]);
    expect(result).toEqual({
      outcome: 'asked_human',
      detail: 'greeting.txt: keep "hello, world" (this branch) or "hi" (main)?',
      question: 'greeting.txt: keep "hello, world" (this branch) or "hi" (main)?',
    });
    expect(git(repo.remote, 'rev-parse', `refs/heads/${spec.branch}`).trim()).toBe(before);
    expect(git(spec.worktreePath, 'status', '--porcelain').trim()).toBe('');
  });
});
