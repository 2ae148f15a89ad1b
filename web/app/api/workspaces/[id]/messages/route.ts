import { db } from '../../../../../lib/db.js';
import { readJson, withErrors } from '../../../../../lib/errors.js';
import { listMessagesAfter, listMessagesBefore } from '../../../../../../db/queries/workspace-page.js';
import { temporalClient } from '../../../../../lib/temporal.js';
import { sendMessage } from '../../../../../lib/workspaces.js';
import { workspaceParams, type WorkspaceRouteContext } from '../schema.js';
import { followUpText, idempotencyKeyHeader, listMessagesQueryFrom, sendMessageBody } from './schema.js';

export const dynamic = 'force-dynamic';

// GET /api/workspaces/:id/messages?before=<id>|after=<id>&limit= – Transcript rows of all sessions: the newest page (or the one before `before`), or forward after `after`; 100 a page by default, at most 500.
export const GET = withErrors(
  'GET /api/workspaces/:id/messages',
  async (req: Request, ctx: WorkspaceRouteContext) => {
    const { id } = workspaceParams.parse(await ctx.params);
    const q = listMessagesQueryFrom(req);
    const headers = { 'cache-control': 'no-store' };
    if (q.after !== undefined) {
      const messages = listMessagesAfter(db(), id, q.after, q.limit);
      return Response.json(
        { messages, cursor: messages.at(-1)?.id ?? q.after, hasMore: messages.length === q.limit },
        { headers },
      );
    }
    const page = listMessagesBefore(db(), id, q.before ?? null, q.limit);
    return Response.json(
      { messages: page.messages, cursor: page.messages.at(-1)?.id ?? null, hasEarlier: page.hasEarlier },
      { headers },
    );
  },
);

// POST /api/workspaces/:id/messages – Queue a follow-up agent turn (queueMessage signal; 202 at once,
// worker or not): `text`, or a `diffComment` on lines of the diff. A resend with the same
// `Idempotency-Key` header (or `idempotencyKey` field) runs once.
export const POST = withErrors(
  'POST /api/workspaces/:id/messages',
  async (req: Request, ctx: WorkspaceRouteContext) => {
    const { id } = workspaceParams.parse(await ctx.params);
    const body = sendMessageBody.parse(await readJson(req));
    const text = followUpText(body);
    const header = idempotencyKeyHeader.parse({
      'idempotency-key': req.headers.get('idempotency-key') ?? undefined,
    });
    const key = header['idempotency-key'] ?? body.idempotencyKey ?? crypto.randomUUID();
    return Response.json(
      await sendMessage({ db: db(), client: await temporalClient(), workspaceId: id, text, key }),
      { status: 202 },
    );
  },
);
