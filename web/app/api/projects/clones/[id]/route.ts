import { db } from '../../../../../lib/db.js';
import { withErrors } from '../../../../../lib/errors.js';
import { getClone } from '../../../../../lib/project-clone.js';
import { cloneParams, type CloneRouteContext } from '../schema.js';

export const dynamic = 'force-dynamic';

// GET /api/projects/clones/:id – A clone's progress, its failure (code and message), or the project it registered.
export const GET = withErrors(
  'GET /api/projects/clones/:id',
  async (_req: Request, ctx: CloneRouteContext) => {
    const { id } = cloneParams.parse(await ctx.params);
    return Response.json({ clone: getClone(db(), id) });
  },
);
