import { db } from '../../../../lib/db.js';
import { readJson, withErrors } from '../../../../lib/errors.js';
import { getProjectDetail, removeProject, updateProject } from '../../../../lib/project-settings.js';
import { temporalClient } from '../../../../lib/temporal.js';
import { projectParams, updateProjectBody, type ProjectRouteContext } from './schema.js';

export const dynamic = 'force-dynamic';

// GET /api/projects/:id – The project with its open PRs, spend, scripts and their trust, and ratchet policy.
export const GET = withErrors('GET /api/projects/:id', async (_req: Request, ctx: ProjectRouteContext) => {
  const { id } = projectParams.parse(await ctx.params);
  return Response.json({ project: getProjectDetail(db(), id) });
});

// PATCH /api/projects/:id – Change the default branch, scripts or ratchet policy (running loops get the policy).
export const PATCH = withErrors('PATCH /api/projects/:id', async (req: Request, ctx: ProjectRouteContext) => {
  const { id } = projectParams.parse(await ctx.params);
  const body = updateProjectBody.parse(await readJson(req));
  const { detail, signalledLoops } = await updateProject({
    db: db(),
    client: temporalClient,
    id,
    input: body,
  });
  return Response.json({ project: detail, signalledLoops });
});

// DELETE /api/projects/:id – Forget the project (409 while it has live workspaces); the repository is not touched.
export const DELETE = withErrors(
  'DELETE /api/projects/:id',
  async (_req: Request, ctx: ProjectRouteContext) => {
    const { id } = projectParams.parse(await ctx.params);
    return Response.json(removeProject({ db: db(), id }));
  },
);
