import { db } from '../../../../../lib/db.js';
import { DomainError, withErrors } from '../../../../../lib/errors.js';
import { parseCursor, workspaceHub } from '../../../../../lib/live-hub.js';
import { getWorkspaceDetail } from '../../../../../../db/queries/workspace-page.js';
import { eventStream } from '../../../../../lib/sse.js';
import { workspaceParams, type WorkspaceRouteContext } from '../schema.js';
import { liveQuery } from './schema.js';

export const dynamic = 'force-dynamic';

// GET /api/workspaces/:id/live?m=&e= – Server-Sent Events: stored transcript rows, live deltas, timeline events and state, resumable with Last-Event-ID.
export const GET = withErrors(
  'GET /api/workspaces/:id/live',
  async (req: Request, ctx: WorkspaceRouteContext) => {
    const { id } = workspaceParams.parse(await ctx.params);
    const url = new URL(req.url);
    const fresh = liveQuery.parse({
      m: url.searchParams.get('m') ?? undefined,
      e: url.searchParams.get('e') ?? undefined,
    });
    const from = parseCursor(req.headers.get('last-event-id'));
    const database = db();
    if (!getWorkspaceDetail(database, id))
      throw new DomainError('WorkspaceNotFound', `No workspace with id ${id}.`);
    return eventStream(req, (send) =>
      workspaceHub(database, id).subscribe(send, from, { messages: fresh.m, events: fresh.e }),
    );
  },
);
