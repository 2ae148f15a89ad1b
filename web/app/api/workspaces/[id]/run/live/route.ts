import { db } from '../../../../../../lib/db.js';
import { withErrors } from '../../../../../../lib/errors.js';
import { runOutputHost } from '../../../../../../lib/run-script.js';
import { eventStream } from '../../../../../../lib/sse.js';
import { workspaceParams, type WorkspaceRouteContext } from '../../schema.js';

export const dynamic = 'force-dynamic';

// GET /api/workspaces/:id/run/live – Server-Sent Events: the run script's output tail (`reset`), then new output and state changes.
export const GET = withErrors(
  'GET /api/workspaces/:id/run/live',
  async (req: Request, ctx: WorkspaceRouteContext) => {
    const { id: given } = workspaceParams.parse(await ctx.params);
    const { id, host } = runOutputHost(db(), given);
    return eventStream(req, (send) => host.subscribe(id, send));
  },
);
