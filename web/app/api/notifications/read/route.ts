import { db } from '../../../../lib/db.js';
import { readJson, withErrors } from '../../../../lib/errors.js';
import { markRead } from '../../../../lib/inbox.js';
import { markReadBody } from '../schema.js';

export const dynamic = 'force-dynamic';

// POST /api/notifications/read – Mark notifications read: `{ ids: [..] }` or `{ all: true }`; answers the new unread count.
export const POST = withErrors('POST /api/notifications/read', async (req: Request) => {
  const body = markReadBody.parse(await readJson(req));
  return Response.json(markRead({ db: db(), body }));
});
