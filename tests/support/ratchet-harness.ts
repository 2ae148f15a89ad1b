/**
 * Shared setup for the ratchet suites: the fake GitHub tied to a real bare git remote (a push by a
 * fixer really moves the PR's head, and the test scripts the checks each new head gets), plus
 * read-model helpers.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { insertWorkspaceIfAbsent } from '../../db/queries/workspaces.js';
import { pullRequests, workspaces } from '../../db/schema.js';
import type { FakeCheck, FakeGithub, FakePr } from './fake-github/index.js';
import { tick } from './fake-github/index.js';

/**
 * Keeps the fake's branches equal to the bare remote's `refs/heads/*` and moves each open PR's
 * head with its branch. Every new head SHA of a PR gets `checksFor(pr, nth)` (nth = 1 for the
 * first head the PR had, 2 for the next…).
 */
export function linkRemote(
  fake: FakeGithub,
  repoName: string,
  bareRemote: string,
  checksFor: (pr: FakePr, nth: number) => FakeCheck[],
): { heads: (number: number) => string[] } {
  const seen = new Map<number, string[]>();
  const [owner = '', name = ''] = repoName.split('/');
  const sync = () => {
    const repo = fake.state.repo(owner, name);
    if (!repo) return;
    const out = execFileSync(
      'git',
      ['for-each-ref', '--format=%(refname:short) %(objectname)', 'refs/heads'],
      { cwd: bareRemote, encoding: 'utf8' },
    );
    for (const line of out.split('\n').filter(Boolean)) {
      const [branch = '', sha = ''] = line.split(' ');
      repo.branches.set(branch, sha);
    }
    for (const pr of repo.prs.values()) {
      if (pr.state !== 'OPEN') continue;
      const head = repo.branches.get(pr.head);
      if (head && head !== pr.headSha) {
        pr.headSha = head;
        pr.updatedAt = tick();
      }
      pr.baseSha = repo.branches.get(pr.base) ?? pr.baseSha;
      const list = seen.get(pr.number) ?? [];
      if (!list.includes(pr.headSha)) {
        list.push(pr.headSha);
        seen.set(pr.number, list);
        pr.checks = checksFor(pr, list.length);
        pr.updatedAt = tick();
      }
    }
  };
  fake.onRequest(sync);
  return { heads: (n) => seen.get(n) ?? [] };
}

/**
 * A pre-receive hook that sleeps on the Nth push that updates refs (to SIGKILL a worker mid-push)
 * and touches `<remote>/slow-push-seen` when it starts sleeping.
 */
export function slowNthPush(remote: string, nth: number, seconds: number): string {
  const seenFile = path.join(remote, 'slow-push-seen');
  const count = path.join(remote, 'push-count');
  const hook = path.join(remote, 'hooks', 'pre-receive');
  fs.writeFileSync(
    hook,
    `#!/bin/sh\ncat >/dev/null\nn=$(cat '${count}' 2>/dev/null || echo 0)\nn=$((n+1))\necho $n > '${count}'\nif [ "$n" -eq ${nth} ]; then touch '${seenFile}'; sleep ${seconds}; fi\nexit 0\n`,
  );
  fs.chmodSync(hook, 0o755);
  return seenFile;
}

export function prRow(db: Db, workspaceId: string) {
  return db.select().from(pullRequests).where(eq(pullRequests.workspaceId, workspaceId)).get();
}

export function workspaceRow(db: Db, workspaceId: string) {
  return db.select().from(workspaces).where(eq(workspaces.id, workspaceId)).get();
}

/** A workspace row for suites that start the ratchet directly (no workspace workflow). */
export function seedWorkspace(
  db: Db,
  o: { id: string; projectId: string; branch: string; status?: string },
): void {
  insertWorkspaceIfAbsent({
    db,
    row: {
      id: o.id,
      projectId: o.projectId,
      title: 'Seeded workspace',
      prompt: 'seeded',
      branch: o.branch,
      baseBranch: 'main',
      worktreePath: `/nonexistent/${o.id}`,
      status: o.status ?? 'pr_open',
      agentConfig: { runner: 'script', mode: 'agent', maxTurns: 1 },
      workflowId: `workspace/${o.id}`,
    },
  });
}

export const failing = (name: string, runId: number | null = null): FakeCheck => ({
  kind: 'check_run',
  name,
  status: 'COMPLETED',
  conclusion: 'FAILURE',
  runId,
  workflowName: 'CI',
  databaseId: Math.floor(Math.random() * 1e6),
  startedAt: '2026-01-01T00:00:00Z',
  completedAt: '2026-01-01T00:05:00Z',
});

export const passing = (name: string): FakeCheck => ({
  kind: 'check_run',
  name,
  status: 'COMPLETED',
  conclusion: 'SUCCESS',
  runId: null,
  workflowName: 'CI',
  databaseId: Math.floor(Math.random() * 1e6),
  startedAt: '2026-01-01T00:00:00Z',
  completedAt: '2026-01-01T00:05:00Z',
});
