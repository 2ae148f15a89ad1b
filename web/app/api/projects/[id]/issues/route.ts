import { db } from '../../../../../lib/db.js';
import { getConfig } from '../../../../../lib/env.js';
import { withErrors } from '../../../../../lib/errors.js';
import { listOpenIssues } from '../../../../../lib/intake.js';
import { getProjectOrThrow } from '../../../../../lib/projects.js';
import { temporalClient } from '../../../../../lib/temporal.js';
import { issuesQuery, projectParams, type ProjectRouteContext } from './schema.js';

export const dynamic = 'force-dynamic';

// GET /api/projects/:id/issues?q= – The project's open GitHub issues (PRs filtered out) for the intake picker.
export const GET = withErrors(
  'GET /api/projects/:id/issues',
  async (req: Request, ctx: ProjectRouteContext) => {
    const { id } = projectParams.parse(await ctx.params);
    const { q } = issuesQuery.parse({ q: new URL(req.url).searchParams.get('q') });
    const project = getProjectOrThrow(db(), id);
    const issues = await listOpenIssues({
      client: await temporalClient(),
      taskQueue: getConfig().taskQueue,
      project,
      ...(q ? { text: q } : {}),
    });
    return Response.json({ issues });
  },
);
