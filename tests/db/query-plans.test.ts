/**
 * The query plans of the board's and Insights' hot reads (SQLite's `EXPLAIN QUERY PLAN` on a
 * migrated database): each goes through an index, never a full scan of a table (the one scan
 * allowed is the `json_each` id list of the cards asked for), and a board page is read in index
 * order (no sort). A change of a query or of the indexes of migration 0004 that loses this fails
 * here, naming the statement and its plan.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBoardQuery, type BoardQuery } from '../../core/board-query.js';
import { openDb, type Db } from '../../db/client.js';
import { migrateDatabase } from '../../db/migrate.js';
import { CARD_ROWS, filtersOf, pageSql, totalSql } from '../../db/queries/board.js';
import { INSIGHT_SQL } from '../../db/queries/insights.js';
import { CHANGED_SQL } from '../../web/lib/board-live.js';

let dir: string;
let db: Db;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ratchet-query-plans-'));
  migrateDatabase(path.join(dir, 'ratchet.db'));
  db = openDb(path.join(dir, 'ratchet.db'));
});

afterAll(() => {
  db.$client.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The plan's lines (`SEARCH w USING INDEX …`), parameters bound to null. */
function plan(sql: string): string[] {
  const names = [...new Set([...sql.matchAll(/@(\w+)/g)].map((m) => m[1]!))];
  const rows = db.$client
    .prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .all(Object.fromEntries(names.map((n) => [n, null]))) as Array<{ detail: string }>;
  return rows.map((r) => r.detail);
}

/**
 * Full scans of a table: `SCAN <table or alias>` (a covering-index scan counts too); not the scan
 * of the `json_each` id list (`j`) or of a co-routine's own rows (`(subquery-N)`).
 */
const scans = (lines: string[]) =>
  lines.filter((l) => /^SCAN /.test(l) && !/^SCAN (j\b|\(subquery-)/.test(l));

const query = (qs: string): BoardQuery => {
  const parsed = parseBoardQuery(new URLSearchParams(qs));
  if (!parsed.success) throw parsed.error;
  return parsed.data;
};

describe('board reads', () => {
  const views = [
    '',
    'project=prj_1',
    'needsMe=1',
    'needsMe=1&project=prj_1',
    'q=auth',
    'q=%23503',
    'project=prj_1&q=503',
    'view=archived',
    'column=done&limit=50',
  ];
  const columns = ['working', 'waiting', 'done', 'archived'];

  it.each(views)('a page and the total of every column use the board index (%s)', (qs) => {
    const f = filtersOf(query(qs));
    for (const column of columns)
      for (const withCursor of [false, true]) {
        const page = plan(pageSql(column, f, withCursor));
        const where = `${qs || 'board'} ${column}${withCursor ? ' after a cursor' : ''}:\n${page.join('\n')}`;
        expect(scans(page), where).toEqual([]);
        expect(page.join('\n'), where).toMatch(
          f.project
            ? /SEARCH w USING (COVERING )?INDEX workspaces_project_board_idx/
            : /SEARCH w USING (COVERING )?INDEX workspaces_board_idx/,
        );
        // Newest first straight from the index: no sort of the column.
        expect(page.join('\n'), where).not.toMatch(/TEMP B-TREE/);
      }
    for (const column of columns) {
      const total = plan(totalSql(column, f));
      expect(scans(total), `${qs} ${column} total:\n${total.join('\n')}`).toEqual([]);
      // Without a search the count never leaves the index.
      if (!f.q) expect(total.join('\n')).toMatch(/USING COVERING INDEX workspaces_(project_)?board_idx/);
    }
  });

  it('reads cards by primary key', () => {
    const lines = plan(CARD_ROWS);
    expect(scans(lines), lines.join('\n')).toEqual([]);
    expect(lines.join('\n')).toMatch(/SEARCH w USING INDEX sqlite_autoindex_workspaces_1 \(id=\?\)/);
    expect(lines.join('\n')).toMatch(
      /SEARCH pr USING INDEX sqlite_autoindex_pull_requests_1 \(workspace_id=\?\)/,
    );
  });

  it("the live channel's change query reads every table through an index", () => {
    const lines = plan(CHANGED_SQL);
    expect(scans(lines), lines.join('\n')).toEqual([]);
    for (const idx of [
      'workspaces_updated_idx',
      'pull_requests_updated_idx',
      'agent_messages_created_idx',
      'agent_sessions_started_idx',
      'agent_sessions_ended_idx',
      'fix_attempts_started_idx',
      'fix_attempts_ended_idx',
      'notifications_created_idx',
      'notifications_read_idx',
    ])
      expect(lines.join('\n'), idx).toContain(idx);
  });
});

describe('Insights reads', () => {
  it.each([
    ['prs', false, /SEARCH pr USING INDEX pull_requests_updated_idx/],
    ['prs', true, /SEARCH pr USING INDEX pull_requests_project_updated_idx/],
    ['fixes', false, /SEARCH f USING INDEX fix_attempts_started_idx/],
    ['fixes', true, /SEARCH f USING INDEX fix_attempts_started_idx/],
    ['spend', false, /SEARCH spend_days USING COVERING INDEX spend_days_day_idx/],
    ['spend', true, /SEARCH spend_days USING INDEX sqlite_autoindex_spend_days_1/],
  ] as const)('%s (one project: %s) is one index range', (name, oneProject, uses) => {
    const lines = plan(INSIGHT_SQL[name](oneProject));
    const where = `${name} ${oneProject}:\n${lines.join('\n')}`;
    expect(scans(lines), where).toEqual([]);
    expect(lines.join('\n'), where).toMatch(uses);
    // No subquery per row (over events, messages or anything else).
    expect(lines.join('\n'), where).not.toMatch(/SUBQUERY|workspace_events|agent_messages/);
  });
});
