/** Route params and body of POST /api/projects/:id/poke. */
import { z } from 'zod';
import { singleLineText } from '../../../../../../core/text.js';

export const projectParams = z.object({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be a project id'),
});
export type ProjectRouteContext = { params: Promise<{ id: string }> };

export const pokeBody = z.object({ reason: singleLineText(200).default('poked from the console') });
