/**
 * db/migrate.ts against real SQLite files: fresh databases get every migration, reruns are no-ops,
 * existing databases are copied aside before an upgrade, and a failing migration rolls back whole.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUSY_TIMEOUT_MS, openDb } from '../../db/client.js';
import { migrateDatabase, MigrationError, MIGRATIONS_DIR } from '../../db/migrate.js';

interface JournalEntry {
  idx: number;
  version: string;
  when: number;
  tag: string;
  breakpoints: boolean;
}

const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')) as {
  entries: JournalEntry[];
};
const allTags = journal.entries.map((e) => e.tag);

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-migrate-'));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function tables(file: string): string[] {
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (
      sqlite.prepare("select name from sqlite_master where type='table' order by name").all() as {
        name: string;
      }[]
    ).map((r) => r.name);
  } finally {
    sqlite.close();
  }
}

/** A copy of the real migrations with the first `keep` entries, plus optional extra migrations appended. */
function migrationsDir(name: string, keep: number, extra: { tag: string; sql: string }[] = []): string {
  const dir = path.join(tmp, name);
  fs.cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  const entries = journal.entries.slice(0, keep);
  for (const dropped of journal.entries.slice(keep)) fs.rmSync(path.join(dir, `${dropped.tag}.sql`));
  const last = entries.at(-1);
  for (const [i, m] of extra.entries()) {
    fs.writeFileSync(path.join(dir, `${m.tag}.sql`), m.sql);
    entries.push({
      idx: entries.length,
      version: last?.version ?? '6',
      when: (last?.when ?? 0) + 1000 * (i + 1),
      tag: m.tag,
      breakpoints: true,
    });
  }
  fs.writeFileSync(
    path.join(dir, 'meta/_journal.json'),
    JSON.stringify({ version: '7', dialect: 'sqlite', entries }, null, 2),
  );
  return dir;
}

const addNotes = {
  tag: '0001_notes',
  sql: 'CREATE TABLE `ratchet_notes` (`id` integer PRIMARY KEY NOT NULL, `body` text NOT NULL);',
};
const broken = {
  tag: '0001_broken',
  sql: 'CREATE TABLE `half_applied` (`id` integer PRIMARY KEY NOT NULL);\n--> statement-breakpoint\nINSERT INTO `no_such_table` (`id`) VALUES (1);',
};

describe('migrateDatabase', () => {
  it('applies every migration to a fresh file, creating its directory', () => {
    const file = path.join(tmp, 'nested', 'dir', 'ratchet.sqlite');
    const result = migrateDatabase(file);
    expect(result).toEqual({ applied: allTags, backupPath: null });
    expect(tables(file)).toEqual(
      expect.arrayContaining(['__drizzle_migrations', 'workspaces', 'agent_sessions', 'agent_messages']),
    );
    expect(fs.readdirSync(path.dirname(file)).filter((f) => f.includes('.backup-'))).toEqual([]);
  });

  it('applies nothing and takes no backup on a second run', () => {
    const file = path.join(tmp, 'ratchet.sqlite');
    migrateDatabase(file);
    const before = tables(file);
    expect(migrateDatabase(file)).toEqual({ applied: [], backupPath: null });
    expect(tables(file)).toEqual(before);
    expect(fs.readdirSync(tmp).filter((f) => f.includes('.backup-'))).toEqual([]);
  });

  it('copies an existing database aside before applying pending migrations', () => {
    const file = path.join(tmp, 'ratchet.sqlite');
    const base = migrationsDir('base', journal.entries.length);
    migrateDatabase(file, { migrationsDir: base });
    const oldTables = tables(file);

    const upgraded = migrationsDir('upgraded', journal.entries.length, [addNotes]);
    const result = migrateDatabase(file, {
      migrationsDir: upgraded,
      now: new Date('2026-01-02T03:04:05.678Z'),
    });

    expect(result.applied).toEqual(['0001_notes']);
    expect(result.backupPath).toBe(`${file}.backup-2026-01-02T03-04-05-678Z-before-0001_notes`);
    const backup = result.backupPath ?? '';
    expect(fs.existsSync(backup)).toBe(true);
    expect(tables(backup)).toEqual(oldTables);
    expect(tables(backup)).not.toContain('ratchet_notes');
    expect(tables(file)).toContain('ratchet_notes');
  });

  it('keeps the rows of an upgraded database and its backup', () => {
    const file = path.join(tmp, 'ratchet.sqlite');
    migrateDatabase(file, { migrationsDir: migrationsDir('base', journal.entries.length) });
    const db = new Database(file);
    db.exec("create table keepme (v text); insert into keepme values ('precious')");
    db.close();

    const result = migrateDatabase(file, {
      migrationsDir: migrationsDir('upgraded', journal.entries.length, [addNotes]),
    });
    for (const f of [file, result.backupPath ?? '']) {
      const sqlite = new Database(f, { readonly: true, fileMustExist: true });
      expect(sqlite.prepare('select v from keepme').all()).toEqual([{ v: 'precious' }]);
      sqlite.close();
    }
  });

  it('0003_project_policy_scripts_clones upgrades a 0002 database: projects keep their rows with no policy or scripts, and a clone row outlives its project', () => {
    const file = path.join(tmp, 'ratchet.sqlite');
    migrateDatabase(file, { migrationsDir: migrationsDir('v2', 3) });
    const before = new Database(file);
    before.exec("insert into projects (id, name, repo_path) values ('prj-1', 'app', '/srv/app')");
    before.close();

    expect(migrateDatabase(file).applied).toEqual([
      '0003_project_policy_scripts_clones',
      '0004_covering_indexes_card_columns',
    ]);
    const db = openDb(file);
    try {
      const sqlite = db.$client;
      expect(sqlite.prepare('select id, ratchet_policy, scripts from projects').all()).toEqual([
        { id: 'prj-1', ratchet_policy: null, scripts: null },
      ]);
      sqlite
        .prepare(
          "insert into project_clones (id, url, target_path, status, project_id) values ('cl-1', 'https://github.com/o/r.git', '/srv/r', 'succeeded', 'prj-1')",
        )
        .run();
      sqlite.prepare("delete from projects where id = 'prj-1'").run();
      expect(sqlite.prepare('select id, project_id from project_clones').all()).toEqual([
        { id: 'cl-1', project_id: null },
      ]);
    } finally {
      db.$client.close();
    }
  });

  it('0004_covering_indexes_card_columns upgrades a 0003 database: every derived column and the spend per day are filled from the rows there', () => {
    const file = path.join(tmp, 'ratchet.sqlite');
    migrateDatabase(file, { migrationsDir: migrationsDir('v3', 4) });
    const DAY = 86_400_000;
    const day = 20_000 * DAY;
    const before = new Database(file);
    before.exec(`
      insert into projects (id, name, repo_path) values ('prj-1', 'app', '/srv/app');
      insert into workspaces (id, project_id, title, prompt, branch, base_branch, worktree_path, status, agent_config, workflow_id)
        values ('ws-1', 'prj-1', 't', 'p', 'b1', 'main', '/wt/1', 'pr_open', '{}', 'workspace/ws-1'),
               ('ws-2', 'prj-1', 't', 'p', 'b2', 'main', '/wt/2', 'agent_running', '{}', 'workspace/ws-2');
      insert into pull_requests (workspace_id, project_id, number, url, head_branch, base_branch, state, ratchet_state)
        values ('ws-1', 'prj-1', 7, 'https://x/7', 'b1', 'main', 'merged', 'merged');
      insert into workspace_events (workspace_id, at, kind, message, data, dedupe_key) values
        ('ws-1', ${day + 5}, 'ratchet.wait', 'm', '{"rule":"merge_ready"}', 'ratchet/ws-1/0/d1'),
        ('ws-1', ${day + 3}, 'ratchet.merge', 'm', '{"rule":"merge_ready"}', 'ratchet/ws-1/0/d0'),
        ('ws-1', ${day + 1}, 'ratchet.wait', 'm', '{"rule":"merge_ready"}', 'workspace/ws-1/not-the-loop'),
        ('ws-1', ${day + 9}, 'ratchet.done', 'm', '{"rule":"closed_or_merged"}', 'ratchet/ws-1/0/d2');
      insert into fix_attempts (workflow_id, workspace_id, kind, head_sha, snapshot_key, attempt, status)
        values ('f1', 'ws-1', 'ci', 'a', 'k', 1, 'pushed'), ('f2', 'ws-1', 'ci', 'b', 'k', 2, 'failed');
      insert into agent_sessions (id, workspace_id, purpose, runner, status, cost_usd)
        values ('s1', 'ws-1', 'implement', 'x', 'completed', 1.5), ('s2', 'ws-2', 'implement', 'x', 'running', 0.25);
      insert into agent_messages (session_id, seq, role, content, cost_usd, created_at) values
        ('s1', 1, 'assistant', '{}', 1, ${day + 10}), ('s1', 2, 'assistant', '{}', 0.5, ${day + DAY + 10}),
        ('s2', 1, 'assistant', '{}', 0.25, ${day + 20}), ('s2', 2, 'user', '{}', 0, ${day + 30});
      insert into notifications (workspace_id, title, body, read_at) values ('ws-2', 't', 'b', null), ('ws-2', 't', 'b', 5);
    `);
    before.close();

    expect(migrateDatabase(file).applied).toEqual(['0004_covering_indexes_card_columns']);
    const db = openDb(file);
    try {
      const sqlite = db.$client;
      expect(
        sqlite
          .prepare(
            'select id, board_column, attempt_count, cost_usd, unread_count from workspaces order by id',
          )
          .all(),
      ).toEqual([
        { id: 'ws-1', board_column: 'done', attempt_count: 2, cost_usd: 1.5, unread_count: 0 },
        { id: 'ws-2', board_column: 'working', attempt_count: 0, cost_usd: 0.25, unread_count: 1 },
      ]);
      // The loop's own events only: the earliest merge-ready decision, the last done.
      expect(sqlite.prepare('select merge_ready_at, done_at from pull_requests').get()).toEqual({
        merge_ready_at: day + 3,
        done_at: day + 9,
      });
      expect(sqlite.prepare('select project_id, day, usd from spend_days order by day').all()).toEqual([
        { project_id: 'prj-1', day, usd: 1.25 },
        { project_id: 'prj-1', day: day + DAY, usd: 0.5 },
      ]);
      // From now on the triggers keep them: a new message with a cost lands on its day.
      sqlite
        .prepare(
          `insert into agent_messages (session_id, seq, role, content, cost_usd, created_at) values ('s2', 3, 'assistant', '{}', 2, ?)`,
        )
        .run(day + 40);
      expect(sqlite.prepare('select usd from spend_days where day = ?').get(day)).toEqual({ usd: 3.25 });
    } finally {
      db.$client.close();
    }
  });

  it('0001_script_trust upgrades a 0000 database: its projects stay, trust rows key on (project, kind, sha256) and go with their project', () => {
    const file = path.join(tmp, 'ratchet.sqlite');
    migrateDatabase(file, { migrationsDir: migrationsDir('v0', 1) });
    const before = new Database(file);
    before.exec("insert into projects (id, name, repo_path) values ('prj-1', 'app', '/srv/app')");
    before.close();

    expect(migrateDatabase(file).applied).toEqual([
      '0001_script_trust',
      '0002_live_deltas',
      '0003_project_policy_scripts_clones',
      '0004_covering_indexes_card_columns',
    ]);
    const db = openDb(file);
    try {
      const sqlite = db.$client;
      expect(sqlite.prepare('select id from projects').all()).toEqual([{ id: 'prj-1' }]);
      const insert = sqlite.prepare(
        "insert into script_trust (project_id, kind, sha256, script, decision) values ('prj-1', 'setup', ?, 'npm ci', 'approved')",
      );
      insert.run('a'.repeat(64));
      expect(() => insert.run('a'.repeat(64))).toThrow(/UNIQUE|PRIMARY KEY/);
      sqlite.prepare("delete from projects where id = 'prj-1'").run();
      expect(sqlite.prepare('select count(*) as n from script_trust').get()).toEqual({ n: 0 });
    } finally {
      db.$client.close();
    }
  });

  it('0002_live_deltas upgrades a 0001 database: its rows stay, and the live ring takes and lists deltas per workspace', () => {
    const file = path.join(tmp, 'ratchet.sqlite');
    migrateDatabase(file, { migrationsDir: migrationsDir('v1', 2) });
    const before = new Database(file);
    before.exec("insert into projects (id, name, repo_path) values ('prj-1', 'app', '/srv/app')");
    before.close();

    expect(migrateDatabase(file).applied).toEqual([
      '0002_live_deltas',
      '0003_project_policy_scripts_clones',
      '0004_covering_indexes_card_columns',
    ]);
    const db = openDb(file);
    try {
      const sqlite = db.$client;
      expect(sqlite.prepare('select id from projects').all()).toEqual([{ id: 'prj-1' }]);
      const insert = sqlite.prepare(
        "insert into live_deltas (workspace_id, session_id, stream, attempt, kind, data, at) values (?, 's', 's/1/a', 1, 'text', '{}', 1)",
      );
      insert.run('w1');
      insert.run('w2');
      expect(sqlite.prepare("select count(*) as n from live_deltas where workspace_id = 'w1'").get()).toEqual(
        { n: 1 },
      );
    } finally {
      db.$client.close();
    }
  });

  it('strips credentials from remote URLs an older Ratchet stored, on upgrade and on every later start', () => {
    const file = path.join(tmp, 'ratchet.sqlite');
    migrateDatabase(file, { migrationsDir: migrationsDir('v0', 1) });
    const old = new Database(file);
    old.exec(
      "insert into projects (id, name, repo_path, remote_url) values ('p1', 'a', '/srv/a', 'ssh://git:s3cret@host/a.git'), ('p2', 'b', '/srv/b', 'https://host/b.git')",
    );
    old.close();
    migrateDatabase(file);
    const remotes = (f: string) => {
      const sqlite = new Database(f, { readonly: true, fileMustExist: true });
      try {
        return sqlite.prepare('select id, remote_url as url from projects order by id').all();
      } finally {
        sqlite.close();
      }
    };
    expect(remotes(file)).toEqual([
      { id: 'p1', url: 'ssh://git@host/a.git' },
      { id: 'p2', url: 'https://host/b.git' },
    ]);
    // A row written with a secret after the upgrade (an older build still running) is repaired at the next start.
    const later = new Database(file);
    later.exec("update projects set remote_url = 'https://host/b.git?access_token=t0ken' where id = 'p2'");
    later.close();
    expect(migrateDatabase(file).applied).toEqual([]);
    expect(remotes(file)).toEqual([
      { id: 'p1', url: 'ssh://git@host/a.git' },
      { id: 'p2', url: 'https://host/b.git' },
    ]);
  });

  it('rolls a failing migration back whole, names it, and reports the backup', () => {
    const file = path.join(tmp, 'ratchet.sqlite');
    migrateDatabase(file, { migrationsDir: migrationsDir('base', journal.entries.length) });
    const before = tables(file);
    const appliedBefore = countApplied(file);

    const dir = migrationsDir('broken', journal.entries.length, [broken]);
    let caught: unknown;
    try {
      migrateDatabase(file, { migrationsDir: dir });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MigrationError);
    const err = caught as MigrationError;
    expect(err.message).toContain('0001_broken.sql');
    expect(err.message).toContain('no_such_table');
    expect(err.migration).toBe('0001_broken');
    expect(err.file).toBe(file);
    expect(err.backupPath).not.toBeNull();
    expect(err.message).toContain(err.backupPath ?? '<none>');
    expect(fs.existsSync(err.backupPath ?? '')).toBe(true);
    expect(tables(err.backupPath ?? '')).toEqual(before);

    expect(tables(file)).toEqual(before);
    expect(tables(file)).not.toContain('half_applied');
    expect(countApplied(file)).toBe(appliedBefore);
  });

  it('names the later migration that failed and rolls back the earlier pending one with it', () => {
    const file = path.join(tmp, 'ratchet.sqlite');
    migrateDatabase(file, { migrationsDir: migrationsDir('base', journal.entries.length) });
    const before = tables(file);
    const dir = migrationsDir('two-pending', journal.entries.length, [
      addNotes,
      { ...broken, tag: '0002_broken' },
    ]);
    expect(() => migrateDatabase(file, { migrationsDir: dir })).toThrow(/migration 0002_broken\.sql/);
    expect(tables(file)).toEqual(before);
    expect(tables(file)).not.toContain('ratchet_notes');
  });

  it('leaves a fresh database without any tables when its first migration fails', () => {
    const file = path.join(tmp, 'fresh.sqlite');
    const dir = migrationsDir('only-broken', 0, [broken]);
    expect(() => migrateDatabase(file, { migrationsDir: dir })).toThrow(MigrationError);
    expect(tables(file).filter((t) => t !== '__drizzle_migrations')).toEqual([]);
    expect(countApplied(file)).toBe(0);
  });
});

function countApplied(file: string): number {
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const has = sqlite
      .prepare("select 1 from sqlite_master where type='table' and name='__drizzle_migrations'")
      .get();
    return has
      ? (sqlite.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number }).n
      : 0;
  } finally {
    sqlite.close();
  }
}

describe('openDb', () => {
  it('turns on WAL, foreign keys and the busy timeout', () => {
    const file = path.join(tmp, 'pragmas.sqlite');
    migrateDatabase(file);
    const db = openDb(file);
    try {
      expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.$client.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.$client.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
      expect(() =>
        db.$client
          .prepare(
            "insert into agent_messages (session_id, seq, role, content) values ('missing', 1, 'user', 'x')",
          )
          .run(),
      ).toThrow(/FOREIGN KEY/);
    } finally {
      db.$client.close();
    }
  });

  it('keeps foreign keys and the busy timeout on read-only handles', () => {
    const file = path.join(tmp, 'pragmas-ro.sqlite');
    migrateDatabase(file);
    const db = openDb(file, { readonly: true });
    try {
      expect(db.$client.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.$client.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.$client.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
    } finally {
      db.$client.close();
    }
  });
});
