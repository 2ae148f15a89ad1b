import { db } from '../../../../../lib/db.js';
import { withErrors } from '../../../../../lib/errors.js';
import { temporalClient } from '../../../../../lib/temporal.js';
import { openPullRequest } from '../../../../../lib/workspaces.js';
import { workspaceParams, type WorkspaceRouteContext } from '../schema.js';

// POST /api/workspaces/:id/open-pr – Open the pull request of a workspace whose ratchet is off (no loop starts).
export const POST = withErrors(
  'POST /api/workspaces/:id/open-pr',
  async (_req: Request, ctx: WorkspaceRouteContext) => {
    const { id } = workspaceParams.parse(await ctx.params);
    return Response.json(
      await openPullRequest({ db: db(), client: await temporalClient(), workspaceId: id }),
      {
        status: 202,
      },
    );
  },
);
