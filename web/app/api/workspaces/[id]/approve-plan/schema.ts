import { z } from 'zod';
import { TEXT_LIMITS, multiLineText } from '../../../../../../core/text.js';

/** POST /api/workspaces/:id/approve-plan body: an optional note passed to the agent with the plan. */
export const approvePlanBody = z.object({ note: multiLineText(TEXT_LIMITS.note, { required: false }).optional() });
export type ApprovePlanBody = z.infer<typeof approvePlanBody>;
