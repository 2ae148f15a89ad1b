import { describe, expect, it } from 'vitest';
import { placeWorkspace } from '../../web/lib/board.js';

const ws = (
  status: string,
  extra: Partial<{ statusReason: string | null; archivedAt: number | null; lastError: string | null }> = {},
) => ({
  status,
  statusReason: null,
  archivedAt: null,
  lastError: null,
  ...extra,
});
const pr = (
  extra: Partial<{
    state: string;
    kanbanColumn: string | null;
    kanbanReason: string | null;
    ciStatus: string | null;
  }> = {},
) => ({
  state: 'open',
  number: 7,
  kanbanColumn: null,
  kanbanReason: null,
  ciStatus: null,
  ...extra,
});

describe('placeWorkspace', () => {
  const cases: Array<
    [string, ReturnType<typeof ws>, ReturnType<typeof pr> | null, { column: string | null; reason: string }]
  > = [
    [
      'archived leaves the board',
      ws('archived', { archivedAt: 1 }),
      null,
      { column: null, reason: 'archived' },
    ],
    ['archiving leaves the board', ws('archiving'), pr(), { column: null, reason: 'archived' }],
    [
      'a merged PR is done, whatever the status',
      ws('agent_running'),
      pr({ state: 'merged' }),
      { column: 'done', reason: 'PR #7 merged' },
    ],
    [
      'a closed PR is done',
      ws('pr_open'),
      pr({ state: 'closed' }),
      { column: 'done', reason: 'PR #7 closed' },
    ],
    [
      'plan approval waits for a person',
      ws('awaiting_plan_approval'),
      null,
      { column: 'waiting', reason: 'Plan ready for approval' },
    ],
    [
      'budget waits with its reason',
      ws('awaiting_budget', { statusReason: 'Spent $5.00 of $5.00' }),
      null,
      { column: 'waiting', reason: 'Spent $5.00 of $5.00' },
    ],
    [
      'failure waits with the error',
      ws('failed', { lastError: 'setup exited 1' }),
      null,
      { column: 'waiting', reason: 'Failed: setup exited 1' },
    ],
    ['a running agent is working', ws('agent_running'), null, { column: 'working', reason: 'Agent working' }],
    [
      'an agent running after a PR is still working',
      ws('agent_running'),
      pr({ kanbanColumn: 'WAITING', kanbanReason: 'Ready for review' }),
      { column: 'working', reason: 'Agent working' },
    ],
    [
      'the ratchet projection wins once idle',
      ws('pr_open'),
      pr({ kanbanColumn: 'WORKING', kanbanReason: 'Fixing CI' }),
      { column: 'working', reason: 'Fixing CI' },
    ],
    [
      'an open PR with pending CI is working',
      ws('pr_open'),
      pr({ ciStatus: 'pending' }),
      { column: 'working', reason: 'Waiting for CI' },
    ],
    ['an open PR otherwise waits', ws('pr_open'), pr(), { column: 'waiting', reason: 'PR #7 open' }],
    ['idle without a PR waits', ws('idle'), null, { column: 'waiting', reason: 'Idle' }],
  ];
  it.each(cases)('placeWorkspace: %s', (_name, w, p, expected) => {
    expect(placeWorkspace(w, p)).toEqual(expected);
  });
});
