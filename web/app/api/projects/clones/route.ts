import { db } from '../../../../lib/db.js';
import { getConfig } from '../../../../lib/env.js';
import { readJson, withErrors } from '../../../../lib/errors.js';
import { startClone } from '../../../../lib/project-clone.js';
import { startCloneBody } from './schema.js';

// POST /api/projects/clones – Clone a repository by URL into the projects directory and register it (202; poll the clone).
export const POST = withErrors('POST /api/projects/clones', async (req: Request) => {
  const body = startCloneBody.parse(await readJson(req));
  const clone = startClone({ db: db(), projectsDir: getConfig().projectsDir, input: body });
  return Response.json({ clone }, { status: 202 });
});
