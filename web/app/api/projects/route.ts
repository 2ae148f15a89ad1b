import { db } from '../../../lib/db.js';
import { readJson, withErrors } from '../../../lib/errors.js';
import { listProjects, registerProject } from '../../../lib/projects.js';
import { createProjectBody } from './schema.js';

export const dynamic = 'force-dynamic';

// GET /api/projects – Registered projects, by name.
export const GET = withErrors('GET /api/projects', async () =>
  Response.json({ projects: listProjects(db()) }),
);

// POST /api/projects – Register a local git repository (idempotent on its top-level path).
export const POST = withErrors('POST /api/projects', async (req: Request) => {
  const body = createProjectBody.parse(await readJson(req));
  return Response.json({ project: await registerProject(db(), body) });
});
