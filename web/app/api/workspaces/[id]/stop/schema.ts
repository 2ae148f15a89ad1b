import { z } from 'zod';
import { TEXT_LIMITS, singleLineText } from '../../../../../../core/text.js';

/** POST /api/workspaces/:id/stop body: an optional reason shown in the timeline. */
export const stopTurnBody = z.object({
  reason: singleLineText(TEXT_LIMITS.note, { required: false }).optional(),
});
export type StopTurnBody = z.infer<typeof stopTurnBody>;
