import { db } from '../../../../lib/db.js';
import { withErrors } from '../../../../lib/errors.js';
import { subscribeInbox } from '../../../../lib/inbox.js';
import { eventStream } from '../../../../lib/sse.js';

export const dynamic = 'force-dynamic';

// GET /api/notifications/live – Server-Sent Events: an `inbox` frame (unread count, newest id, new items) on every change.
export const GET = withErrors('GET /api/notifications/live', async (req: Request) => {
  const database = db();
  return eventStream(req, (send) => subscribeInbox(database, send));
});
