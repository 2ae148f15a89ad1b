import { scopeOf } from '../../../../../../core/diff.js';
import { db } from '../../../../../lib/db.js';
import { getDiffSummary, getFileDiff } from '../../../../../lib/diff.js';
import { withErrors } from '../../../../../lib/errors.js';
import { workspaceParams, type WorkspaceRouteContext } from '../schema.js';
import { diffQuery, diffQueryFrom } from './schema.js';

export const dynamic = 'force-dynamic';

// GET /api/workspaces/:id/diff?scope=branch|commit|worktree[&sha=][&path=] – The changed files with +/- counts, or one file's patch.
export const GET = withErrors(
  'GET /api/workspaces/:id/diff',
  async (req: Request, ctx: WorkspaceRouteContext) => {
    const { id } = workspaceParams.parse(await ctx.params);
    const query = diffQuery.parse(diffQueryFrom(req));
    const scope = scopeOf(query);
    const body = query.path
      ? await getFileDiff({ db: db(), workspaceId: id, scope, file: query.path })
      : await getDiffSummary({ db: db(), workspaceId: id, scope });
    return Response.json(body, { headers: { 'cache-control': 'no-store' } });
  },
);
