/**
 * The board's adapter from read-model rows to `core/kanban.ts` (whose table tests hold the rules):
 * row values map to the projection's inputs, archived workspaces leave the board, and values this
 * build does not know are placed conservatively instead of failing the board.
 */
import { describe, expect, it } from 'vitest';
import { placeWorkspace } from '../../web/lib/board.js';

const ws = (
  status: string,
  extra: Partial<{ archivedAt: number | null; lastError: string | null }> = {},
) => ({
  status,
  archivedAt: null,
  lastError: null,
  ...extra,
});
const pr = (
  extra: Partial<{
    state: string;
    ciStatus: string | null;
    ratchetState: string | null;
    ratchetReason: string | null;
  }> = {},
) => ({
  state: 'open',
  number: 7,
  ciStatus: null,
  ratchetState: null,
  ratchetReason: null,
  ...extra,
});

describe('placeWorkspace', () => {
  const cases: Array<
    [string, ReturnType<typeof ws>, ReturnType<typeof pr> | null, { column: string | null; reason: string }]
  > = [
    [
      'archived leaves the board',
      ws('archived'),
      pr({ state: 'merged' }),
      { column: null, reason: 'archived' },
    ],
    ['archiving leaves the board', ws('archiving'), pr(), { column: null, reason: 'archived' }],
    [
      'archived_at set while the status lags',
      ws('pr_open', { archivedAt: 1 }),
      pr(),
      { column: null, reason: 'archived' },
    ],
    [
      'a merged row is done, named by number',
      ws('pr_open'),
      pr({ state: 'merged' }),
      { column: 'done', reason: 'PR #7 merged' },
    ],
    [
      'a closed row is done',
      ws('pr_open'),
      pr({ state: 'closed' }),
      { column: 'done', reason: 'PR #7 closed without merge' },
    ],
    [
      'a failed workspace shows its last error',
      ws('failed', { lastError: 'setup exited 1' }),
      null,
      { column: 'waiting', reason: 'Failed: setup exited 1' },
    ],
    [
      'a draft row is an open draft PR',
      ws('pr_open'),
      pr({ state: 'draft' }),
      { column: 'waiting', reason: 'Draft PR #7 open' },
    ],
    [
      'the ratchet state and reason come from the row',
      ws('pr_open'),
      pr({ ratchetState: 'fixing_ci', ratchetReason: 'CI failing: build' }),
      { column: 'working', reason: 'Fixing CI: CI failing: build' },
    ],
    [
      'an agent turn beats the ratchet',
      ws('agent_running'),
      pr({ ratchetState: 'stalled', ratchetReason: 'x' }),
      { column: 'working', reason: 'Agent working' },
    ],
    [
      'an unknown ratchet state is ignored',
      ws('pr_open'),
      pr({ ratchetState: 'teleporting', ciStatus: 'pending' }),
      { column: 'working', reason: 'Waiting for CI' },
    ],
    [
      'an unknown CI status counts as unknown',
      ws('pr_open'),
      pr({ ciStatus: 'purple' }),
      { column: 'waiting', reason: 'PR #7 open' },
    ],
    [
      'an unknown workspace status is treated as idle',
      ws('hibernating'),
      null,
      { column: 'waiting', reason: 'Agent finished; your turn' },
    ],
  ];
  it.each(cases)('placeWorkspace: %s', (_name, w, p, expected) => {
    expect(placeWorkspace(w, p)).toEqual(expected);
  });
});
