import { db } from '../../../../lib/db.js';
import { withErrors } from '../../../../lib/errors.js';
import { getWorkspaceView } from '../../../../lib/workspace-view.js';
import { temporalClient } from '../../../../lib/temporal.js';
import { workspaceParams, type WorkspaceRouteContext } from './schema.js';

export const dynamic = 'force-dynamic';

// GET /api/workspaces/:id – The row with its project, PR, sessions and timeline; `starting` until the row exists.
export const GET = withErrors(
  'GET /api/workspaces/:id',
  async (_req: Request, ctx: WorkspaceRouteContext) => {
    const { id } = workspaceParams.parse(await ctx.params);
    return Response.json(await getWorkspaceView({ db: db(), client: temporalClient, id }));
  },
);
