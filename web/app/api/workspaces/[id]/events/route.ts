import { db } from '../../../../../lib/db.js';
import { withErrors } from '../../../../../lib/errors.js';
import { listEventsAfter } from '../../../../../../db/queries/workspace-page.js';
import { afterFrom, workspaceParams, type WorkspaceRouteContext } from '../schema.js';

export const dynamic = 'force-dynamic';

// GET /api/workspaces/:id/events?after=<event id> – Timeline rows after the cursor (up to 500), oldest first.
export const GET = withErrors(
  'GET /api/workspaces/:id/events',
  async (req: Request, ctx: WorkspaceRouteContext) => {
    const { id } = workspaceParams.parse(await ctx.params);
    const after = afterFrom(req);
    const events = listEventsAfter(db(), id, after);
    return Response.json(
      { events, cursor: events.at(-1)?.id ?? after },
      { headers: { 'cache-control': 'no-store' } },
    );
  },
);
