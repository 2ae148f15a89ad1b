import { placeWorkspace } from '../../../lib/board.js';
import { db } from '../../../lib/db.js';
import { getConfig } from '../../../lib/env.js';
import { readJson, withErrors } from '../../../lib/errors.js';
import { listBoardRows } from '../../../lib/queries.js';
import { temporalClient } from '../../../lib/temporal.js';
import { startWorkspace } from '../../../lib/workspaces.js';
import { createWorkspaceBody } from './schema.js';

export const dynamic = 'force-dynamic';

// GET /api/workspaces – Workspaces on the board, each with its Kanban column and reason.
export const GET = withErrors('GET /api/workspaces', async () => {
  const rows = listBoardRows(db()).map((r) => ({ ...r, placement: placeWorkspace(r.workspace, r.pr) }));
  return Response.json({ workspaces: rows });
});

// POST /api/workspaces – Start a workspace workflow; the row appears once its first activity runs.
export const POST = withErrors('POST /api/workspaces', async (req: Request) => {
  const input = createWorkspaceBody.parse(await readJson(req));
  const started = await startWorkspace({
    db: db(),
    client: await temporalClient(),
    config: getConfig(),
    input,
  });
  return Response.json(started, { status: 202 });
});
