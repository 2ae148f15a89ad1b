import { db } from '../../../../../lib/db.js';
import { withErrors } from '../../../../../lib/errors.js';
import { getRunState, startRun, stopRun } from '../../../../../lib/run-script.js';
import { workspaceParams, type WorkspaceRouteContext } from '../schema.js';

export const dynamic = 'force-dynamic';

// GET /api/workspaces/:id/run – The run script's state (running or not, pid, port, exit) and whether it may start.
export const GET = withErrors(
  'GET /api/workspaces/:id/run',
  async (_req: Request, ctx: WorkspaceRouteContext) => {
    const { id } = workspaceParams.parse(await ctx.params);
    return Response.json(getRunState(db(), id));
  },
);

// POST /api/workspaces/:id/run – Start the project's approved run script in the worktree (409 when it already runs or is not approved).
export const POST = withErrors(
  'POST /api/workspaces/:id/run',
  async (_req: Request, ctx: WorkspaceRouteContext) => {
    const { id } = workspaceParams.parse(await ctx.params);
    return Response.json({ run: startRun(db(), id) }, { status: 201 });
  },
);

// DELETE /api/workspaces/:id/run – Stop it: SIGTERM to its process group, SIGKILL after the grace; answers once it ended.
export const DELETE = withErrors(
  'DELETE /api/workspaces/:id/run',
  async (_req: Request, ctx: WorkspaceRouteContext) => {
    const { id } = workspaceParams.parse(await ctx.params);
    return Response.json({ run: await stopRun(id) });
  },
);
