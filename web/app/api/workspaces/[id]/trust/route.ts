import { db } from '../../../../../lib/db.js';
import { readJson, withErrors } from '../../../../../lib/errors.js';
import { temporalClient } from '../../../../../lib/temporal.js';
import { decideTrust } from '../../../../../lib/workspaces.js';
import { workspaceParams, type WorkspaceRouteContext } from '../schema.js';
import { trustBody } from './schema.js';

// POST /api/workspaces/:id/trust – Approve the pending script (by its sha256) or run without it.
export const POST = withErrors(
  'POST /api/workspaces/:id/trust',
  async (req: Request, ctx: WorkspaceRouteContext) => {
    const { id } = workspaceParams.parse(await ctx.params);
    const { decision, sha256 } = trustBody.parse(await readJson(req));
    return Response.json(
      await decideTrust({ db: db(), client: await temporalClient(), workspaceId: id, decision, sha256 }),
    );
  },
);
