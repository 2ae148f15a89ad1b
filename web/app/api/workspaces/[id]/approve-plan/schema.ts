import { z } from 'zod';
import { TEXT_LIMITS, multiLineText } from '../../../../../../core/text.js';

/** POST /api/workspaces/:id/approve-plan body: an optional note passed to the agent with the plan. */
export const approvePlanBody = z
  .object({
    note: multiLineText(TEXT_LIMITS.note, { required: false }).optional(),
    /** approve (default): implement with the note; reject: discard; revise: plan again with the note. */
    decision: z.enum(['approve', 'reject', 'revise']).default('approve'),
  })
  .refine((b) => b.decision !== 'revise' || (b.note ?? '') !== '', {
    message: 'a revision needs a note',
    path: ['note'],
  });
export type ApprovePlanBody = z.infer<typeof approvePlanBody>;
