/** Route params and query strings shared by the /api/workspaces/[id] routes. */
import { z } from 'zod';
import { workspaceIdSchema } from '../../../../lib/workspaces.js';

export const workspaceParams = z.object({ id: workspaceIdSchema });
export type WorkspaceRouteContext = { params: Promise<{ id: string }> };

/** `?after=<row id>`: return rows with a larger id (0 or absent: from the start). */
export const afterQuery = z.object({ after: z.coerce.number().int().min(0).default(0) });

export function afterFrom(req: Request): number {
  const url = new URL(req.url);
  return afterQuery.parse({ after: url.searchParams.get('after') ?? undefined }).after;
}
