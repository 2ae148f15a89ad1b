import { db } from '../../../../../lib/db.js';
import { withErrors } from '../../../../../lib/errors.js';
import { findRunScriptHost } from '../../../../../lib/run-script-host.js';
import { temporalClient } from '../../../../../lib/temporal.js';
import { archiveWorkspace } from '../../../../../lib/workspaces.js';
import { workspaceParams, type WorkspaceRouteContext } from '../schema.js';

// POST /api/workspaces/:id/archive – Stop the run script, then remove the worktree (the branch is kept) and end the workflow.
export const POST = withErrors(
  'POST /api/workspaces/:id/archive',
  async (_req: Request, ctx: WorkspaceRouteContext) => {
    const { id } = workspaceParams.parse(await ctx.params);
    // The dev server goes first: the cleanup script and the worktree's removal must not race it.
    await findRunScriptHost()?.stop(id);
    return Response.json(
      await archiveWorkspace({ db: db(), client: await temporalClient(), workspaceId: id }),
      { status: 202 },
    );
  },
);
