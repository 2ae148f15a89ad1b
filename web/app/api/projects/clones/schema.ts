/** Body of POST /api/projects/clones and params of GET /api/projects/clones/:id. */
import { z } from 'zod';

export { startCloneInputSchema as startCloneBody } from '../../../../lib/project-clone.js';

export const cloneParams = z.object({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be a clone id'),
});
export type CloneRouteContext = { params: Promise<{ id: string }> };
