import { listBoard } from '../../../../db/queries/board.js';
import { db } from '../../../lib/db.js';
import { getConfig } from '../../../lib/env.js';
import { readJson, withErrors } from '../../../lib/errors.js';
import { temporalClient } from '../../../lib/temporal.js';
import { startWorkspace } from '../../../lib/workspaces.js';
import { createWorkspaceBody, parseListWorkspacesQuery } from './schema.js';

export const dynamic = 'force-dynamic';

// GET /api/workspaces – The board as the console shows it: per column its total and one page of
// cards (column, reason, PR, CI, ratchet state, attempts, spend), filtered and cursor-paged like
// the board page (`?project=&column=&needsMe=1&q=&view=archived&cursor=&limit=`).
export const GET = withErrors('GET /api/workspaces', async (req: Request) => {
  const query = parseListWorkspacesQuery(new URL(req.url).searchParams);
  return Response.json(listBoard({ db: db(), query }));
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
