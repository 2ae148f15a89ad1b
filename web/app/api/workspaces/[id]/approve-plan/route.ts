import { db } from '../../../../../lib/db.js';
import { readJson, withErrors } from '../../../../../lib/errors.js';
import { temporalClient } from '../../../../../lib/temporal.js';
import { approvePlan } from '../../../../../lib/workspaces.js';
import { workspaceParams, type WorkspaceRouteContext } from '../schema.js';
import { approvePlanBody } from './schema.js';

// POST /api/workspaces/:id/approve-plan – Approve the plan of a workspace awaiting plan approval.
export const POST = withErrors(
  'POST /api/workspaces/:id/approve-plan',
  async (req: Request, ctx: WorkspaceRouteContext) => {
    const { id } = workspaceParams.parse(await ctx.params);
    const { note, decision } = approvePlanBody.parse(await readJson(req));
    return Response.json(
      await approvePlan({ db: db(), client: await temporalClient(), workspaceId: id, note, decision }),
    );
  },
);
