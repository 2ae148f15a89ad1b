/** Query of GET /api/workspaces/:id/diff: `scope` (branch | commit | worktree), `sha` for a commit, `path` for one file's patch. */
import { diffQuerySchema } from '../../../../../../core/diff.js';

export { diffQuerySchema as diffQuery };

/** Every query parameter, each named by itself in a 422 when it is bad (an unknown one too). */
export function diffQueryFrom(req: Request): unknown {
  const params = new URL(req.url).searchParams;
  const out: Record<string, string> = {};
  for (const [k, v] of params) out[k] = v;
  return out;
}
