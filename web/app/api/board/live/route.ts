import { z } from 'zod';
import { subscribeBoard } from '../../../../lib/board-live.js';
import { db } from '../../../../lib/db.js';
import { withErrors } from '../../../../lib/errors.js';
import { eventStream } from '../../../../lib/sse.js';
import { parseListWorkspacesQuery } from '../../workspaces/schema.js';

export const dynamic = 'force-dynamic';

const sinceSchema = z.object({ since: z.coerce.number().int().nonnegative().optional() });

// GET /api/board/live – Server-Sent Events for one board view (the board's query parameters, plus
// `since`, when its cards were read): `cards` frames with the changed cards, the ids that left the
// view and the column totals; `reload` when too much changed to patch.
export const GET = withErrors('GET /api/board/live', async (req: Request) => {
  const params = new URL(req.url).searchParams;
  const { since } = sinceSchema.parse({ since: params.get('since') ?? undefined });
  params.delete('since');
  const query = parseListWorkspacesQuery(params);
  const database = db();
  return eventStream(req, (send) => subscribeBoard(database, send, query, since));
});
