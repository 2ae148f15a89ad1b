import { db } from '../../../../../lib/db.js';
import { readJson, withErrors } from '../../../../../lib/errors.js';
import { temporalClient } from '../../../../../lib/temporal.js';
import { stopTurn } from '../../../../../lib/workspaces.js';
import { workspaceParams, type WorkspaceRouteContext } from '../schema.js';
import { stopTurnBody } from './schema.js';

// POST /api/workspaces/:id/stop – Stop the running agent turn (409 when none is running).
export const POST = withErrors(
  'POST /api/workspaces/:id/stop',
  async (req: Request, ctx: WorkspaceRouteContext) => {
    const { id } = workspaceParams.parse(await ctx.params);
    const { reason } = stopTurnBody.parse(await readJson(req));
    return Response.json(
      await stopTurn({ db: db(), client: await temporalClient(), workspaceId: id, reason }),
    );
  },
);
