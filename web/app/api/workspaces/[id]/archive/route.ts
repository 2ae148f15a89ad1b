import { db } from '../../../../../lib/db.js';
import { withErrors } from '../../../../../lib/errors.js';
import { temporalClient } from '../../../../../lib/temporal.js';
import { archiveWorkspace } from '../../../../../lib/workspaces.js';
import { workspaceParams, type WorkspaceRouteContext } from '../schema.js';

// POST /api/workspaces/:id/archive – Remove the worktree (the branch is kept) and end the workflow.
export const POST = withErrors(
  'POST /api/workspaces/:id/archive',
  async (_req: Request, ctx: WorkspaceRouteContext) => {
    const { id } = workspaceParams.parse(await ctx.params);
    return Response.json(
      await archiveWorkspace({ db: db(), client: await temporalClient(), workspaceId: id }),
      { status: 202 },
    );
  },
);
