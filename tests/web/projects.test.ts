import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { openDb, type Db } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { projects } from '../../db/schema.js';
import { getProjectOrThrow, listProjects, registerProject } from '../../web/lib/projects.js';
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
      // Ratchet created it and marked it as its own.
      expect(fs.existsSync(path.join(other.root, 'wt', '.ratchet-worktrees'))).toBe(true);
    } finally {
      fs.rmSync(other.root, { recursive: true, force: true });
    }
  });

  it.each<[string, string, string]>([
    ['ssh password', 'ssh://git:s3cret@example.com/x.git', 'ssh://git@example.com/x.git'],
    [
      'an @ inside the https userinfo',
      'https://user@name:pa55@example.com/x.git',
      'https://example.com/x.git',
    ],
    ['a token query parameter', 'https://example.com/x.git?access_token=t0ken', 'https://example.com/x.git'],
  ])(
    'registerProject stores and returns the remote URL without credentials: %s',
    async (_name, remote, expected) => {
      const other = makeRepo();
      try {
        git(other.repo, 'remote', 'set-url', 'origin', remote);
        const p = await registerProject(db, { path: other.repo }, { dataDir: dir });
        expect(p.remoteUrl).toBe(expected);
        const stored = db.select().from(projects).where(eq(projects.id, p.id)).get();
        expect(stored?.remoteUrl).toBe(expected);
        expect(JSON.stringify(listProjects(db))).not.toMatch(/s3cret|pa55|t0ken/);
      } finally {
        fs.rmSync(other.root, { recursive: true, force: true });
      }
    },
  );

  it('listProjects and getProjectOrThrow never return credentials stored by an older Ratchet', () => {
    const id = `prj-old-${process.pid}`;
    db.insert(projects)
      .values({
        id,
        name: 'old',
        repoPath: path.join(dir, 'old-repo'),
        remoteUrl: 'https://u:oldpa55@example.com/o/r.git?private_token=oldt0ken',
      })
      .run();
    expect(getProjectOrThrow(db, id).remoteUrl).toBe('https://example.com/o/r.git');
    expect(listProjects(db).find((p) => p.id === id)?.remoteUrl).toBe('https://example.com/o/r.git');
    expect(JSON.stringify(listProjects(db))).not.toMatch(/oldpa55|oldt0ken/);
  });
});

describe('POST /api/projects worktreeDir rules (the route handler, real git, real SQLite)', () => {
  let home: string;
  let repo: TestRepo;
  let other: TestRepo;
  let POST: (req: Request, ctx: unknown) => Promise<Response>;
  const post = (body: unknown) =>
    POST(
      new Request('http://127.0.0.1/api/projects', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
      undefined,
    );

  beforeAll(async () => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-wtdir-home-'));
    migrateDatabase(path.join(home, 'ratchet.db'));
    process.env.RATCHET_HOME = home;
    delete (globalThis as { __ratchetWebConfig?: unknown }).__ratchetWebConfig;
    ({ POST } = await import('../../web/app/api/projects/route.js'));
    repo = makeRepo();
    other = makeRepo();
    // A registered repository (its inside is off limits to later projects too).
    expect((await post({ path: other.repo })).status).toBe(200);
  });
  afterAll(() => {
    for (const d of [home, repo.root, other.root]) fs.rmSync(d, { recursive: true, force: true });
  });

  it.each<[string, () => string, RegExp]>([
    ['the root', () => '/', /system directory/],
    ['/etc/../etc', () => '/etc/../etc', /resolves to \/etc, a system directory/],
    ['the data directory', () => home, /data directory/],
    ['the repository being registered', () => repo.repo, /inside the repository/],
    ['inside the repository being registered', () => path.join(repo.repo, 'wt'), /inside the repository/],
    [
      'inside another registered repository',
      () => path.join(other.repo, 'sub', 'wt'),
      /inside the repository/,
    ],
    [
      'a symlink to /etc',
      () => {
        const link = path.join(repo.root, 'to-etc');
        if (!fs.existsSync(link)) fs.symlinkSync('/etc', link);
        return link;
      },
      /resolves to \/etc, a system directory/,
    ],
    [
      'a non-empty directory not created by Ratchet',
      () => {
        const d = path.join(repo.root, 'someones-files');
        fs.mkdirSync(d, { recursive: true });
        fs.writeFileSync(path.join(d, 'thesis.tex'), 'keep me');
        return d;
      },
      /not empty and was not created by Ratchet/,
    ],
    ['a relative path', () => 'worktrees', /must be an absolute path/],
  ])('POST /api/projects refuses worktreeDir %s with 422 naming the field', async (_name, dirOf, message) => {
    const res = await post({ path: repo.repo, worktreeDir: dirOf() });
    expect(res.status).toBe(422);
    const body = (await res.json()) as {
      error: { type: string; fields: Array<{ path: string; message: string }> };
    };
    expect(body.error.type).toBe('InvalidInput');
    expect(body.error.fields[0]?.path).toBe('worktreeDir');
    expect(body.error.fields[0]?.message).toMatch(message);
    // Nothing registered, nothing created.
    const listed = (
      await (
        await import('../../web/app/api/projects/route.js')
      ).GET(new Request('http://127.0.0.1/api/projects'), undefined as never)
    ).json() as Promise<{ projects: Array<{ repoPath: string }> }>;
    expect((await listed).projects.some((p) => p.repoPath === fs.realpathSync(repo.repo))).toBe(false);
    expect(fs.existsSync(path.join(repo.repo, 'wt'))).toBe(false);
  });

  it('POST /api/projects accepts an empty directory and one Ratchet created, and stores the realpath', async () => {
    const empty = path.join(repo.root, 'empty-wt');
    fs.mkdirSync(empty);
    const link = path.join(repo.root, 'wt-link');
    fs.symlinkSync(empty, link);
    const res = await post({ path: repo.repo, worktreeDir: link });
    expect(res.status).toBe(200);
    const { project } = (await res.json()) as { project: { worktreeDir: string } };
    expect(project.worktreeDir).toBe(fs.realpathSync(empty));
    expect(fs.readdirSync(empty)).toEqual(['.ratchet-worktrees']);
    // A third repository may share the directory Ratchet now owns (not empty, but Ratchet's).
    const third = makeRepo();
    try {
      const again = await post({ path: third.repo, worktreeDir: empty });
      expect(again.status).toBe(200);
    } finally {
      fs.rmSync(third.root, { recursive: true, force: true });
    }
  });
});
