import { db } from '../../../../../lib/db.js';
import { readJson, withErrors } from '../../../../../lib/errors.js';
import { decideProjectScriptTrust } from '../../../../../lib/project-settings.js';
import { projectParams, projectTrustBody, type ProjectRouteContext } from '../schema.js';

// POST /api/projects/:id/trust – Approve or reject the exact text of one of the project's scripts.
export const POST = withErrors(
  'POST /api/projects/:id/trust',
  async (req: Request, ctx: ProjectRouteContext) => {
    const { id } = projectParams.parse(await ctx.params);
    const body = projectTrustBody.parse(await readJson(req));
    return Response.json({ script: decideProjectScriptTrust({ db: db(), id, input: body }) });
  },
);
