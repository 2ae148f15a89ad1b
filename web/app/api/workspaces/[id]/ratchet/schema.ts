import { z } from 'zod';
import { ratchetControlActionSchema } from '../../../../../lib/ratchet-control.js';

/**
 * POST /api/workspaces/:id/ratchet body: `pause`, `resume`, or `retry` (resume and forget the
 * attempt counts and open questions, so a stalled or asking loop tries again on the same snapshot).
 */
export const ratchetControlBody = z.object({ action: ratchetControlActionSchema });
export type RatchetControlBody = z.infer<typeof ratchetControlBody>;
