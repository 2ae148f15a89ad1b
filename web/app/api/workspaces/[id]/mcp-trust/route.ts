import { db } from '../../../../../lib/db.js';
import { readJson, withErrors } from '../../../../../lib/errors.js';
import { decideWorkspaceMcp, getWorkspaceMcp, mcpTrustInputSchema } from '../../../../../lib/mcp-servers.js';
import { workspaceParams, type WorkspaceRouteContext } from '../schema.js';

// GET /api/workspaces/:id/mcp-trust – The MCP config in the workspace's worktree (names only), its hash and trust state.
export const GET = withErrors(
  'GET /api/workspaces/:id/mcp-trust',
  async (_req: Request, ctx: WorkspaceRouteContext) => {
    const { id } = workspaceParams.parse(await ctx.params);
    return Response.json(await getWorkspaceMcp(db(), id));
  },
);

// POST /api/workspaces/:id/mcp-trust – Approve or reject the worktree's MCP config shown (by its sha256) for the project.
export const POST = withErrors(
  'POST /api/workspaces/:id/mcp-trust',
  async (req: Request, ctx: WorkspaceRouteContext) => {
    const { id } = workspaceParams.parse(await ctx.params);
    const input = mcpTrustInputSchema.parse(await readJson(req));
    return Response.json(await decideWorkspaceMcp({ db: db(), workspaceId: id, input }));
  },
);
