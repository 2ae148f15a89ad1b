import { subscribeBoard } from '../../../../lib/board-live.js';
import { db } from '../../../../lib/db.js';
import { withErrors } from '../../../../lib/errors.js';
import { eventStream } from '../../../../lib/sse.js';

export const dynamic = 'force-dynamic';

// GET /api/board/live – Server-Sent Events: a `board` event whenever what the board shows changes.
export const GET = withErrors('GET /api/board/live', async (req: Request) => {
  const database = db();
  return eventStream(req, (send) => subscribeBoard(database, send));
});
