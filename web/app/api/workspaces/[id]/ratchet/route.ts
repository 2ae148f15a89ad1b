import { db } from '../../../../../lib/db.js';
import { readJson, withErrors } from '../../../../../lib/errors.js';
import { controlRatchet } from '../../../../../lib/ratchet-control.js';
import { getRatchetView } from '../../../../../lib/ratchet-view.js';
import { temporalClient } from '../../../../../lib/temporal.js';
import { workspaceParams, type WorkspaceRouteContext } from '../schema.js';
import { ratchetControlBody } from './schema.js';

export const dynamic = 'force-dynamic';

// GET /api/workspaces/:id/ratchet – The loop's live state (else the read model, saying why), fix attempts and notifications.
export const GET = withErrors(
  'GET /api/workspaces/:id/ratchet',
  async (_req: Request, ctx: WorkspaceRouteContext) => {
    const { id } = workspaceParams.parse(await ctx.params);
    return Response.json(await getRatchetView({ db: db(), client: temporalClient, workspaceId: id }), {
      headers: { 'cache-control': 'no-store' },
    });
  },
);

// POST /api/workspaces/:id/ratchet – Pause, resume or retry the PR's ratchet loop (a signal to ratchet/<id>).
export const POST = withErrors(
  'POST /api/workspaces/:id/ratchet',
  async (req: Request, ctx: WorkspaceRouteContext) => {
    const { id } = workspaceParams.parse(await ctx.params);
    const { action } = ratchetControlBody.parse(await readJson(req));
    return Response.json(
      await controlRatchet({ db: db(), client: await temporalClient(), workspaceId: id, action }),
      {
        status: 202,
      },
    );
  },
);
