import { withErrors } from '../../../../../lib/errors.js';
import { workspaceParams, type WorkspaceRouteContext } from '../schema.js';

export const dynamic = 'force-dynamic';

// GET /api/workspaces/:id/terminal – A shell in the worktree over a WebSocket; web/server.ts takes
// the upgrade (web/terminal-server.ts) before Next, so a plain GET that reaches here is told so.
export const GET = withErrors(
  'GET /api/workspaces/:id/terminal',
  async (_req: Request, ctx: WorkspaceRouteContext) => {
    const { id } = workspaceParams.parse(await ctx.params);
    return Response.json(
      {
        error: {
          type: 'UpgradeRequired',
          message: `Open /api/workspaces/${id}/terminal as a WebSocket (the console's terminal panel does).`,
        },
      },
      { status: 426 },
    );
  },
);
