import { db } from '../../../../../lib/db.js';
import { readJson, withErrors } from '../../../../../lib/errors.js';
import { listMessagesAfter } from '../../../../../lib/queries.js';
import { temporalClient } from '../../../../../lib/temporal.js';
import { sendMessage } from '../../../../../lib/workspaces.js';
import { afterFrom, workspaceParams, type WorkspaceRouteContext } from '../schema.js';
import { followUpText, idempotencyKeyHeader, sendMessageBody } from './schema.js';

export const dynamic = 'force-dynamic';

// GET /api/workspaces/:id/messages?after=<message id> – Transcript rows of all sessions after the cursor (up to 500).
export const GET = withErrors(
  'GET /api/workspaces/:id/messages',
  async (req: Request, ctx: WorkspaceRouteContext) => {
    const { id } = workspaceParams.parse(await ctx.params);
    const after = afterFrom(req);
    const messages = listMessagesAfter(db(), id, after);
    return Response.json(
      { messages, cursor: messages.at(-1)?.id ?? after },
      { headers: { 'cache-control': 'no-store' } },
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
