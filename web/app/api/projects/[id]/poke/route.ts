import { db } from '../../../../../lib/db.js';
import { readJson, withErrors } from '../../../../../lib/errors.js';
import { pokeProject } from '../../../../../lib/ratchet.js';
import { temporalClient } from '../../../../../lib/temporal.js';
import { pokeBody, projectParams, type ProjectRouteContext } from './schema.js';

// POST /api/projects/:id/poke – Poll the project's GitHub repository now (the ratchet loop acts on the result).
export const POST = withErrors(
  'POST /api/projects/:id/poke',
  async (req: Request, ctx: ProjectRouteContext) => {
    const { id } = projectParams.parse(await ctx.params);
    const { reason } = pokeBody.parse(await readJson(req));
    return Response.json(
      await pokeProject({ db: db(), client: await temporalClient(), projectId: id, reason }),
      { status: 202 },
    );
  },
);
