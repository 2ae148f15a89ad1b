/**
 * GET /api/workspaces query: the board's filters and paging (core/board-query.ts).
 * POST /api/workspaces body: project, title, prompt, optional base branch and agent settings.
 */
import { parseBoardQuery, type BoardQuery } from '../../../../core/board-query.js';

/** Throws the ZodError (422 naming the field) for a bad query. */
export function parseListWorkspacesQuery(params: URLSearchParams): BoardQuery {
  const parsed = parseBoardQuery(params);
  if (!parsed.success) throw parsed.error;
  return parsed.data;
}

export {
  startWorkspaceInputSchema as createWorkspaceBody,
  type StartWorkspaceInput as CreateWorkspaceBody,
} from '../../../lib/workspaces.js';
