import { db } from '../../../lib/db.js';
import { withErrors } from '../../../lib/errors.js';
import { getInbox } from '../../../lib/inbox.js';
import { inboxQuery } from './schema.js';

export const dynamic = 'force-dynamic';

// GET /api/notifications?unread=1&before=<id> – The inbox, newest first (100 a page), with the unread count.
export const GET = withErrors('GET /api/notifications', async (req: Request) => {
  const params = new URL(req.url).searchParams;
  const q = inboxQuery.parse(Object.fromEntries(params));
  return Response.json(
    getInbox({ db: db(), unreadOnly: q.unread === '1', ...(q.before ? { beforeId: q.before } : {}) }),
  );
});
