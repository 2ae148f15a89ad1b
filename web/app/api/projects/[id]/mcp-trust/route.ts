import { db } from '../../../../../lib/db.js';
import { readJson, withErrors } from '../../../../../lib/errors.js';
import { decideProjectMcp, getProjectMcp, mcpTrustInputSchema } from '../../../../../lib/mcp-servers.js';
import { projectParams, type ProjectRouteContext } from '../poke/schema.js';

// GET /api/projects/:id/mcp-trust – The project's MCP servers (names only) and the trust state of their config.
export const GET = withErrors(
  'GET /api/projects/:id/mcp-trust',
  async (_req: Request, ctx: ProjectRouteContext) => {
    const { id } = projectParams.parse(await ctx.params);
    return Response.json(await getProjectMcp(db(), id));
  },
);

// POST /api/projects/:id/mcp-trust – Approve or reject the exact MCP server config shown (by its sha256).
export const POST = withErrors(
  'POST /api/projects/:id/mcp-trust',
  async (req: Request, ctx: ProjectRouteContext) => {
    const { id } = projectParams.parse(await ctx.params);
    const input = mcpTrustInputSchema.parse(await readJson(req));
    return Response.json(await decideProjectMcp({ db: db(), projectId: id, input }));
  },
);
