import { db } from '../../../../../lib/db.js';
import { readJson, withErrors } from '../../../../../lib/errors.js';
import { temporalClient } from '../../../../../lib/temporal.js';
import { setBudget } from '../../../../../lib/workspaces.js';
import { workspaceParams, type WorkspaceRouteContext } from '../schema.js';
import { budgetBody } from './schema.js';

// POST /api/workspaces/:id/budget – Raise the budget of a workspace awaiting budget, or cancel the wait.
export const POST = withErrors(
  'POST /api/workspaces/:id/budget',
  async (req: Request, ctx: WorkspaceRouteContext) => {
    const { id } = workspaceParams.parse(await ctx.params);
    const body = budgetBody.parse(await readJson(req));
    const result =
      'budgetUsd' in body
        ? await setBudget({
            db: db(),
            client: await temporalClient(),
            workspaceId: id,
            budgetUsd: body.budgetUsd,
          })
        : await setBudget({ db: db(), client: await temporalClient(), workspaceId: id, cancel: true });
    return Response.json(result);
  },
);
