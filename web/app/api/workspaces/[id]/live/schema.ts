/** Query string of GET /api/workspaces/:id/live. */
import { z } from 'zod';

/**
 * Where a fresh page's server render left off: `m` (last message id it has; 0 = send the whole
 * transcript) and `e` (last timeline event id it has). Ignored when Last-Event-ID is sent.
 */
export const liveQuery = z.object({
  m: z.coerce.number().int().min(0).default(0),
  e: z.coerce.number().int().min(0).default(0),
});
