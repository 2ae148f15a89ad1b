import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { listProjects, registerProject } from '../../web/lib/projects.js';
import { DomainError } from '../../web/lib/errors.js';
import { git, makeRepo, type TestRepo } from '../support/git.js';

describe('registerProject (real git repos, real SQLite)', () => {
  let dir: string;
  let db: Db;
  let fixture: TestRepo;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-projects-'));
    const file = path.join(dir, 'ratchet.db');
    migrateDatabase(file);
    db = openDb(file);
    fixture = makeRepo();
  });
  afterAll(() => {
    db.$client.close();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(fixture.root, { recursive: true, force: true });
  });

  it('registerProject refuses a directory that is not a git repository', async () => {
    const plain = fs.mkdtempSync(path.join(dir, 'plain-'));
    const err = await registerProject(db, { path: plain }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).type).toBe('NotAGitRepository');
    expect((err as DomainError).message).toContain(`${plain} is not a git repository`);
  });

  it('registerProject refuses a path that does not exist', async () => {
    await expect(registerProject(db, { path: path.join(dir, 'missing') })).rejects.toThrow(/does not exist/);
  });

  it('registerProject rejects a relative path naming the field', async () => {
    await expect(registerProject(db, { path: 'relative/repo' })).rejects.toThrow(/must be an absolute path/);
  });

  it('registerProject stores the top-level path and is idempotent on it', async () => {
    const sub = path.join(fixture.repo, 'nested');
    fs.mkdirSync(sub);
    const first = await registerProject(db, { path: sub });
    expect(first.repoPath).toBe(fs.realpathSync(fixture.repo));
    expect(first.name).toBe('repo');
    expect(first.defaultBranch).toBe('main');
    expect(first.githubOwner).toBeNull();
    expect(first.remoteUrl).toBe(fixture.remote);
    const again = await registerProject(db, { path: fixture.repo });
    expect(again.id).toBe(first.id);
    expect(listProjects(db).filter((p) => p.repoPath === first.repoPath)).toHaveLength(1);
  });

  it('registerProject reads GitHub owner/repo from origin and the default branch from origin/HEAD', async () => {
    const other = makeRepo();
    try {
      // origin/HEAD -> trunk, then point origin at a GitHub URL (no network is touched).
      git(other.repo, 'push', '--quiet', 'origin', 'main:trunk');
      git(other.repo, 'fetch', '--quiet', 'origin');
      git(other.repo, 'symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/trunk');
      git(other.repo, 'remote', 'set-url', 'origin', 'https://user:secret@github.com/octo/widgets.git');
      const p = await registerProject(db, { path: other.repo, worktreeDir: path.join(other.root, 'wt') });
      expect(p.githubOwner).toBe('octo');
      expect(p.githubRepo).toBe('widgets');
      expect(p.defaultBranch).toBe('trunk');
      expect(p.remoteUrl).toBe('https://github.com/octo/widgets.git');
      expect(p.worktreeDir).toBe(path.join(other.root, 'wt'));
    } finally {
      fs.rmSync(other.root, { recursive: true, force: true });
    }
  });
});
