/**
 * The board's SQL against a real SQLite file: the column the triggers of migration 0004 store on a
 * workspace equals `core/kanban.ts` for every combination of stored values (known and unknown) and
 * follows later writes of the workspace and its PR, the card's counts follow their tables, paging
 * by cursor visits every card of a column exactly once, and the filters select what `cardMatches`
 * (the live channel's filter) accepts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardMatches, parseBoardQuery, type BoardQuery } from '../../core/board-query.js';
import { RATCHET_STATES } from '../../core/ratchet/state.js';
import { WORKSPACE_STATUSES } from '../../core/workspace.js';
import { openDb, type Db } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { getBoardCards, listBoard } from '../../db/queries/board.js';
import { placeWorkspace } from '../../web/lib/board.js';

let dir: string;
let db: Db;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-board-query-'));
  migrateDatabase(path.join(dir, 'ratchet.db'));
  db = openDb(path.join(dir, 'ratchet.db'));
});

afterAll(() => {
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const query = (qs: string): BoardQuery => {
  const parsed = parseBoardQuery(new URLSearchParams(qs));
  if (!parsed.success) throw parsed.error;
  return parsed.data;
};

function insertProject(id: string) {
  db.$client
    .prepare(`INSERT INTO projects (id, name, repo_path, default_branch) VALUES (?, ?, ?, 'main')`)
    .run(id, `name-${id}`, `/repo/${id}`);
}

function insertWorkspace(w: {
  id: string;
  projectId: string;
  status: string;
  title?: string;
  branch?: string;
  createdAt?: number;
  archivedAt?: number | null;
  lastError?: string | null;
}) {
  db.$client
    .prepare(
      `INSERT INTO workspaces (id, project_id, title, prompt, branch, base_branch, worktree_path, status,
         agent_config, workflow_id, last_error, created_at, updated_at, archived_at)
       VALUES (?, ?, ?, 'p', ?, 'main', '/wt', ?, '{}', ?, ?, ?, ?, ?)`,
    )
    .run(
      w.id,
      w.projectId,
      w.title ?? `title ${w.id}`,
      w.branch ?? `b/${w.id}`,
      w.status,
      `workspace/${w.id}`,
      w.lastError ?? null,
      w.createdAt ?? 1000,
      w.createdAt ?? 1000,
      w.archivedAt ?? null,
    );
}

function insertPr(p: {
  workspaceId: string;
  projectId: string;
  number: number;
  state: string;
  ciStatus: string | null;
  ratchetState: string | null;
}) {
  db.$client
    .prepare(
      `INSERT INTO pull_requests (workspace_id, project_id, number, url, head_branch, base_branch, state, ci_status,
         ratchet_state, ratchet_reason) VALUES (?, ?, ?, 'https://x/pr', 'h', 'main', ?, ?, ?, 'because')`,
    )
    .run(p.workspaceId, p.projectId, p.number, p.state, p.ciStatus, p.ratchetState);
}

const storedColumn = (id: string) =>
  (db.$client.prepare('SELECT board_column AS c FROM workspaces WHERE id = ?').get(id) as { c: string }).c;

describe('workspaces.board_column', () => {
  it('places every combination of stored values where core/kanban.ts places it', () => {
    insertProject('combo');
    const statuses = [...WORKSPACE_STATUSES, 'hibernating'];
    const prStates = [null, 'open', 'draft', 'merged', 'closed', 'weird'];
    const ratchets = [null, ...RATCHET_STATES, 'teleporting'];
    const cis = [null, 'pending', 'failure', 'success', 'none', 'purple'];
    const expected = new Map<string, string>();
    let n = 0;
    db.$client.transaction(() => {
      for (const status of statuses)
        for (const archivedAt of [null, 5])
          for (const prState of prStates)
            for (const ratchetState of prState === null ? [null] : ratchets)
              for (const ciStatus of prState === null ? [null] : cis) {
                const id = `c${n++}`;
                insertWorkspace({ id, projectId: 'combo', status, archivedAt, lastError: 'e' });
                if (prState)
                  insertPr({
                    workspaceId: id,
                    projectId: 'combo',
                    number: n,
                    state: prState,
                    ciStatus,
                    ratchetState,
                  });
                const placed = placeWorkspace(
                  { status, archivedAt, lastError: 'e' },
                  prState
                    ? { state: prState, number: n, ciStatus, ratchetState, ratchetReason: 'because' }
                    : null,
                );
                expected.set(id, placed.column ?? 'archived');
              }
    })();
    const rows = db.$client
      .prepare(`SELECT id, board_column AS col FROM workspaces WHERE project_id = 'combo'`)
      .all() as Array<{ id: string; col: string }>;
    expect(rows.length).toBe(expected.size);
    expect(expected.size).toBeGreaterThan(5000);
    const mismatches = rows.filter((r) => expected.get(r.id) !== r.col);
    expect(mismatches.slice(0, 5)).toEqual([]);
    // Every column occurs, so the comparison covered each branch of the CASE.
    expect(new Set(rows.map((r) => r.col))).toEqual(new Set(['working', 'waiting', 'done', 'archived']));
    db.$client.prepare(`DELETE FROM workspaces WHERE project_id = 'combo'`).run();
  });

  it('follows later writes of the workspace and of its PR, and a deleted PR', () => {
    insertProject('moves');
    insertWorkspace({ id: 'm1', projectId: 'moves', status: 'agent_running' });
    expect(storedColumn('m1')).toBe('working');
    db.$client.prepare(`UPDATE workspaces SET status = 'pr_open' WHERE id = 'm1'`).run();
    expect(storedColumn('m1')).toBe('waiting');
    insertPr({
      workspaceId: 'm1',
      projectId: 'moves',
      number: 1,
      state: 'open',
      ciStatus: null,
      ratchetState: null,
    });
    expect(storedColumn('m1')).toBe('waiting');
    db.$client.prepare(`UPDATE pull_requests SET ci_status = 'pending' WHERE workspace_id = 'm1'`).run();
    expect(storedColumn('m1')).toBe('working');
    db.$client.prepare(`UPDATE pull_requests SET ratchet_state = 'stalled' WHERE workspace_id = 'm1'`).run();
    expect(storedColumn('m1')).toBe('waiting');
    db.$client.prepare(`UPDATE pull_requests SET state = 'merged' WHERE workspace_id = 'm1'`).run();
    expect(storedColumn('m1')).toBe('done');
    db.$client.prepare(`DELETE FROM pull_requests WHERE workspace_id = 'm1'`).run();
    expect(storedColumn('m1')).toBe('waiting');
    db.$client.prepare(`UPDATE workspaces SET archived_at = 7 WHERE id = 'm1'`).run();
    expect(storedColumn('m1')).toBe('archived');
    db.$client.prepare(`DELETE FROM workspaces WHERE project_id = 'moves'`).run();
  });
});

describe('listBoard', () => {
  beforeAll(() => {
    insertProject('pa');
    insertProject('pb');
    db.$client.transaction(() => {
      for (let i = 0; i < 130; i++) {
        const id = `w${String(i).padStart(3, '0')}`;
        const projectId = i % 2 ? 'pb' : 'pa';
        // Equal creation times in pairs, so the cursor's id tiebreak is exercised.
        const createdAt = 10_000 + Math.floor(i / 2);
        const kind = i % 5;
        insertWorkspace({
          id,
          projectId,
          status: kind === 0 ? 'agent_running' : kind === 4 ? 'archived' : 'pr_open',
          title: i % 7 === 0 ? `Fix Auth bug ${i}` : `Task ${i}`,
          createdAt,
          archivedAt: kind === 4 ? createdAt : null,
        });
        if (kind === 1 || kind === 2 || kind === 3)
          insertPr({
            workspaceId: id,
            projectId,
            number: 500 + i,
            state: kind === 1 ? 'merged' : 'open',
            ciStatus: kind === 3 ? 'pending' : 'failure',
            ratchetState: null,
          });
      }
      db.$client
        .prepare(
          `INSERT INTO notifications (workspace_id, title, body, read_at) VALUES ('w006', 't', 'b', NULL)`,
        )
        .run();
      db.$client
        .prepare(
          `INSERT INTO agent_sessions (id, workspace_id, purpose, runner, status, cost_usd) VALUES ('s1', 'w001', 'implement', 'x', 'completed', 1.25), ('s2', 'w001', 'ci-fix', 'x', 'completed', 0.5)`,
        )
        .run();
      db.$client
        .prepare(
          `INSERT INTO fix_attempts (workflow_id, workspace_id, kind, head_sha, snapshot_key, attempt, status) VALUES ('f1', 'w001', 'ci', 'a', 'k', 1, 'pushed'), ('f2', 'w001', 'review', 'b', 'k2', 2, 'failed')`,
        )
        .run();
    })();
  });

  const all = (q: BoardQuery) => {
    const full = listBoard({ db, query: { ...q, limit: 200 } });
    return full.columns.flatMap((c) => c.cards);
  };

  it('pages a column by cursor: every card once, newest first, totals over all pages', () => {
    for (const qs of ['column=done', 'view=archived', '', 'column=waiting&project=pa']) {
      const first = query(`${qs}&limit=7`);
      const expectedAll = all({ ...first, cursor: undefined });
      const pagedColumn = first.view === 'archived' ? 'archived' : (first.column ?? 'done');
      const want = expectedAll.filter((c) => c.column === pagedColumn).map((c) => c.id);
      const seen: string[] = [];
      let q = first;
      for (let guard = 0; guard < 50; guard++) {
        const page = listBoard({ db, query: q }).columns.find((c) => c.column === pagedColumn)!;
        expect(page.total).toBe(want.length);
        expect(page.cards.length).toBeLessThanOrEqual(7);
        seen.push(...page.cards.map((c) => c.id));
        if (!page.nextCursor) break;
        q = query(`${qs}&limit=7&cursor=${page.nextCursor}`);
      }
      expect(seen).toEqual(want);
      expect(want.length).toBeGreaterThan(7);
      const sorted = [...seen].sort((a, b) => (b < a ? -1 : 1));
      expect(seen).toEqual(sorted);
    }
  });

  it('bounds the live columns and reports their totals', () => {
    const page = listBoard({ db, query: query('limit=5') });
    expect(page.columns.map((c) => c.column)).toEqual(['working', 'waiting', 'done']);
    for (const c of page.columns) {
      expect(c.cards.length).toBe(5);
      expect(c.total).toBeGreaterThan(5);
    }
    const n = (col: string) => all(query('')).filter((c) => c.column === col).length;
    expect(page.columns.map((c) => c.total)).toEqual([n('working'), n('waiting'), n('done')]);
  });

  it('selects by project, column, needs-me and search exactly what cardMatches accepts', () => {
    const every = [...all(query('')), ...all(query('view=archived'))];
    expect(every.length).toBe(130);
    for (const qs of [
      'project=pa',
      'column=working',
      'needsMe=1',
      'q=auth',
      'q=%23503',
      'q=503',
      'q=b/w01',
      'project=pb&q=AUTH',
      'view=archived&project=pa',
      'needsMe=1&column=done',
    ]) {
      const q = query(qs);
      const got = all(q)
        .map((c) => c.id)
        .sort();
      const want = every
        .filter((c) => cardMatches(c, q))
        .map((c) => c.id)
        .sort();
      expect(got, qs).toEqual(want);
      expect(want.length, qs).toBeGreaterThan(0);
    }
    // Needs me: a card outside Waiting with an unread notification is included.
    const w006 = every.find((c) => c.id === 'w006')!;
    expect(w006.column).toBe('done');
    expect(all(query('needsMe=1')).some((c) => c.id === 'w006')).toBe(true);
  });

  it('keeps spend, fix attempts and unread counts on the row as their tables change', () => {
    const card = () => getBoardCards({ db, ids: ['w003'] })[0]!;
    expect(card()).toMatchObject({ attempts: 0, spentUsd: 0, unread: 0 });
    db.$client.transaction(() => {
      db.$client
        .prepare(
          `INSERT INTO agent_sessions (id, workspace_id, purpose, runner, status, cost_usd) VALUES ('s3', 'w003', 'implement', 'x', 'running', 0)`,
        )
        .run();
      db.$client.prepare(`UPDATE agent_sessions SET cost_usd = cost_usd + 0.25 WHERE id = 's3'`).run();
      db.$client
        .prepare(
          `INSERT INTO fix_attempts (workflow_id, workspace_id, kind, head_sha, snapshot_key, attempt, status) VALUES ('f3', 'w003', 'ci', 'a', 'k', 1, 'running')`,
        )
        .run();
      db.$client
        .prepare(
          `INSERT INTO notifications (id, workspace_id, title, body) VALUES (903, 'w003', 't', 'b'), (904, 'w003', 't', 'b')`,
        )
        .run();
    })();
    expect(card()).toMatchObject({ attempts: 1, spentUsd: 0.25, unread: 2 });
    db.$client.prepare(`UPDATE notifications SET read_at = 1 WHERE id = 903`).run();
    expect(card().unread).toBe(1);
    db.$client.prepare(`DELETE FROM notifications WHERE id = 904`).run();
    db.$client.prepare(`DELETE FROM fix_attempts WHERE workflow_id = 'f3'`).run();
    db.$client.prepare(`DELETE FROM agent_sessions WHERE id = 's3'`).run();
    expect(card()).toMatchObject({ attempts: 0, spentUsd: 0, unread: 0 });
  });

  it('shows spend summed from sessions, fix attempts and the reason from core/kanban.ts', () => {
    const [card] = getBoardCards({ db, ids: ['w001'] });
    expect(card).toMatchObject({
      id: 'w001',
      prNumber: 501,
      prState: 'merged',
      column: 'done',
      reason: 'PR #501 merged',
      attempts: 2,
      spentUsd: 1.75,
      unread: 0,
      projectName: 'name-pb',
    });
  });
});
